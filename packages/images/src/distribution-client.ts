// A small OCI distribution client: pushes an image from the local store to a registry (blobs it
// lacks, then the manifest) and pulls one into the store, speaking the registry HTTP API through a
// RegistrySession (cluster token, Basic credentials or a Docker token challenge). Used by
// `wharf image` and by node agents.
import { isDigest } from './digest.js';
import { pickPlatform, type LayoutStore } from './layout.js';
import { parseManifest, type Descriptor, type Platform } from './oci.js';
import {
  RegistryClientError,
  RegistrySession,
  statusText,
  type Answer,
  type RegistryEndpoint,
} from './registry-session.js';

export { RegistryClientError, type RegistryCredentials, type RegistryEndpoint } from './registry-session.js';

function fail(a: Answer, what: string): never {
  throw new RegistryClientError(
    a.status,
    `${what}: registry answered ${statusText(a.status)}: ${a.body.toString('utf8').trim().slice(0, 300)}`,
  );
}

/** The descriptors a manifest or index refers to. */
function parts(
  bytes: Uint8Array,
  mediaType: string,
): { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] } {
  const p = parseManifest(bytes, mediaType);
  return p.kind === 'index'
    ? { manifests: p.manifest.manifests }
    : { config: p.manifest.config, layers: p.manifest.layers };
}

/** Every descriptor an image needs (index children, configs, layers), manifest last. */
async function closure(store: LayoutStore, desc: Descriptor, out: Descriptor[]): Promise<void> {
  const m = await store.getManifest(desc.digest, desc.mediaType);
  const parsed = parts(m.bytes, desc.mediaType);
  for (const child of parsed.manifests ?? []) await closure(store, child, out);
  if (parsed.config) out.push(parsed.config);
  for (const l of parsed.layers ?? []) out.push(l);
  out.push(desc);
}

const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** Pushes `localRef` from the store to `<repository>:<tag>` on the registry; returns the manifest digest. */
export async function pushImage(
  store: LayoutStore,
  localRef: string,
  ep: RegistryEndpoint,
  repository: string,
  tag: string,
): Promise<string> {
  const root = await store.lookup(localRef);
  if (!root) throw new RegistryClientError(404, `image ${localRef} is not in the local store`);
  const s = new RegistrySession(ep, `repository:${repository}:pull,push`);
  const call = s.call.bind(s);
  const all: Descriptor[] = [];
  await closure(store, root, all);
  for (const d of all) {
    const isManifest = MANIFEST_TYPES.has(d.mediaType);
    if (isManifest) {
      const bytes = (await store.getManifest(d.digest, d.mediaType)).bytes;
      const ref = d.digest === root.digest ? tag : d.digest;
      const a = await call('PUT', `/v2/${repository}/manifests/${ref}`, bytes, { 'Content-Type': d.mediaType });
      if (a.status !== 201) fail(a, `push manifest ${d.digest}`);
      continue;
    }
    const head = await call('HEAD', `/v2/${repository}/blobs/${d.digest}`);
    if (head.status === 200) continue;
    const bytes = await store.readBlob(d.digest);
    const a = await call('POST', `/v2/${repository}/blobs/uploads/?digest=${encodeURIComponent(d.digest)}`, bytes, {
      'Content-Type': 'application/octet-stream',
    });
    if (a.status !== 201) fail(a, `push blob ${d.digest}`);
  }
  return root.digest;
}

/**
 * Pulls `<repository>:<reference>` into the store under `localRef`; returns the manifest digest.
 * With `platform`, only that platform's manifest of an index is fetched (the index is kept whole).
 */
export async function pullImage(
  store: LayoutStore,
  ep: RegistryEndpoint,
  repository: string,
  reference: string,
  localRef: string,
  opts: { platform?: Platform } = {},
): Promise<string> {
  const accept = [...MANIFEST_TYPES].join(', ');
  const s = new RegistrySession(ep, `repository:${repository}:pull`);
  const call = s.call.bind(s);
  const fetchManifest = async (ref: string): Promise<Descriptor> => {
    const a = await call('GET', `/v2/${repository}/manifests/${ref}`, undefined, { Accept: accept });
    if (a.status !== 200) fail(a, `pull manifest ${repository}:${ref}`);
    const mediaType =
      String(a.headers['content-type'] ?? 'application/vnd.oci.image.manifest.v1+json').split(';')[0] ?? '';
    const parsed = parts(a.body, mediaType);
    const children =
      parsed.manifests && opts.platform
        ? [pickPlatform(parsed.manifests, opts.platform)].filter((d) => d !== undefined)
        : (parsed.manifests ?? []);
    for (const child of children) await fetchManifest(child.digest);
    for (const d of [...(parsed.config ? [parsed.config] : []), ...(parsed.layers ?? [])]) {
      if (await store.hasBlob(d.digest)) continue;
      const b = await call('GET', `/v2/${repository}/blobs/${d.digest}`);
      if (b.status !== 200) fail(b, `pull blob ${d.digest}`);
      await store.putBlob(b.body, { digest: d.digest, size: d.size });
    }
    const desc = await store.putManifest(a.body, { mediaType });
    if (isDigest(ref) && desc.digest !== ref)
      throw new RegistryClientError(
        502,
        `pull manifest ${repository}@${ref}: the registry sent a manifest with digest ${desc.digest}`,
      );
    return desc;
  };
  const desc = await fetchManifest(reference);
  await store.tag(localRef, desc);
  return desc.digest;
}

/** Repositories and their tags on the registry. */
export async function listRemote(ep: RegistryEndpoint): Promise<{ repository: string; tags: string[] }[]> {
  const s = new RegistrySession(ep, 'registry:catalog:*');
  const call = s.call.bind(s);
  const cat = await call('GET', '/v2/_catalog?n=1000');
  if (cat.status !== 200) fail(cat, 'list repositories');
  const repos = (JSON.parse(cat.body.toString('utf8')) as { repositories?: string[] }).repositories ?? [];
  const out: { repository: string; tags: string[] }[] = [];
  for (const repository of repos) {
    const t = await call('GET', `/v2/${repository}/tags/list?n=1000`);
    if (t.status !== 200) continue;
    out.push({ repository, tags: (JSON.parse(t.body.toString('utf8')) as { tags?: string[] }).tags ?? [] });
  }
  return out;
}

/** Deletes a tag's manifest from the registry. */
export async function deleteRemote(ep: RegistryEndpoint, repository: string, tag: string): Promise<void> {
  const s = new RegistrySession(ep, `repository:${repository}:delete`);
  const call = s.call.bind(s);
  const head = await call('HEAD', `/v2/${repository}/manifests/${tag}`, undefined, {
    Accept: [...MANIFEST_TYPES].join(', '),
  });
  if (head.status !== 200) fail(head, `find ${repository}:${tag}`);
  const digest = String(head.headers['docker-content-digest'] ?? '');
  const a = await call('DELETE', `/v2/${repository}/manifests/${digest}`);
  if (a.status !== 202) fail(a, `delete ${repository}:${tag}`);
}

/** The digest `<repository>:<reference>` resolves to on the registry (a HEAD, nothing pulled). */
export async function resolveRemote(ep: RegistryEndpoint, repository: string, reference: string): Promise<string> {
  const s = new RegistrySession(ep, `repository:${repository}:pull`);
  const a = await s.call('HEAD', `/v2/${repository}/manifests/${reference}`, undefined, {
    Accept: [...MANIFEST_TYPES].join(', '),
  });
  if (a.status !== 200) fail(a, `resolve ${repository}:${reference}`);
  const digest = String(a.headers['docker-content-digest'] ?? '');
  if (!isDigest(digest))
    throw new RegistryClientError(
      502,
      `resolve ${repository}:${reference}: the registry sent no Docker-Content-Digest`,
    );
  return digest;
}
