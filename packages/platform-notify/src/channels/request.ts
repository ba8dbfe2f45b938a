// What one delivery to a channel sends, built without I/O from the channel, the rendered message
// and the channel's secrets: an HTTP POST for the robots and webhooks, an SMTP message for email.
// Each vendor's body shape and limit is here; how its answer reads is in response.ts.
import { dingtalkSign, feishuSign } from '../signing.js';
import { renderMessage, type Markup, type Message } from '../template.js';
import type { AmWebhookPayload, ChannelType, NotificationChannel, SecretKeyRef } from '../types.js';

export interface HttpRequest {
  readonly kind: 'http';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SmtpRequest {
  readonly kind: 'smtp';
  readonly host: string;
  readonly port: number;
  readonly requireTLS: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

export type OutboundRequest = HttpRequest | SmtpRequest;

/** Reads one key of a Secret in the channel's namespace. */
export type SecretReader = (ref: SecretKeyRef) => Promise<string>;

/** Bytes of message text each channel type takes (the vendors' documented limits, with room for the JSON around it). */
export const MESSAGE_LIMITS: Readonly<Record<ChannelType, number>> = {
  dingtalk: 19_000, // 20,000 bytes per message
  wecom: 4_000, // markdown.content: 4,096 bytes
  feishu: 18_000, // 20 KB request body
  slack: 39_000, // text: 40,000 characters
  email: 200_000,
  webhook: 200_000,
};

const MARKUP: Readonly<Record<ChannelType, Markup>> = {
  dingtalk: 'markdown',
  wecom: 'markdown',
  feishu: 'text',
  slack: 'mrkdwn',
  email: 'text',
  webhook: 'text',
};

export const DEFAULT_URLS = {
  dingtalk: 'https://oapi.dingtalk.com/robot/send',
  wecom: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send',
  feishu: 'https://open.feishu.cn/open-apis/bot/v2/hook/',
} as const;

/** A channel that cannot be used as declared (a missing settings block, a bad smarthost). */
export class ChannelConfigError extends Error {
  override readonly name = 'ChannelConfigError';
}

function need<T>(v: T | undefined, field: string): T {
  if (v === undefined) throw new ChannelConfigError(`spec.${field} must be set for this channel type`);
  return v;
}

export function renderFor(ch: NotificationChannel, payload: AmWebhookPayload): Message {
  const type = ch.spec.type;
  return renderMessage(payload, {
    locale: ch.spec.locale ?? 'en',
    markup: MARKUP[type],
    maxBytes: ch.spec.maxMessageBytes ?? MESSAGE_LIMITS[type],
  });
}

const json = (url: string, body: unknown, headers: Record<string, string> = {}): HttpRequest => ({
  kind: 'http',
  url,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

function withQuery(base: string, query: Record<string, string>): string {
  const u = new URL(base);
  // The sign is already URL-encoded as DingTalk documents it; URLSearchParams would encode it twice.
  const extra = Object.entries(query)
    .map(([k, v]) => `${k}=${k === 'sign' ? v : encodeURIComponent(v)}`)
    .join('&');
  return `${u.origin}${u.pathname}${u.search ? `${u.search}&` : '?'}${extra}`;
}

/** The request delivering `payload` to channel `ch` at time `nowMs`. */
export async function buildRequest(
  ch: NotificationChannel,
  payload: AmWebhookPayload,
  secret: SecretReader,
  nowMs: number,
): Promise<OutboundRequest> {
  const msg = renderFor(ch, payload);
  const s = ch.spec;
  switch (s.type) {
    case 'dingtalk': {
      const d = need(s.dingtalk, 'dingtalk');
      const query: Record<string, string> = { access_token: await secret(d.accessTokenSecretRef) };
      if (d.signSecretRef) Object.assign(query, dingtalkSign(await secret(d.signSecretRef), nowMs));
      return json(withQuery(d.url ?? DEFAULT_URLS.dingtalk, query), {
        msgtype: 'markdown',
        markdown: { title: msg.title, text: msg.text },
      });
    }
    case 'wecom': {
      const w = need(s.wecom, 'wecom');
      return json(withQuery(w.url ?? DEFAULT_URLS.wecom, { key: await secret(w.keySecretRef) }), {
        msgtype: 'markdown',
        markdown: { content: msg.text },
      });
    }
    case 'feishu': {
      const f = need(s.feishu, 'feishu');
      const base = f.url ?? DEFAULT_URLS.feishu;
      const url = `${base}${base.endsWith('/') ? '' : '/'}${encodeURIComponent(await secret(f.tokenSecretRef))}`;
      const signed = f.signSecretRef ? feishuSign(await secret(f.signSecretRef), Math.floor(nowMs / 1000)) : {};
      return json(url, { ...signed, msg_type: 'text', content: { text: msg.text } });
    }
    case 'slack': {
      const sl = need(s.slack, 'slack');
      return json(await secret(sl.urlSecretRef), { text: msg.text });
    }
    case 'webhook': {
      const w = need(s.webhook, 'webhook');
      const auth = w.bearerTokenSecretRef
        ? { authorization: `Bearer ${await secret(w.bearerTokenSecretRef)}` }
        : undefined;
      // The Alertmanager payload unchanged, so existing receivers keep working, plus the rendered message.
      return json(w.url, { ...payload, wharf: { title: msg.title, text: msg.text, locale: s.locale ?? 'en' } }, auth);
    }
    case 'email': {
      const e = need(s.email, 'email');
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(e.smarthost);
      if (!m) throw new ChannelConfigError(`spec.email.smarthost must be host:port, got '${e.smarthost}'`);
      const auth =
        e.username && e.passwordSecretRef ? { user: e.username, pass: await secret(e.passwordSecretRef) } : undefined;
      return {
        kind: 'smtp',
        host: m[1]!,
        port: Number(m[2]),
        requireTLS: e.requireTLS ?? false,
        ...(auth ? { auth } : {}),
        from: e.from,
        to: e.to,
        subject: msg.title,
        text: msg.text,
      };
    }
  }
}
