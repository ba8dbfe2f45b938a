// Applies an image's layers, base first, to a directory: whiteouts (`.wh.<name>`) delete from
// lower layers, opaque markers (`.wh..wh..opq`) empty a directory of lower-layer content, and the
// sha256 of each uncompressed tar must equal config.rootfs.diff_ids[i]. On failure the directory
// is left partly written; the caller removes it.
import { createWriteStream } from 'node:fs';
import { chmod, lchown, link, lstat, mkdir, open, readdir, rm, symlink } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import type { BlobStore } from './blob-store.js';
import { Digester, parseDigest } from './digest.js';
import { DigestMismatchError, ImageError, UnsafeLayerError } from './errors.js';
import { MediaType, type Descriptor } from './oci.js';
import { components, resolveInRoot } from './safe-path.js';

export interface UnpackOptions {
  /** Set owners from the layer (needs root). @default true when running as root */
  readonly chown?: boolean;
}

export interface UnpackResult {
  /** DiffIDs computed while unpacking, one per layer. */
  readonly diffIds: string[];
  /** Entries that could not be created here (device nodes, FIFOs), as `layer:path`. */
  readonly skipped: string[];
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Unpacks layers into `dir` (created if missing), verifying each against its DiffID. */
export async function unpackLayers(
  blobs: BlobStore,
  layers: readonly Descriptor[],
  diffIds: readonly string[],
  dir: string,
  opts: UnpackOptions = {},
): Promise<UnpackResult> {
  if (layers.length !== diffIds.length) throw new ImageError(`${layers.length} layers but ${diffIds.length} diff_ids`);
  await mkdir(dir, { recursive: true });
  const chown = opts.chown ?? process.getuid?.() === 0;
  const result: UnpackResult = { diffIds: [], skipped: [] };
  for (const [i, layer] of layers.entries()) {
    const expected = diffIds[i] ?? '';
    const actual = await applyLayer(blobs, layer, dir, chown, (p) => result.skipped.push(`${i}:${p}`));
    if (actual !== expected) throw new DigestMismatchError(expected, actual, `layer ${i} (${layer.digest}) DiffID`);
    result.diffIds.push(actual);
  }
  return result;
}

/** Tees a stream into a digester. */
function hashing(d: Digester): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      d.update(chunk);
      cb(null, chunk);
    },
  });
}

/** The first four bytes of a file. */
async function magic(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Decompression for a layer, chosen by its magic bytes (media types lie in the wild). */
function decompressor(layer: Descriptor, first: Buffer): Transform | undefined {
  const gz = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  const zstd = first.length >= 4 && first.readUInt32LE(0) === 0xfd2fb528;
  if (zstd || layer.mediaType === MediaType.layerZstd)
    throw new ImageError(`layer ${layer.digest}: zstd layers are not supported`);
  if (gz) return createGunzip();
  return undefined;
}

async function applyLayer(
  blobs: BlobStore,
  layer: Descriptor,
  root: string,
  chown: boolean,
  skip: (p: string) => void,
): Promise<string> {
  const { stream } = await blobs.open(layer.digest);
  const blobDigest = new Digester(parseDigest(layer.digest).algorithm);
  const diff = new Digester('sha256');
  const created = new Set<string>();
  const dirModes: [string, number][] = [];
  let queue: Promise<void> = Promise.resolve();
  let failure: unknown;

  const parser = new Parser({
    noResume: true,
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      queue = queue.then(async () => {
        if (failure !== undefined) return void entry.resume();
        try {
          await applyEntry(entry, root, created, dirModes, chown, skip);
        } catch (e) {
          failure = e;
          entry.resume();
        }
      });
    },
  });
  parser.on('warn', (code: string, message: string | Error) => {
    if (code === 'TAR_ENTRY_INVALID' || code === 'TAR_ENTRY_ERROR')
      failure ??= new UnsafeLayerError(`layer ${layer.digest}: ${String(message)}`);
  });
  const parserDone = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });

  const decomp = decompressor(layer, await magic(blobs.path(layer.digest)));
  const hashed = stream.pipe(hashing(blobDigest));
  const plain = decomp ? hashed.pipe(decomp) : hashed;
  decomp?.on('error', (e) => (failure ??= new ImageError(`layer ${layer.digest}: ${e.message}`)));
  for await (const chunk of plain.pipe(hashing(diff))) {
    if (!parser.write(chunk as Buffer)) await once(parser, 'drain');
  }
  parser.end();
  await parserDone;
  await queue;
  if (failure !== undefined) throw failure;
  if (blobDigest.digest() !== layer.digest)
    throw new DigestMismatchError(layer.digest, blobDigest.digest(), `layer blob`);
  for (const [p, mode] of dirModes.reverse()) await chmod(p, mode);
  return diff.digest();
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function applyEntry(
  entry: ReadEntry,
  root: string,
  created: Set<string>,
  dirModes: [string, number][],
  chown: boolean,
  skip: (p: string) => void,
): Promise<void> {
  const rel = components(entry.path).join('/');
  if (components(entry.path).includes('..')) throw new UnsafeLayerError(`entry ${entry.path}: ".." in path`);
  const name = basename(rel);
  if (rel === '') {
    entry.resume();
    return;
  }
  if (name === OPAQUE) {
    entry.resume();
    const parent = await resolveInRoot(root, dirname(rel) === '.' ? '' : dirname(rel));
    const parentRel = dirname(rel) === '.' ? '' : dirname(rel);
    const dirPath = parent ?? root;
    for (const child of await readdir(dirPath).catch(() => [] as string[])) {
      const childRel = parentRel ? `${parentRel}/${child}` : child;
      if (!created.has(childRel)) await rm(join(dirPath, child), { recursive: true, force: true });
    }
    return;
  }
  if (name.startsWith(WHITEOUT)) {
    entry.resume();
    if (name.startsWith('.wh..wh.')) return;
    const targetRel = join(dirname(rel), name.slice(WHITEOUT.length));
    if (created.has(targetRel)) return;
    const target = await resolveInRoot(root, targetRel);
    if (target) await rm(target, { recursive: true, force: true });
    return;
  }
  const dest = await resolveInRoot(root, rel);
  if (!dest) {
    entry.resume();
    return;
  }
  await mkdir(dirname(dest), { recursive: true });
  const mode = (entry.mode ?? 0o644) & 0o7777;
  const existing = await lstat(dest).catch(() => undefined);
  created.add(rel);
  switch (entry.type) {
    case 'Directory': {
      entry.resume();
      if (existing && !existing.isDirectory()) await rm(dest, { recursive: true, force: true });
      if (!existing || !existing.isDirectory()) await mkdir(dest);
      if (chown) await lchown(dest, entry.uid ?? 0, entry.gid ?? 0);
      dirModes.push([dest, mode]);
      await chmod(dest, 0o700 | mode);
      return;
    }
    case 'File':
    case 'OldFile':
    case 'ContiguousFile': {
      if (existing) await rm(dest, { recursive: true, force: true });
      await pipeline(entry, createWriteStream(dest, { flags: 'wx', mode: 0o600 }));
      if (chown) await lchown(dest, entry.uid ?? 0, entry.gid ?? 0);
      await chmod(dest, mode);
      return;
    }
    case 'SymbolicLink': {
      entry.resume();
      if (existing) await rm(dest, { recursive: true, force: true });
      await symlink(entry.linkpath ?? '', dest);
      if (chown) await lchown(dest, entry.uid ?? 0, entry.gid ?? 0);
      return;
    }
    case 'Link': {
      entry.resume();
      const target = await resolveInRoot(root, entry.linkpath ?? '');
      if (!target || !(await exists(target)))
        throw new UnsafeLayerError(`hardlink ${rel} → ${entry.linkpath ?? ''}: target missing`);
      if (existing) await rm(dest, { recursive: true, force: true });
      await link(target, dest);
      return;
    }
    default:
      entry.resume();
      created.delete(rel);
      skip(rel);
  }
}
