// The layout half of the image store: an OCI image layout on disk (`oci-layout`, `index.json`,
// `blobs/sha256/…`) with blobs, manifests, refs and garbage collection.
// Refs live in index.json as descriptors annotated `org.opencontainers.image.ref.name` with the
// full reference (`busybox:1`, `localhost:5000/team/app:v2`, `app@sha256:…`), so skopeo and other
// OCI tools read the store as `oci:<root>:<ref>`. Everything else derives from the blobs.
import { mkdir, readFile, rename, rm, writeFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { BlobStore, type BlobExpectation, type BlobInfo, type BlobSource } from './blob-store.js';
import { sha256 } from './digest.js';
import { BlobNotFoundError, ImageNotFoundError, InvalidManifestError } from './errors.js';
import {
  MediaType,
  REF_NAME_ANNOTATION,
  canonicalJson,
  isIndexMediaType,
  parseConfig,
  parseManifest,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type ParsedManifest,
  type Platform,
} from './oci.js';
import {
  formatReference,
  parseReference,
  refName,
  type ImageReference,
  type ParseReferenceOptions,
} from './reference.js';

export interface LayoutStoreOptions {
  /** Directory of the OCI layout; created on first use. */
  readonly root: string;
  /** Hosts that mean the built-in registry in references. @default [] */
  readonly builtinHosts?: readonly string[];
}

/** One ref in the store. */
export interface StoredImage {
  /** The full reference as stored, e.g. `busybox:1`. */
  readonly ref: string;
  readonly descriptor: Descriptor;
}

/** A reference resolved down to one platform's manifest and config. */
export interface ResolvedImage {
  readonly reference: ImageReference;
  /** The descriptor the reference points at (may be an index). */
  readonly descriptor: Descriptor;
  /** The platform-specific image manifest's descriptor. */
  readonly manifestDescriptor: Descriptor;
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
}

/** Result of garbage collection. */
export interface GcResult {
  readonly removed: string[];
  readonly freedBytes: number;
}

const NODE_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** The platform of this machine, in OCI terms. */
export function hostPlatform(): Platform {
  return { os: 'linux', architecture: NODE_ARCH[process.arch] ?? process.arch };
}

interface LayoutIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
}

export class LayoutStore {
  readonly root: string;
  readonly blobs: BlobStore;
  private readonly refOpts: ParseReferenceOptions;
  private ready: Promise<void> | undefined;
  private indexLock: Promise<unknown> = Promise.resolve();

  constructor(opts: LayoutStoreOptions) {
    this.root = opts.root;
    this.blobs = new BlobStore({ root: opts.root });
    this.refOpts = { builtinHosts: opts.builtinHosts ?? [] };
  }

  /** Creates the layout files if missing; every public method calls it. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true });
      const layout = join(this.root, 'oci-layout');
      try {
        await stat(layout);
      } catch {
        await writeFile(layout, JSON.stringify({ imageLayoutVersion: '1.0.0' }));
      }
      try {
        await stat(join(this.root, 'index.json'));
      } catch {
        await this.writeIndex({ schemaVersion: 2, mediaType: MediaType.index, manifests: [] });
      }
    })();
    return this.ready;
  }

  /** Parses a reference with this store's rules. */
  parse(reference: string): ImageReference {
    return parseReference(reference, this.refOpts);
  }

  // ---- blobs

  async putBlob(source: BlobSource, expect?: BlobExpectation): Promise<BlobInfo> {
    await this.init();
    return this.blobs.put(source, expect);
  }

  async getBlob(digest: string, range?: { start: number; end: number }): ReturnType<BlobStore['open']> {
    return this.blobs.open(digest, range);
  }

  async readBlob(digest: string): Promise<Buffer> {
    return this.blobs.read(digest);
  }

  async hasBlob(digest: string): Promise<boolean> {
    return this.blobs.has(digest);
  }

  // ---- manifests and indexes

  /**
   * Stores a manifest or index after checking its structure and that every blob an image manifest
   * references (config, layers) is present; an index may name platforms the store lacks. Optionally
   * tags it. Answers its descriptor.
   */
  async putManifest(
    content: ImageManifest | ImageIndex | Uint8Array,
    opts: { mediaType?: string; ref?: string } = {},
  ): Promise<Descriptor> {
    await this.init();
    const bytes = content instanceof Uint8Array ? Buffer.from(content) : canonicalJson(content);
    const parsed = parseManifest(bytes, opts.mediaType);
    const children = parsed.kind === 'manifest' ? [parsed.manifest.config, ...parsed.manifest.layers] : [];
    for (const d of children) {
      if (!(await this.blobs.has(d.digest))) throw new BlobNotFoundError(d.digest);
    }
    const info = await this.blobs.put(bytes);
    const descriptor: Descriptor = { mediaType: parsed.mediaType, digest: info.digest, size: info.size };
    if (parsed.manifest.artifactType) descriptor.artifactType = parsed.manifest.artifactType;
    if (opts.ref !== undefined) await this.tag(opts.ref, descriptor);
    return descriptor;
  }

  /** Reads and parses the manifest or index stored under a digest. */
  async getManifest(digest: string, mediaType?: string): Promise<ParsedManifest & { bytes: Buffer }> {
    const bytes = await this.blobs.read(digest);
    return { ...parseManifest(bytes, mediaType), bytes };
  }

  // ---- refs

  /** Points a reference (`name:tag` or `name@digest`) at a descriptor, replacing any previous one. */
  async tag(reference: string, descriptor: Descriptor): Promise<void> {
    const key = this.refKey(reference);
    if (!(await this.blobs.has(descriptor.digest))) throw new BlobNotFoundError(descriptor.digest);
    await this.withIndex((index) => {
      index.manifests = index.manifests.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] !== key);
      const { annotations: _drop, ...rest } = descriptor;
      index.manifests.push({ ...rest, annotations: { [REF_NAME_ANNOTATION]: key } });
      index.manifests.sort((a, b) =>
        cmp(a.annotations?.[REF_NAME_ANNOTATION] ?? '', b.annotations?.[REF_NAME_ANNOTATION] ?? ''),
      );
      return true;
    });
  }

  /** Removes a reference; answers whether it existed. Blobs stay until gc(). */
  async untag(reference: string): Promise<boolean> {
    const key = this.refKey(reference);
    let found = false;
    await this.withIndex((index) => {
      const before = index.manifests.length;
      index.manifests = index.manifests.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] !== key);
      found = index.manifests.length !== before;
      return found;
    });
    return found;
  }

  /** Every ref in the store, sorted by name. */
  async list(): Promise<StoredImage[]> {
    const index = await this.readIndex();
    return index.manifests
      .filter((d) => d.annotations?.[REF_NAME_ANNOTATION] !== undefined)
      .map((d) => ({ ref: d.annotations?.[REF_NAME_ANNOTATION] ?? '', descriptor: d }));
  }

  /** The descriptor a reference points at, or undefined. Digest references need the blob only. */
  async lookup(reference: string): Promise<Descriptor | undefined> {
    const r = this.parse(reference);
    if (r.digest !== undefined) {
      const index = await this.readIndex();
      const known = index.manifests.find((d) => d.digest === r.digest);
      if (known) return known;
      const size = await this.blobs.stat(r.digest);
      if (size === undefined) return undefined;
      const { mediaType } = await this.getManifest(r.digest).catch(() => ({ mediaType: undefined }));
      return mediaType ? { mediaType, digest: r.digest, size } : undefined;
    }
    const key = refName(r);
    const index = await this.readIndex();
    return index.manifests.find((d) => d.annotations?.[REF_NAME_ANNOTATION] === key);
  }

  /** Resolves a reference to one platform's manifest and config (default: this machine's). */
  async resolve(reference: string, platform: Platform = hostPlatform()): Promise<ResolvedImage> {
    const r = this.parse(reference);
    const descriptor = await this.lookup(reference);
    if (!descriptor) throw new ImageNotFoundError(formatReference(r));
    let current: Descriptor = descriptor;
    for (let depth = 0; depth < 4; depth++) {
      const parsed = await this.getManifest(current.digest, current.mediaType);
      if (parsed.kind === 'manifest') {
        const config = parseConfig(await this.blobs.read(parsed.manifest.config.digest));
        if (config.rootfs.diff_ids.length !== parsed.manifest.layers.length) {
          throw new InvalidManifestError(
            `${formatReference(r)}: ${parsed.manifest.layers.length} layers but ${config.rootfs.diff_ids.length} diff_ids`,
          );
        }
        return { reference: r, descriptor, manifestDescriptor: current, manifest: parsed.manifest, config };
      }
      const match = pickPlatform(parsed.manifest.manifests, platform);
      if (!match)
        throw new ImageNotFoundError(`${formatReference(r)} for platform ${platform.os}/${platform.architecture}`);
      current = match;
    }
    throw new InvalidManifestError(`${formatReference(r)}: indexes nested too deeply`);
  }

  // ---- garbage collection

  /**
   * Removes every blob not reachable from a ref (ref → index → manifest → config, layers), and
   * stale temp files. Blobs younger than `olderThanMs` survive, so a concurrent import whose
   * manifest is not tagged yet keeps its layers.
   */
  async gc(opts: { olderThanMs?: number } = {}): Promise<GcResult> {
    await this.init();
    const olderThan = opts.olderThanMs ?? 0;
    return this.withIndexRead(async (index) => {
      const live = new Set<string>();
      const walk = async (d: Descriptor): Promise<void> => {
        if (live.has(d.digest)) return;
        live.add(d.digest);
        if (
          !isIndexMediaType(d.mediaType) &&
          d.mediaType !== MediaType.manifest &&
          d.mediaType !== MediaType.dockerManifest
        )
          return;
        let parsed: ParsedManifest;
        try {
          parsed = await this.getManifest(d.digest, d.mediaType);
        } catch (e) {
          if (e instanceof BlobNotFoundError) return;
          throw e;
        }
        const children =
          parsed.kind === 'manifest' ? [parsed.manifest.config, ...parsed.manifest.layers] : parsed.manifest.manifests;
        for (const c of children) await walk(c);
      };
      for (const d of index.manifests) await walk(d);
      const now = Date.now();
      const removed: string[] = [];
      let freedBytes = 0;
      for await (const b of this.blobs.list()) {
        if (live.has(b.digest) || now - b.mtimeMs < olderThan) continue;
        await this.blobs.delete(b.digest);
        removed.push(b.digest);
        freedBytes += b.size;
      }
      const ingest = join(this.root, '.ingest');
      for (const f of await readdir(ingest).catch(() => [] as string[])) {
        const s = await stat(join(ingest, f)).catch(() => undefined);
        if (s && now - s.mtimeMs >= Math.max(olderThan, 60_000))
          await rm(join(ingest, f), { force: true, recursive: true });
      }
      return { removed, freedBytes };
    });
  }

  // ---- index.json

  private refKey(reference: string): string {
    const r = this.parse(reference);
    if (r.digest !== undefined && r.tag === undefined) return formatReference(r);
    const key = refName(r);
    if (key === undefined) throw new ImageNotFoundError(reference);
    return key;
  }

  private async readIndex(): Promise<LayoutIndex> {
    await this.init();
    const doc = JSON.parse(await readFile(join(this.root, 'index.json'), 'utf8')) as Partial<LayoutIndex>;
    if (doc.schemaVersion !== 2 || !Array.isArray(doc.manifests))
      throw new InvalidManifestError(`${join(this.root, 'index.json')}: not an OCI image index`);
    return { schemaVersion: 2, mediaType: doc.mediaType ?? MediaType.index, manifests: doc.manifests };
  }

  private async writeIndex(index: LayoutIndex): Promise<void> {
    const tmp = join(this.root, `index.json.${process.pid}.tmp`);
    await writeFile(tmp, JSON.stringify(index, null, 2));
    await rename(tmp, join(this.root, 'index.json'));
  }

  /** Read-modify-write of index.json under the store's lock; `change` answers whether to write. */
  private withIndex(change: (index: LayoutIndex) => boolean): Promise<void> {
    return this.withIndexRead(async (index) => {
      if (change(index)) await this.writeIndex(index);
    });
  }

  /**
   * Runs `fn` on index.json under the store's lock: a promise chain within this process, and a lock
   * directory beside the file (index.json.lock) across processes, since two `wharf image` commands
   * or a build beside `wharf up` share one store and a read-modify-write of each would lose the
   * other's tag.
   */
  private withIndexRead<T>(fn: (index: LayoutIndex) => Promise<T>): Promise<T> {
    const run = this.indexLock.then(async () => {
      await this.init();
      const release = await lock(join(this.root, 'index.json'), INDEX_LOCK);
      try {
        return await fn(await this.readIndex());
      } finally {
        await release();
      }
    });
    this.indexLock = run.catch(() => undefined);
    return run;
  }
}

/**
 * The cross-process lock on index.json: held for a read-modify-write (milliseconds, or a gc's walk),
 * retried for up to about 2 minutes; a holder that died is taken over after 10 s (the holder renews
 * it every 5 s).
 */
const INDEX_LOCK = {
  realpath: false,
  stale: 10_000,
  retries: { retries: 600, minTimeout: 20, maxTimeout: 200 },
  // Taken over as stale (this process stalled over 10 s): the write goes ahead rather than crash the process.
  onCompromised: (): void => undefined,
};

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Picks the index entry for a platform (variant compared only when both sides name one). */
export function pickPlatform(manifests: readonly Descriptor[], want: Platform): Descriptor | undefined {
  const candidates = manifests.filter(
    (d) => !d.platform || (d.platform.os === want.os && d.platform.architecture === want.architecture),
  );
  const exact = candidates.find(
    (d) => d.platform && (!want.variant || !d.platform.variant || d.platform.variant === want.variant),
  );
  return exact ?? candidates.find((d) => d.platform === undefined && d.artifactType === undefined);
}

/** sha256 digest and size of JSON as the store serialises it. */
export function describeJson(mediaType: string, value: unknown): { bytes: Buffer; descriptor: Descriptor } {
  const bytes = canonicalJson(value);
  return { bytes, descriptor: { mediaType, digest: sha256(bytes), size: bytes.length } };
}
