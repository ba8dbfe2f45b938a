// The thin-image step: one directory's files as a `FROM scratch` image (one reproducible layer,
// no shell, no base), with the OCI annotations that say where it came from. No daemon, no root:
// files are read as they are, owned by 0:0 in the image, mtimes fixed.
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError } from './errors.js';
import { buildLayer, type LayerEntry } from './layer-builder.js';
import { describeJson, hostPlatform, type LayoutStore } from './layout.js';
import { MediaType, type ImageConfig, type ImageManifest } from './oci.js';
import { REPOSITORY_RE, TAG_RE } from './reference.js';

export interface PackOptions {
  /** The directory whose contents become the image's root (or `prefix` inside it). */
  readonly dir: string;
  readonly name: string;
  /** @default 'latest' */
  readonly tag?: string;
  /** Where the files go in the image, e.g. `app` for /app. @default the root */
  readonly prefix?: string;
  /** org.opencontainers.image.* and any other annotations, on the manifest and as config labels. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Seconds since the epoch for every mtime. @default 0 */
  readonly mtime?: number;
  /** @default the host's */
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string };
  /**
   * An image of the store to put the files on (FROM base + COPY): its layers, env, entrypoint and
   * cmd are kept. For step images (a runtime plus a program), not for artifacts. @default FROM scratch
   */
  readonly from?: string;
}

export interface PackResult {
  readonly reference: string;
  readonly digest: string;
  readonly files: number;
  readonly layerBytes: number;
}

async function walk(dir: string, rel: string, out: LayerEntry[]): Promise<void> {
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const full = join(dir, path);
    const st = await lstat(full);
    const base = { path, mode: st.mode & 0o7777, uid: 0, gid: 0 };
    if (st.isDirectory()) {
      out.push({ ...base, type: 'dir' });
      await walk(dir, path, out);
    } else if (st.isFile()) out.push({ ...base, type: 'file', size: st.size, source: full });
    else if (st.isSymbolicLink()) out.push({ ...base, type: 'symlink', linkname: await readlink(full) });
    else throw new ImageError(`${full}: only files, directories and symlinks can be packed`);
  }
}

export async function packDirectory(store: LayoutStore, o: PackOptions): Promise<PackResult> {
  const tag = o.tag ?? 'latest';
  if (!REPOSITORY_RE.test(o.name)) throw new ImageError(`name: "${o.name}" is not a valid repository name`);
  if (!TAG_RE.test(tag)) throw new ImageError(`tag: "${tag}" is not a valid tag`);
  const st = await lstat(o.dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new ImageError(`${o.dir} is not a directory`);
  const entries: LayerEntry[] = [];
  await walk(o.dir, '', entries);
  const prefix = (o.prefix ?? '').split('/').filter(Boolean).join('/');
  const placed = prefix ? entries.map((e) => ({ ...e, path: `${prefix}/${e.path}` })) : entries;
  await store.init();
  const layer = await buildLayer(placed, store.blobs, { compression: 'gzip', mtime: o.mtime ?? 0 });
  const platform = o.platform ?? hostPlatform();
  const base = o.from ? await store.resolve(o.from, platform) : undefined;
  const annotations = { ...o.annotations };
  const created = annotations['org.opencontainers.image.created'] ?? new Date((o.mtime ?? 0) * 1000).toISOString();
  const config: ImageConfig = {
    created,
    os: platform.os,
    architecture: platform.architecture,
    ...(platform.variant && { variant: platform.variant }),
    config: { ...base?.config.config, Labels: { ...base?.config.config?.Labels, ...annotations } },
    rootfs: { type: 'layers', diff_ids: [...(base?.config.rootfs.diff_ids ?? []), layer.diffId] },
    history: [
      ...(base?.config.history ?? []),
      {
        created,
        created_by: `wharf image pack${prefix ? ` --prefix ${prefix}` : ''}${o.from ? ` --from ${o.from}` : ''}`,
      },
    ],
  };
  const cfg = describeJson(MediaType.config, config);
  await store.putBlob(cfg.bytes, { digest: cfg.descriptor.digest });
  const layers = [...(base?.manifest.layers ?? []), layer.descriptor];
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.manifest,
    config: cfg.descriptor,
    layers,
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
  const reference = `${o.name}:${tag}`;
  const descriptor = await store.putManifest(manifest, { ref: reference });
  return {
    reference,
    digest: descriptor.digest,
    files: entries.filter((e) => e.type === 'file').length,
    layerBytes: layer.descriptor.size,
  };
}
