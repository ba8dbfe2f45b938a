// Is a webhook delivery from the forge that holds the secret? Each forge's own scheme:
//  - GitHub: X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(secret, raw body); id X-GitHub-Delivery.
//  - Gitea / Forgejo: X-Gitea-Signature / X-Forgejo-Signature = hex HMAC-SHA256(secret, raw body).
//  - GitLab: X-Gitlab-Token = the secret itself (compared in constant time); or, with a signing
//    token (`whsec_` + base64 key, the Standard Webhooks scheme GitLab adopted), webhook-signature
//    = "v1," + base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>"), the timestamp
//    within five minutes.
// Every comparison is constant-time; the secret never appears in a reason.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Provider } from './types.js';

export type Headers = Readonly<Record<string, string | undefined>>;
export type Verdict =
  { readonly ok: true; readonly deliveryId?: string } | { readonly ok: false; readonly reason: string };

/** Equal-length digests of both sides, so neither length nor content leaks through timing. */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const h = (v: string | Buffer): Buffer => createHash('sha256').update(v).digest();
  return timingSafeEqual(h(a), h(b));
}

export const hmacHex = (key: string | Buffer, body: Buffer | string): string =>
  createHmac('sha256', key).update(body).digest('hex');

/** Standard Webhooks tolerance for webhook-timestamp. */
export const TIMESTAMP_TOLERANCE_S = 300;

function hexSignature(
  header: string,
  value: string | undefined,
  secret: string,
  body: Buffer,
  prefix = '',
): Verdict | undefined {
  if (value === undefined) return { ok: false, reason: `missing ${header}` };
  return constantTimeEqual(value.trim(), prefix + hmacHex(secret, body))
    ? undefined
    : { ok: false, reason: `${header} does not match the body` };
}

function gitlabSigned(h: Headers, secret: string, body: Buffer, nowS: number): Verdict {
  const id = h['webhook-id'];
  const ts = h['webhook-timestamp'];
  const sig = h['webhook-signature'];
  if (!id || !ts || !sig) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  if (!/^\d+$/.test(ts) || Math.abs(nowS - Number(ts)) > TIMESTAMP_TOLERANCE_S)
    return { ok: false, reason: 'webhook-timestamp is not within five minutes of now' };
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest('base64');
  // Several space-separated "v1,<sig>" entries may come (key rotation): any one may match.
  const match = sig.split(' ').some((s) => s.startsWith('v1,') && constantTimeEqual(s.slice(3), expected));
  return match ? { ok: true, deliveryId: id } : { ok: false, reason: 'webhook-signature does not match the body' };
}

/** Checks a delivery; `headers` by lower-case name. */
export function verifyDelivery(
  provider: Provider,
  headers: Headers,
  body: Buffer,
  secret: string,
  nowS = Math.floor(Date.now() / 1000),
): Verdict {
  switch (provider) {
    case 'github':
      return (
        hexSignature('X-Hub-Signature-256', headers['x-hub-signature-256'], secret, body, 'sha256=') ?? {
          ok: true,
          deliveryId: headers['x-github-delivery'],
        }
      );
    case 'gitea':
    case 'forgejo': {
      // Forgejo sends both its own headers and Gitea's; Gitea only its own.
      const header =
        provider === 'forgejo' && headers['x-forgejo-signature'] !== undefined
          ? 'X-Forgejo-Signature'
          : 'X-Gitea-Signature';
      return (
        hexSignature(header, headers[header.toLowerCase()], secret, body) ?? {
          ok: true,
          deliveryId: headers['x-forgejo-delivery'] ?? headers['x-gitea-delivery'],
        }
      );
    }
    case 'gitlab': {
      if (secret.startsWith('whsec_')) return gitlabSigned(headers, secret, body, nowS);
      const token = headers['x-gitlab-token'];
      if (token === undefined) return { ok: false, reason: 'missing X-Gitlab-Token' };
      if (!constantTimeEqual(token, secret)) return { ok: false, reason: 'X-Gitlab-Token does not match' };
      return {
        ok: true,
        deliveryId: headers['idempotency-key'] ?? headers['x-gitlab-webhook-uuid'] ?? headers['x-gitlab-event-uuid'],
      };
    }
  }
}
