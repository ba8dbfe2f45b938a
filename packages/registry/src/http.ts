// Small HTTP helpers shared by the handlers: replies, bounded body reads, header parsing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegistryError } from './errors.js';

export type Headers = Record<string, string | number>;

export function reply(res: ServerResponse, status: number, headers: Headers = {}, body?: string | Buffer): void {
  const h: Headers = { ...headers };
  if (body !== undefined) h['Content-Length'] = Buffer.byteLength(body);
  else if (h['Content-Length'] === undefined) h['Content-Length'] = 0;
  res.writeHead(status, h);
  res.end(body);
}

export function replyJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Headers = {},
  head = false,
): void {
  const body = JSON.stringify(value);
  if (head)
    return reply(res, status, {
      'Content-Type': 'application/json',
      ...headers,
      'Content-Length': Buffer.byteLength(body),
    });
  reply(res, status, { 'Content-Type': 'application/json', ...headers }, body);
}

/** Reads a request body of at most `limit` bytes (413 SIZE_INVALID beyond). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit)
    throw new RegistryError(
      'SIZE_INVALID',
      `body of ${declared} bytes exceeds the ${limit}-byte limit`,
      undefined,
      413,
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new RegistryError('SIZE_INVALID', `body exceeds the ${limit}-byte limit`, undefined, 413);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses an upload's `Content-Range: <start>-<end>` (inclusive); undefined when absent. */
export function contentRange(req: IncomingMessage): { start: number; end: number } | undefined {
  const h = req.headers['content-range'];
  if (h === undefined) return undefined;
  const m = /^(?:bytes[= ])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(h.trim());
  if (!m) throw new RegistryError('BLOB_UPLOAD_INVALID', `Content-Range "${h}": want <start>-<end>`, undefined, 416);
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start)
    throw new RegistryError('BLOB_UPLOAD_INVALID', `Content-Range "${h}": end before start`, undefined, 416);
  return { start, end };
}

/** Parses a `Range: bytes=…` request header against a blob size; undefined means the whole blob. */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const unsatisfiable = new RegistryError(
    'BLOB_UNKNOWN',
    `range "${header}" not satisfiable for ${size} bytes`,
    undefined,
    416,
    { 'Content-Range': `bytes */${size}` },
  );
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) throw unsatisfiable;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw unsatisfiable;
    start = Math.max(size - suffix, 0);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) throw unsatisfiable;
  return { start, end };
}
