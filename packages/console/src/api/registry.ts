// The built-in registry as the Images page reads it: its OCI distribution API (/v2, proxied
// same-origin by `wharf up` with the user's token), repositories, tags, each tag's manifest
// (digest, size, OCI annotations) and deleting a tag. Deleting needs RBAC `delete` on
// registry.wharf.dev `repositories` named by the repository, which the registry itself checks.
import { api, apiRaw } from './client.js';
import type { AccessQuery } from './access.js';

/** Manifest media types the page understands, for the Accept header (the registry answers what it stored). */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export const ANNOTATIONS = {
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  created: 'org.opencontainers.image.created',
  baseName: 'org.opencontainers.image.base.name',
  baseDigest: 'org.opencontainers.image.base.digest',
} as const;

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string };
}

/** An image manifest or an index, as the registry stores it. */
export interface Manifest {
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  annotations?: Record<string, string>;
}

export interface TagInfo {
  readonly tag: string;
  readonly digest: string;
  /** Bytes: the manifest, its config and its layers (an index: itself and the manifests it lists). */
  readonly size: number;
  readonly mediaType: string;
  readonly layers: number;
  /** Platforms of an index ("linux/amd64"); empty for a single image. */
  readonly platforms: string[];
  readonly annotations: Record<string, string>;
}

/** Path segments of a repository name ("team/web") kept as slashes: the registry routes by them. */
const repoPath = (repository: string): string => repository.split('/').map(encodeURIComponent).join('/');

/** What a manifest says about its tag: size, layers, platforms, annotations. */
export function summarize(tag: string, digest: string, manifestBytes: number, m: Manifest): TagInfo {
  const parts = [m.config, ...(m.layers ?? []), ...(m.manifests ?? [])];
  return {
    tag,
    digest,
    mediaType: m.mediaType ?? '',
    size: manifestBytes + parts.reduce((n, d) => n + (d?.size ?? 0), 0),
    layers: m.layers?.length ?? 0,
    platforms: (m.manifests ?? []).flatMap((d) =>
      d.platform?.os ? [`${d.platform.os}/${d.platform.architecture ?? '?'}`] : [],
    ),
    annotations: m.annotations ?? {},
  };
}

/** Bytes in the binary units `ls -h` and registries' UIs use: 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "sha256:0123456789ab…" → "sha256:0123456789ab" (12 hex digits, as docker shows image ids). */
export const shortDigest = (d: string): string => d.replace(/^(\w+:)([0-9a-f]{12})[0-9a-f]+$/, '$1$2');

export async function repositories(): Promise<string[]> {
  const r = await api<{ repositories?: string[] }>('/v2/_catalog');
  return [...(r.repositories ?? [])].sort();
}

export async function tags(repository: string): Promise<string[]> {
  const r = await api<{ tags?: string[] | null }>(`/v2/${repoPath(repository)}/tags/list`);
  return [...(r.tags ?? [])].sort();
}

export async function tagInfo(repository: string, tag: string): Promise<TagInfo> {
  const res = await apiRaw(`/v2/${repoPath(repository)}/manifests/${encodeURIComponent(tag)}`, {
    accept: MANIFEST_TYPES,
  });
  const text = await res.text();
  const m = JSON.parse(text) as Manifest;
  return summarize(tag, res.headers.get('docker-content-digest') ?? '', new TextEncoder().encode(text).length, {
    ...m,
    mediaType: m.mediaType ?? res.headers.get('content-type') ?? '',
  });
}

/** Deletes the tag only: the manifest stays while other tags or digests reference it (the registry's rule). */
export async function deleteTag(repository: string, tag: string): Promise<void> {
  await apiRaw(`/v2/${repoPath(repository)}/manifests/${encodeURIComponent(tag)}`, { method: 'DELETE' });
}

/** The access review the Delete button waits for; the same attributes the registry authorizes. */
export const deleteAccess = (repository: string): AccessQuery => ({
  verb: 'delete',
  group: 'registry.wharf.dev',
  resource: 'repositories',
  name: repository,
});
