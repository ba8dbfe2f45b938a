// `importArchive(file)`: OCI image layout tars (skopeo `oci-archive:`, `docker save` since 25) and
// docker-archive tars (manifest.json + config + layer tars). Docker archives are converted to OCI:
// the config is kept byte for byte, layers keep their bytes (plain tar, or gzip if compressed), and
// an OCI manifest is written. Every blob is verified; DiffIDs are checked against the config.
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar';
import type { BlobInfo } from './blob-store.js';
import { Digester } from './digest.js';
import { DigestMismatchError, ImageError, InvalidManifestError } from './errors.js';
import {
  MediaType,
  REF_NAME_ANNOTATION,
  checkDescriptor,
  parseConfig,
  type Descriptor,
  type ImageManifest,
} from './oci.js';
import { TAG_RE, formatReference } from './reference.js';
import type { LayoutStore } from './layout.js';

export interface ImportOptions {
  /**
   * Repository for images whose archive names only a tag (`ref.name: "latest"`) or nothing at all.
   * @default undefined: such images are imported untagged (and collected by the next gc).
   */
  readonly name?: string;
}

/** One image an archive held. */
export interface ImportedImage {
  /** The reference it was tagged with, if any. */
  readonly ref?: string;
  readonly descriptor: Descriptor;
}

const CONTAINERD_NAME = 'io.containerd.image.name';

interface DockerArchiveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** Imports every image in an OCI-layout or docker-archive tar (gzip-compressed or not). */
export async function importArchive(
  store: LayoutStore,
  file: string,
  opts: ImportOptions = {},
): Promise<ImportedImage[]> {
  await store.init();
  const dir = await mkdtemp(join(tmpdir(), 'wharf-import-'));
  try {
    await extract({ file, cwd: dir, strict: true, preservePaths: false });
    const has = async (p: string): Promise<boolean> =>
      stat(join(dir, p)).then(
        () => true,
        () => false,
      );
    if ((await has('oci-layout')) && (await has('index.json'))) return await importLayout(store, dir, opts);
    if (await has('manifest.json')) return await importDockerArchive(store, dir, opts);
    throw new InvalidManifestError(
      `${file}: neither an OCI layout (oci-layout, index.json) nor a docker archive (manifest.json)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function importLayout(store: LayoutStore, dir: string, opts: ImportOptions): Promise<ImportedImage[]> {
  const blobsDir = join(dir, 'blobs');
  for (const alg of await readdir(blobsDir).catch(() => [] as string[])) {
    for (const hex of await readdir(join(blobsDir, alg))) {
      await store.blobs.ingestFile(join(blobsDir, alg, hex), { digest: `${alg}:${hex}` });
    }
  }
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests?: unknown };
  if (!Array.isArray(index.manifests)) throw new InvalidManifestError('index.json: manifests must be an array');
  const out: ImportedImage[] = [];
  for (const [i, raw] of index.manifests.entries()) {
    const d = checkDescriptor(raw, `index.json manifests[${i}]`);
    const { annotations: _a, ...bare } = d;
    const descriptor = await store.putManifest(await store.readBlob(d.digest), { mediaType: d.mediaType });
    if (descriptor.digest !== d.digest) throw new DigestMismatchError(d.digest, descriptor.digest, 'manifest');
    const ref = layoutRef(d.annotations ?? {}, opts);
    if (ref !== undefined) await store.tag(ref, bare);
    out.push({ ...(ref !== undefined && { ref: formatReference(store.parse(ref)) }), descriptor: bare });
  }
  return out;
}

/** The reference an index.json entry names: a full name, or a bare tag joined to a repository. */
function layoutRef(ann: Record<string, string>, opts: ImportOptions): string | undefined {
  const refName = ann[REF_NAME_ANNOTATION];
  const containerd = ann[CONTAINERD_NAME];
  if (refName !== undefined && TAG_RE.test(refName) && !refName.includes(':')) {
    if (opts.name !== undefined) return `${opts.name}:${refName}`;
    if (containerd !== undefined) return containerd;
    return refName;
  }
  if (refName !== undefined) return refName;
  if (containerd !== undefined) return containerd;
  return opts.name;
}

/** Resolves an archive member path, refusing anything outside the extraction directory. */
function member(dir: string, p: string): string {
  const full = resolve(dir, p);
  if (!full.startsWith(dir + sep)) throw new ImageError(`archive member ${p} is outside the archive`);
  return full;
}

async function importDockerArchive(store: LayoutStore, dir: string, opts: ImportOptions): Promise<ImportedImage[]> {
  const entries = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as DockerArchiveEntry[];
  if (!Array.isArray(entries)) throw new InvalidManifestError('manifest.json: must be an array');
  const ingested = new Map<string, { info: BlobInfo; diffId: string; gzip: boolean }>();
  const out: ImportedImage[] = [];
  for (const [i, e] of entries.entries()) {
    if (typeof e.Config !== 'string' || !Array.isArray(e.Layers))
      throw new InvalidManifestError(`manifest.json[${i}]: needs Config and Layers`);
    const configBytes = await readFile(member(dir, e.Config));
    const config = parseConfig(configBytes);
    const configInfo = await store.putBlob(configBytes);
    const layers: Descriptor[] = [];
    for (const [j, layerPath] of e.Layers.entries()) {
      const path = member(dir, layerPath);
      let layer = ingested.get(path);
      if (!layer) {
        const { diffId, gzip } = await layerDiffId(path);
        layer = { info: await store.blobs.ingestFile(path), diffId, gzip };
        ingested.set(path, layer);
      }
      const expected = config.rootfs.diff_ids[j];
      if (expected !== layer.diffId)
        throw new DigestMismatchError(
          expected ?? '(none)',
          layer.diffId,
          `manifest.json[${i}] layer ${j} (${layerPath}) DiffID`,
        );
      layers.push({
        mediaType: layer.gzip ? MediaType.layerGzip : MediaType.layer,
        digest: layer.info.digest,
        size: layer.info.size,
      });
    }
    if (config.rootfs.diff_ids.length !== layers.length)
      throw new InvalidManifestError(
        `manifest.json[${i}]: ${layers.length} layers but ${config.rootfs.diff_ids.length} diff_ids`,
      );
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      config: { mediaType: MediaType.config, digest: configInfo.digest, size: configInfo.size },
      layers,
    };
    const descriptor = await store.putManifest(manifest);
    const tags = e.RepoTags?.length ? e.RepoTags : opts.name !== undefined ? [`${opts.name}:latest`] : [];
    if (tags.length === 0) out.push({ descriptor });
    for (const t of tags) {
      await store.tag(t, descriptor);
      out.push({ ref: formatReference(store.parse(t)), descriptor });
    }
  }
  return out;
}

/** DiffID of a layer file (sha256 of its uncompressed tar) and whether it is gzip-compressed. */
async function layerDiffId(path: string): Promise<{ diffId: string; gzip: boolean }> {
  const head: Buffer[] = [];
  for await (const c of createReadStream(path, { start: 0, end: 1 })) head.push(c as Buffer);
  const magic = Buffer.concat(head);
  const gzip = magic.length === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  const d = new Digester();
  const src = createReadStream(path);
  for await (const c of gzip ? src.pipe(createGunzip()) : src) d.update(c as Buffer);
  return { diffId: d.digest(), gzip };
}
