// Sends a built request: HTTP POST with fetch, SMTP with nodemailer. Errors are reported as an
// Outcome whose message names the failure (connection refused, timeout, SMTP reply) but never the
// URL, which for the robots carries their token.
import nodemailer from 'nodemailer';
import type { ChannelType } from '../types.js';
import type { OutboundRequest } from './request.js';
import { interpretHttp, type Outcome } from './response.js';

export interface TransportOptions {
  /** @default 10000 */
  readonly timeoutMs?: number;
}

function failure(e: unknown): Outcome {
  const err = e as {
    cause?: { code?: string; message?: string };
    code?: string;
    responseCode?: number;
    response?: string;
    name?: string;
    message?: string;
  };
  if (err.responseCode)
    return {
      success: false,
      httpStatus: err.responseCode,
      code: String(err.responseCode),
      message: (err.response ?? '').slice(0, 200),
    };
  if (err.name === 'TimeoutError') return { success: false, message: 'no answer in time' };
  const cause = err.cause?.code ?? err.code ?? err.cause?.message ?? err.message ?? String(e);
  return { success: false, message: `request failed: ${cause}` };
}

export async function send(type: ChannelType, req: OutboundRequest, opts: TransportOptions = {}): Promise<Outcome> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  try {
    if (req.kind === 'http') {
      // fetch would quote a malformed URL in its error, and these URLs carry tokens.
      if (!URL.canParse(req.url))
        return { success: false, code: 'ConfigError', message: 'the channel URL is not a valid URL' };
      const res = await fetch(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      return interpretHttp(type, res.status, await res.text());
    }
    const transport = nodemailer.createTransport({
      host: req.host,
      port: req.port,
      secure: req.port === 465,
      requireTLS: req.requireTLS,
      ...(req.auth ? { auth: req.auth } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    try {
      const info = await transport.sendMail({ from: req.from, to: [...req.to], subject: req.subject, text: req.text });
      const code = /^(\d{3})/.exec(info.response)?.[1];
      return { success: true, ...(code ? { httpStatus: Number(code), code } : {}) };
    } finally {
      transport.close();
    }
  } catch (e) {
    return failure(e);
  }
}
