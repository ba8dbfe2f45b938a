// Manifest endpoints: GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference> (end-3, end-7, end-9),
// tag listing (end-8), referrers (end-12) and the catalog. A manifest may only reference blobs
// (image manifest) or manifests (index) the repository already holds.
import {
  Digester,
  MediaType,
  isDigestSyntax,
  parseDigest,
  parseManifest,
  type Descriptor,
  type ParsedManifest,
} from '@wharf/images';
import { checkDigest } from './blobs.js';
import type { Context } from './context.js';
import { RegistryError, toRegistryError } from './errors.js';
import { readBody, reply, replyJson } from './http.js';
import { TAG_RE } from './names.js';
import type { RegistryStorage } from './storage.js';

const isDigestRef = (ref: string): boolean => ref.includes(':');

function checkReference(ref: string): void {
  if (isDigestRef(ref)) checkDigest(ref, 'reference');
  else if (!TAG_RE.test(ref))
    throw new RegistryError('MANIFEST_INVALID', `reference "${ref}" is neither a tag nor a digest`, undefined, 400);
}

async function resolve(c: Context, ref: string): Promise<{ digest: string; mediaType: string }> {
  checkReference(ref);
  const digest = isDigestRef(ref) ? ref : await c.storage.tagDigest(c.name, ref);
  const mediaType = digest !== undefined ? await c.storage.manifestType(c.name, digest) : undefined;
  if (digest === undefined || mediaType === undefined) {
    if (!(await c.storage.repositoryExists(c.name)))
      throw new RegistryError('NAME_UNKNOWN', `repository ${c.name} not known to registry`, { name: c.name });
    throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${ref} unknown to repository ${c.name}`, {
      name: c.name,
      reference: ref,
    });
  }
  return { digest, mediaType };
}

export async function getManifest(c: Context, ref: string): Promise<void> {
  const { digest, mediaType } = await resolve(c, ref);
  const bytes = await c.storage.blobs.read(digest);
  const headers = { 'Content-Type': mediaType, 'Docker-Content-Digest': digest, ETag: `"${digest}"` };
  if (c.method === 'HEAD') return reply(c.res, 200, { ...headers, 'Content-Length': bytes.length });
  reply(c.res, 200, headers, bytes);
}

/** The descriptor a referrers list shows for a manifest. */
function referrerDescriptor(p: ParsedManifest, digest: string, size: number): Descriptor {
  const artifactType = p.manifest.artifactType ?? (p.kind === 'manifest' ? p.manifest.config.mediaType : undefined);
  return {
    mediaType: p.mediaType,
    digest,
    size,
    ...(artifactType !== undefined && { artifactType }),
    ...(p.manifest.annotations !== undefined && { annotations: p.manifest.annotations }),
  };
}

async function checkChildren(storage: RegistryStorage, name: string, p: ParsedManifest): Promise<void> {
  if (p.kind === 'manifest') {
    for (const d of [p.manifest.config, ...p.manifest.layers]) {
      if (!(await storage.blobLinked(name, d.digest)) || !(await storage.blobs.has(d.digest))) {
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob ${d.digest} unknown to repository ${name}`, {
          digest: d.digest,
        });
      }
    }
  } else {
    for (const d of p.manifest.manifests) {
      if ((await storage.manifestType(name, d.digest)) === undefined) {
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest ${d.digest} unknown to repository ${name}`, {
          digest: d.digest,
        });
      }
    }
  }
}

export async function putManifest(c: Context, ref: string): Promise<void> {
  checkReference(ref);
  const bytes = await readBody(c.req, c.maxManifestBytes);
  const contentType = c.req.headers['content-type'];
  let parsed: ParsedManifest;
  try {
    parsed = parseManifest(bytes, contentType);
  } catch (e) {
    throw toRegistryError(e) ?? e;
  }
  const d = new Digester(isDigestRef(ref) ? parseDigest(ref).algorithm : 'sha256');
  d.update(bytes);
  const digest = d.digest();
  if (isDigestRef(ref) && ref !== digest)
    throw new RegistryError('DIGEST_INVALID', `manifest digest ${digest} does not match reference ${ref}`);
  await checkChildren(c.storage, c.name, parsed);
  await c.storage.putManifest(c.name, digest, parsed.mediaType, bytes);
  if (!isDigestRef(ref)) await c.storage.setTag(c.name, ref, digest);
  const headers: Record<string, string> = {
    Location: `/v2/${c.name}/manifests/${digest}`,
    'Docker-Content-Digest': digest,
  };
  const subject = parsed.manifest.subject;
  if (subject) {
    await c.storage.addReferrer(c.name, subject.digest, referrerDescriptor(parsed, digest, bytes.length));
    headers['OCI-Subject'] = subject.digest;
  }
  reply(c.res, 201, headers);
}

export async function deleteManifest(c: Context, ref: string): Promise<void> {
  checkReference(ref);
  if (!isDigestRef(ref)) {
    if (!(await c.storage.deleteTag(c.name, ref)))
      throw new RegistryError('MANIFEST_UNKNOWN', `tag ${ref} unknown to repository ${c.name}`, { reference: ref });
    return reply(c.res, 202);
  }
  const { digest } = await resolve(c, ref);
  try {
    const parsed = parseManifest(await c.storage.blobs.read(digest));
    if (parsed.manifest.subject) await c.storage.removeReferrer(c.name, parsed.manifest.subject.digest, digest);
  } catch {
    // An unreadable manifest has no referrer entry to clean up.
  }
  await c.storage.deleteManifest(c.name, digest);
  reply(c.res, 202);
}

/** Parses the `n`/`last` paging parameters shared by tags and the catalog. */
function paging(url: URL): { n: number | undefined; last: string | undefined } {
  const rawN = url.searchParams.get('n');
  let n: number | undefined;
  if (rawN !== null && rawN !== '') {
    n = Number(rawN);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RegistryError('UNSUPPORTED', `n: "${rawN}" is not a non-negative integer`, undefined, 400);
  }
  return { n, last: url.searchParams.get('last') ?? undefined };
}

function page(all: string[], url: URL, base: string): { items: string[]; link?: string } {
  const { n, last } = paging(url);
  const after = last !== undefined ? all.filter((t) => t > last) : all;
  if (n === undefined || after.length <= n) return { items: after };
  const items = after.slice(0, n);
  const lastItem = items[items.length - 1];
  if (lastItem === undefined) return { items };
  return { items, link: `<${base}?n=${n}&last=${encodeURIComponent(lastItem)}>; rel="next"` };
}

export async function listTags(c: Context): Promise<void> {
  if (!(await c.storage.repositoryExists(c.name)))
    throw new RegistryError('NAME_UNKNOWN', `repository ${c.name} not known to registry`, { name: c.name });
  const { items, link } = page(await c.storage.tags(c.name), c.url, `/v2/${c.name}/tags/list`);
  replyJson(c.res, 200, { name: c.name, tags: items }, link ? { Link: link } : {}, c.method === 'HEAD');
}

export async function listCatalog(c: Omit<Context, 'name'>): Promise<void> {
  const { items, link } = page(await c.storage.repositories(), c.url, '/v2/_catalog');
  replyJson(c.res, 200, { repositories: items }, link ? { Link: link } : {}, c.method === 'HEAD');
}

export async function getReferrers(c: Context, rawDigest: string): Promise<void> {
  if (!isDigestSyntax(rawDigest))
    throw new RegistryError('DIGEST_INVALID', `digest "${rawDigest}" is not a valid digest`);
  const subject = checkDigest(rawDigest);
  if (!(await c.storage.repositoryExists(c.name)))
    throw new RegistryError('NAME_UNKNOWN', `repository ${c.name} not known to registry`, { name: c.name });
  let manifests = await c.storage.referrers(c.name, subject);
  const filter = c.url.searchParams.get('artifactType');
  const headers: Record<string, string> = { 'Content-Type': MediaType.index };
  if (filter !== null) {
    manifests = manifests.filter((d) => d.artifactType === filter);
    headers['OCI-Filters-Applied'] = 'artifactType';
  }
  const body = JSON.stringify({ schemaVersion: 2, mediaType: MediaType.index, manifests });
  if (c.method === 'HEAD') return reply(c.res, 200, { ...headers, 'Content-Length': Buffer.byteLength(body) });
  reply(c.res, 200, headers, body);
}
