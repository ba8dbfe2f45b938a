// A machine-wide cache of built base images. A build's bytes are a pure function of the resolved
// package closure, the build options and the builder's own code, so a second data dir asking for
// the same image gets them from here instead of downloading the .debs and compressing the layer
// again (about 12 s of CPU for Debian's nodejs, minutes for a JDK on this kind of machine). Keys
// hash the closure's exact versions, so an updated Debian package makes a new entry.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { DebPackage } from './apt.js';
import type { LayoutStore } from './layout.js';
import type { Descriptor, ImageManifest } from './oci.js';

/** What an entry holds besides the layer blob, enough to put the image back into a store. */
export interface CachedBuild {
  readonly config: string;
  readonly manifest: ImageManifest;
  readonly layer: Descriptor;
  readonly diffId: string;
}

/** Entries not used for this long are removed when a new one is written. */
const UNUSED_MS = 30 * 24 * 3600_000;
/** The modules whose code decides a build's bytes: a change to any of them is a new key. */
const BUILDER_MODULES = ['build-base.js', 'layer-builder.js', 'tar-writer.js', 'apt.js'];

/**
 * `WHARF_IMAGE_CACHE` (`off` disables it), else /var/cache/wharf/base-images for root and
 * `$XDG_CACHE_HOME/wharf/base-images` (or ~/.cache/…) for others.
 */
export function defaultBuildCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env.WHARF_IMAGE_CACHE;
  if (set === 'off') return undefined;
  if (set) return set;
  if (process.getuid?.() === 0) return '/var/cache/wharf/base-images';
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'wharf', 'base-images');
}

let builderHash: Promise<string> | undefined;

/** Hash of the builder's compiled code, read once per process. */
function builderFingerprint(): Promise<string> {
  builderHash ??= (async () => {
    const h = createHash('sha256');
    for (const m of BUILDER_MODULES)
      h.update(await readFile(fileURLToPath(new URL(`./${m}`, import.meta.url))).catch(() => Buffer.from(m)));
    return h.digest('hex');
  })();
  return builderHash;
}

/** The entry's key: the options that shape the bytes, the exact closure and the builder. */
export async function buildCacheKey(
  shape: unknown,
  packages: readonly DebPackage[],
  architecture: string,
): Promise<string> {
  const closure = packages.map((p) => `${p.name}=${p.version}:${p.arch}`);
  return createHash('sha256')
    .update(JSON.stringify({ shape, closure, architecture, builder: await builderFingerprint() }))
    .digest('hex');
}

/** Puts a cached build's blobs into `store` (untagged); undefined on a miss or a damaged entry. */
export async function loadCachedBuild(store: LayoutStore, dir: string, key: string): Promise<CachedBuild | undefined> {
  const entry = join(dir, key);
  let cached: CachedBuild;
  try {
    cached = JSON.parse(await readFile(join(entry, 'build.json'), 'utf8')) as CachedBuild;
    // The store checks the digest and size, so a truncated or altered layer is refused, not used.
    await store.putBlob(createReadStream(join(entry, 'layer')), {
      digest: cached.layer.digest,
      size: cached.layer.size,
    });
    await store.putBlob(Buffer.from(cached.config), { digest: cached.manifest.config.digest });
  } catch {
    return undefined;
  }
  const now = new Date();
  await utimes(join(entry, 'build.json'), now, now).catch(() => undefined);
  return cached;
}

/**
 * Saves a build; a failure to save is not the build's failure. Written to a temporary name and
 * renamed, so concurrent builds of the same image (two `wharf up` at once) never see a half entry.
 */
export async function saveCachedBuild(store: LayoutStore, dir: string, key: string, build: CachedBuild): Promise<void> {
  const tmp = join(dir, `.tmp-${key}-${process.pid}-${Date.now()}`);
  try {
    await mkdir(tmp, { recursive: true });
    await pipeline((await store.getBlob(build.layer.digest)).stream, createWriteStream(join(tmp, 'layer')));
    await writeFile(join(tmp, 'build.json'), JSON.stringify(build));
    await rename(tmp, join(dir, key)).catch(() => undefined); // ENOTEMPTY: another process saved it first
    await pruneUnused(dir);
  } catch {
    // a read-only or full cache dir: the next build builds again
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function pruneUnused(dir: string): Promise<void> {
  const cutoff = Date.now() - UNUSED_MS;
  for (const name of await readdir(dir)) {
    if (name.startsWith('.') || name === 'debs' || name === 'apt') continue;
    const used = await stat(join(dir, name, 'build.json')).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (used < cutoff) await rm(join(dir, name), { recursive: true, force: true });
  }
}
