// Local stand-ins for the chat vendors and a mail server, for the notification suite: HTTP
// receivers that check signatures and body shapes exactly as DingTalk, WeCom, Feishu and Slack
// document them (and answer with those vendors' error codes when a check fails), a generic
// webhook, a channel failing every other request, and an SMTP server (the smtp-server package)
// that requires a login. Each accepted message is kept for the test to read.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export const SECRETS = {
  dingtalkToken: 'ding-access-token-1',
  dingtalkSign: 'SECding-sign-secret',
  wecomKey: 'wecom-key-0f1e',
  feishuToken: 'feishu-hook-token',
  feishuSign: 'feishu-sign-secret',
  slackPath: '/slack/services/T000/B000/XXXX',
  webhookBearer: 'hook-bearer-7',
  smtpPassword: 'smtp-password-9',
} as const;

export interface Received {
  readonly channel: 'dingtalk' | 'wecom' | 'feishu' | 'slack' | 'webhook' | 'flaky' | 'email';
  readonly text: string;
  readonly body: unknown;
}

export interface Receivers {
  readonly httpUrl: string;
  readonly smtpPort: number;
  readonly received: Received[];
  /** Requests the flaky channel answered 500 and 200. */
  readonly flaky: { failed: number; ok: number };
  close(): Promise<void>;
}

const reply = (res: http.ServerResponse, status: number, body: unknown): void => {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(typeof body === 'string' ? body : JSON.stringify(body));
};

export async function startReceivers(): Promise<Receivers> {
  const received: Received[] = [];
  const flaky = { failed: 0, ok: 0, n: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return reply(res, 400, { errcode: 40001, errmsg: 'body is not JSON' });
      }
      if (url.pathname === '/dingtalk/robot/send') {
        // DingTalk: timestamp in ms within an hour; sign = urlEncode(base64(HmacSHA256(key=secret,
        // timestamp+"\n"+secret))).
        if (url.searchParams.get('access_token') !== SECRETS.dingtalkToken)
          return reply(res, 200, { errcode: 300001, errmsg: 'token is not exist' });
        const ts = url.searchParams.get('timestamp') ?? '';
        const want = createHmac('sha256', SECRETS.dingtalkSign)
          .update(`${ts}\n${SECRETS.dingtalkSign}`)
          .digest('base64');
        // searchParams decodes once: what arrives must be the base64 value itself.
        if (Math.abs(Date.now() - Number(ts)) > 3_600_000 || url.searchParams.get('sign') !== want)
          return reply(res, 200, { errcode: 310000, errmsg: 'sign not match' });
        const md = body.markdown as { title?: string; text?: string } | undefined;
        if (body.msgtype !== 'markdown' || !md?.title || !md.text)
          return reply(res, 200, { errcode: 40035, errmsg: 'missing markdown' });
        received.push({ channel: 'dingtalk', text: md.text, body });
        return reply(res, 200, { errcode: 0, errmsg: 'ok' });
      }
      if (url.pathname === '/wecom/cgi-bin/webhook/send') {
        if (url.searchParams.get('key') !== SECRETS.wecomKey)
          return reply(res, 200, { errcode: 93000, errmsg: 'invalid webhook url' });
        const content = (body.markdown as { content?: string } | undefined)?.content;
        if (body.msgtype !== 'markdown' || !content)
          return reply(res, 200, { errcode: 40008, errmsg: 'invalid message type' });
        if (Buffer.byteLength(content) > 4096)
          return reply(res, 200, { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' });
        received.push({ channel: 'wecom', text: content, body });
        return reply(res, 200, { errcode: 0, errmsg: 'ok' });
      }
      if (url.pathname === `/feishu/open-apis/bot/v2/hook/${SECRETS.feishuToken}`) {
        // Feishu: timestamp in seconds; sign = base64(HmacSHA256(key=timestamp+"\n"+secret, empty message)).
        const ts = String(body.timestamp ?? '');
        const want = createHmac('sha256', `${ts}\n${SECRETS.feishuSign}`).update('').digest('base64');
        if (Math.abs(Date.now() / 1000 - Number(ts)) > 3600 || body.sign !== want)
          return reply(res, 200, {
            code: 19021,
            msg: 'sign match fail or timestamp is not within one hour from current time',
          });
        const text = (body.content as { text?: string } | undefined)?.text;
        if (body.msg_type !== 'text' || !text) return reply(res, 200, { code: 9499, msg: 'Bad Request' });
        received.push({ channel: 'feishu', text, body });
        return reply(res, 200, { code: 0, msg: 'success', data: {} });
      }
      if (url.pathname === SECRETS.slackPath) {
        if (typeof body.text !== 'string') return reply(res, 400, 'invalid_payload');
        received.push({ channel: 'slack', text: body.text, body });
        return reply(res, 200, 'ok');
      }
      if (url.pathname === '/webhook') {
        if (req.headers.authorization !== `Bearer ${SECRETS.webhookBearer}`) return reply(res, 401, 'unauthorized');
        if (body.version !== '4' || !Array.isArray(body.alerts)) return reply(res, 400, 'not an Alertmanager payload');
        received.push({ channel: 'webhook', text: (body.wharf as { text: string }).text, body });
        return reply(res, 200, {});
      }
      if (url.pathname === '/flaky') {
        flaky.n += 1;
        if (flaky.n % 2 === 1) {
          flaky.failed += 1;
          return reply(res, 500, 'flaky: failing this one');
        }
        flaky.ok += 1;
        received.push({ channel: 'flaky', text: (body.wharf as { text: string }).text, body });
        return reply(res, 200, {});
      }
      reply(res, 404, 'no such receiver');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));

  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'], // loopback only: plain SMTP with AUTH
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'wharf' && auth.password === SECRETS.smtpPassword) cb(null, { user: 'wharf' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (!session.user) return cb(new Error('authentication required'));
        received.push({
          channel: 'email',
          text: Buffer.concat(chunks).toString('utf8'),
          body: { to: session.envelope.rcptTo.map((r) => r.address) },
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  return {
    httpUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    smtpPort,
    received,
    flaky,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => smtp.close(() => r()));
    },
  };
}
