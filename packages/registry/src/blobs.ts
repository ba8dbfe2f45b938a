// Blob endpoints: GET/HEAD/DELETE /v2/<name>/blobs/<digest> (end-2, end-10) and uploads
// (end-4a/4b POST, end-5 PATCH, end-6 PUT, end-11 mount, end-13 status, end-14 cancel).
import { pipeline } from 'node:stream/promises';
import { isDigestSyntax, parseDigest } from '@wharf/images';
import type { Context } from './context.js';
import { RegistryError } from './errors.js';
import { byteRange, contentRange, reply } from './http.js';
import { REPOSITORY_NAME_RE } from './names.js';
import { rangeHeaders } from './uploads.js';

/** Validates a digest from a path or query: DIGEST_INVALID when malformed, UNSUPPORTED algorithm likewise. */
export function checkDigest(d: string | null | undefined, what = 'digest'): string {
  if (!d) throw new RegistryError('DIGEST_INVALID', `${what} is required`);
  if (!isDigestSyntax(d)) throw new RegistryError('DIGEST_INVALID', `${what} "${d}" is not a valid digest`);
  try {
    parseDigest(d);
  } catch (e) {
    throw new RegistryError('DIGEST_INVALID', (e as Error).message);
  }
  return d;
}

const blobLocation = (name: string, digest: string): string => `/v2/${name}/blobs/${digest}`;
const uploadLocation = (name: string, id: string): string => `/v2/${name}/blobs/uploads/${id}`;

export async function getBlob(c: Context, rawDigest: string): Promise<void> {
  const digest = checkDigest(rawDigest);
  const size = await c.storage.blobSize(c.name, digest);
  if (size === undefined)
    throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} unknown to repository ${c.name}`, { digest });
  const range = byteRange(c.req.headers.range, size);
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
  };
  if (c.method === 'HEAD') return reply(c.res, 200, { ...headers, 'Content-Length': size });
  const { stream } = await c.storage.blobs.open(digest, range);
  if (range)
    c.res.writeHead(206, {
      ...headers,
      'Content-Length': range.end - range.start + 1,
      'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
    });
  else c.res.writeHead(200, { ...headers, 'Content-Length': size });
  await pipeline(stream, c.res);
}

export async function deleteBlob(c: Context, rawDigest: string): Promise<void> {
  const digest = checkDigest(rawDigest);
  if (!(await c.storage.unlinkBlob(c.name, digest)))
    throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} unknown to repository ${c.name}`, { digest });
  reply(c.res, 202, { 'Docker-Content-Digest': digest });
}

/** POST /v2/<name>/blobs/uploads/ — new session, one-request upload, or cross-repository mount. */
export async function startUpload(c: Context): Promise<void> {
  const mount = c.url.searchParams.get('mount');
  if (mount !== null) {
    const digest = checkDigest(mount, 'mount');
    const from = c.url.searchParams.get('from');
    if (from !== null && !REPOSITORY_NAME_RE.test(from))
      throw new RegistryError('NAME_INVALID', `from: invalid repository name "${from}"`);
    const available = from !== null ? await c.storage.blobLinked(from, digest) : await c.storage.blobs.has(digest);
    if (available && (await c.storage.blobs.has(digest))) {
      await c.storage.linkBlob(c.name, digest);
      c.req.resume();
      return reply(c.res, 201, { Location: blobLocation(c.name, digest), 'Docker-Content-Digest': digest });
    }
  }
  const single = c.url.searchParams.get('digest');
  if (single !== null && mount === null) {
    const digest = checkDigest(single);
    const len = c.req.headers['content-length'];
    const info = await c.storage.blobs.put(c.req, { digest, ...(len !== undefined && { size: Number(len) }) });
    await c.storage.linkBlob(c.name, info.digest);
    return reply(c.res, 201, { Location: blobLocation(c.name, info.digest), 'Docker-Content-Digest': info.digest });
  }
  c.req.resume();
  const id = await c.uploads.create(c.name);
  reply(c.res, 202, {
    Location: uploadLocation(c.name, id),
    ...rangeHeaders({ id, offset: 0 }),
    'OCI-Chunk-Min-Length': 0,
  });
}

/** PATCH <location> — append a chunk (Content-Range) or stream the whole blob. */
export async function patchUpload(c: Context, id: string): Promise<void> {
  const range = contentRange(c.req);
  await c.uploads.locked(c.name, id, async (s) => {
    await c.uploads.append(s, c.req, range);
    reply(c.res, 202, { Location: uploadLocation(c.name, id), ...rangeHeaders(s) });
  });
}

/** PUT <location>?digest= — optional last chunk, then verify and commit. */
export async function finishUpload(c: Context, id: string): Promise<void> {
  const range = contentRange(c.req);
  await c.uploads.locked(c.name, id, async (s) => {
    const digest = checkDigest(c.url.searchParams.get('digest'));
    await c.uploads.append(s, c.req, range);
    const info = await c.uploads.finish(s, digest);
    await c.storage.linkBlob(c.name, info.digest);
    reply(c.res, 201, { Location: blobLocation(c.name, info.digest), 'Docker-Content-Digest': info.digest });
  });
}

export async function uploadStatus(c: Context, id: string): Promise<void> {
  const s = await c.uploads.get(c.name, id);
  reply(c.res, 204, { Location: uploadLocation(c.name, id), ...rangeHeaders(s) });
}

export async function cancelUpload(c: Context, id: string): Promise<void> {
  await c.uploads.locked(c.name, id, (s) => c.uploads.cancel(s));
  reply(c.res, 204);
}
