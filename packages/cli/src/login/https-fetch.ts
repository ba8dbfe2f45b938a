// openid-client's fetch, with the issuer's CA bundle: node's global fetch cannot be given a CA
// without undici's Agent, so requests to an issuer with a private CA (--certificate-authority)
// go through node:https, which can.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CustomFetch } from 'openid-client';

/** A fetch that trusts the CAs in `caFile` (and only those) for https URLs. */
export function fetchWithCa(caFile: string): CustomFetch {
  const ca = readFileSync(caFile, 'utf8');
  return (url, options) =>
    new Promise<Response>((resolve, reject) => {
      const u = new URL(url);
      const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(u, { method: options.method, headers: options.headers, ca, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) headers.append(k, one);
          const status = res.statusCode ?? 500;
          // Response refuses a body for these statuses.
          const body = [204, 205, 304].includes(status) ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, headers }));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${u.origin}: timed out`)));
      req.on('error', reject);
      options.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')));
      req.end(bodyOf(options.body));
    });
}

/** openid-client sends strings, forms (URLSearchParams) and bytes. */
function bodyOf(b: unknown): string | Buffer | undefined {
  if (b === undefined || b === null) return undefined;
  if (typeof b === 'string') return b;
  if (b instanceof URLSearchParams) return b.toString();
  if (b instanceof ArrayBuffer || ArrayBuffer.isView(b))
    return Buffer.from(b instanceof ArrayBuffer ? b : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  throw new Error(`cannot send a request body of type ${typeof b}`);
}
