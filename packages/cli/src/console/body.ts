// Request bodies of the console server's own endpoints (sign-in, silences, the upgrade): read
// whole but only up to a limit each endpoint sets, so a client cannot make the server buffer
// without bound. Each endpoint words its own answers; this only tells it what went wrong.
import { Buffer } from 'node:buffer';

/** The body was longer than the endpoint's limit (413) or was not JSON (400). */
export class RequestBodyError extends Error {
  constructor(readonly status: 413 | 400) {
    super(status === 413 ? 'the request body is too large' : 'the request body is not JSON');
    this.name = 'RequestBodyError';
  }
}

/**
 * The body as UTF-8 text, at most `limit` bytes; undefined when it is longer (reading stops
 * there). Decoded once at the end, so a character split between two chunks stays whole.
 */
export async function readBodyText(body: AsyncIterable<unknown>, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > limit) return undefined;
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body parsed as JSON, at most `limit` bytes; a RequestBodyError otherwise. */
export async function readJsonBody(body: AsyncIterable<unknown>, limit: number): Promise<unknown> {
  const text = await readBodyText(body, limit);
  if (text === undefined) throw new RequestBodyError(413);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RequestBodyError(400);
  }
}
