// A small OCI distribution client: pushes an image from the local store to a registry (blobs it
// lacks, then the manifest) and pulls one into the store, speaking the registry HTTP API with a
// bearer token. Used by `wharf image` and by node agents.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { LayoutStore } from './layout.js';
import { parseManifest, type Descriptor } from './oci.js';

export interface RegistryEndpoint {
  /** e.g. https://127.0.0.1:5000 */
  readonly url: string;
  /** Bearer token (cluster token); anonymous when absent. */
  readonly token?: string;
  /** CA certificate (PEM) the registry's certificate chains to. */
  readonly ca?: string;
}

/** A registry answered with an error. */
export class RegistryClientError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

function call(ep: RegistryEndpoint, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  const u = new URL(path, ep.url);
  const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
    method,
    ...(ep.ca ? { ca: ep.ca } : {}),
    headers: { ...(ep.token ? { Authorization: `Bearer ${ep.token}` } : {}), ...(body ? { 'Content-Length': String(body.length) } : {}), ...headers },
  });
  return new Promise((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function fail(a: Answer, what: string): never {
  throw new RegistryClientError(a.status, `${what}: registry answered ${a.status} ${a.body.toString('utf8').slice(0, 300)}`);
}

/** The descriptors a manifest or index refers to. */
function parts(bytes: Uint8Array, mediaType: string): { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] } {
  const p = parseManifest(bytes, mediaType);
  return p.kind === 'index' ? { manifests: p.manifest.manifests } : { config: p.manifest.config, layers: p.manifest.layers };
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
  'application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** Pushes `localRef` from the store to `<repository>:<tag>` on the registry; returns the manifest digest. */
export async function pushImage(store: LayoutStore, localRef: string, ep: RegistryEndpoint, repository: string, tag: string): Promise<string> {
  const root = await store.lookup(localRef);
  if (!root) throw new RegistryClientError(404, `image ${localRef} is not in the local store`);
  const all: Descriptor[] = [];
  await closure(store, root, all);
  for (const d of all) {
    const isManifest = MANIFEST_TYPES.has(d.mediaType);
    if (isManifest) {
      const bytes = (await store.getManifest(d.digest, d.mediaType)).bytes;
      const ref = d.digest === root.digest ? tag : d.digest;
      const a = await call(ep, 'PUT', `/v2/${repository}/manifests/${ref}`, bytes, { 'Content-Type': d.mediaType });
      if (a.status !== 201) fail(a, `push manifest ${d.digest}`);
      continue;
    }
    const head = await call(ep, 'HEAD', `/v2/${repository}/blobs/${d.digest}`);
    if (head.status === 200) continue;
    const bytes = await store.readBlob(d.digest);
    const a = await call(ep, 'POST', `/v2/${repository}/blobs/uploads/?digest=${encodeURIComponent(d.digest)}`, bytes, { 'Content-Type': 'application/octet-stream' });
    if (a.status !== 201) fail(a, `push blob ${d.digest}`);
  }
  return root.digest;
}

/** Pulls `<repository>:<reference>` into the store under `localRef`; returns the manifest digest. */
export async function pullImage(store: LayoutStore, ep: RegistryEndpoint, repository: string, reference: string, localRef: string): Promise<string> {
  const accept = [...MANIFEST_TYPES].join(', ');
  const fetchManifest = async (ref: string): Promise<Descriptor> => {
    const a = await call(ep, 'GET', `/v2/${repository}/manifests/${ref}`, undefined, { Accept: accept });
    if (a.status !== 200) fail(a, `pull manifest ${repository}:${ref}`);
    const mediaType = String(a.headers['content-type'] ?? 'application/vnd.oci.image.manifest.v1+json').split(';')[0] ?? '';
    const parsed = parts(a.body, mediaType);
    for (const child of parsed.manifests ?? []) await fetchManifest(child.digest);
    for (const d of [...(parsed.config ? [parsed.config] : []), ...(parsed.layers ?? [])]) {
      if (await store.hasBlob(d.digest)) continue;
      const b = await call(ep, 'GET', `/v2/${repository}/blobs/${d.digest}`);
      if (b.status !== 200) fail(b, `pull blob ${d.digest}`);
      await store.putBlob(b.body, { digest: d.digest, size: d.size });
    }
    return store.putManifest(a.body, { mediaType });
  };
  const desc = await fetchManifest(reference);
  await store.tag(localRef, desc);
  return desc.digest;
}

/** Repositories and their tags on the registry. */
export async function listRemote(ep: RegistryEndpoint): Promise<{ repository: string; tags: string[] }[]> {
  const cat = await call(ep, 'GET', '/v2/_catalog?n=1000');
  if (cat.status !== 200) fail(cat, 'list repositories');
  const repos = (JSON.parse(cat.body.toString('utf8')) as { repositories?: string[] }).repositories ?? [];
  const out: { repository: string; tags: string[] }[] = [];
  for (const repository of repos) {
    const t = await call(ep, 'GET', `/v2/${repository}/tags/list?n=1000`);
    if (t.status !== 200) continue;
    out.push({ repository, tags: (JSON.parse(t.body.toString('utf8')) as { tags?: string[] }).tags ?? [] });
  }
  return out;
}

/** Deletes a tag's manifest from the registry. */
export async function deleteRemote(ep: RegistryEndpoint, repository: string, tag: string): Promise<void> {
  const head = await call(ep, 'HEAD', `/v2/${repository}/manifests/${tag}`, undefined, { Accept: [...MANIFEST_TYPES].join(', ') });
  if (head.status !== 200) fail(head, `find ${repository}:${tag}`);
  const digest = String(head.headers['docker-content-digest'] ?? '');
  const a = await call(ep, 'DELETE', `/v2/${repository}/manifests/${digest}`);
  if (a.status !== 202) fail(a, `delete ${repository}:${tag}`);
}
