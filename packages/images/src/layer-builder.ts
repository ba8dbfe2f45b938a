// Writes a set of entries as one reproducible layer: entries sorted by path (byte order), parent
// directories implied, every mtime the same, hardlinks always after their target, gzip with a fixed
// level and a header without name or mtime. Same entries → same DiffID → same blob digest (for
// the same zlib build).
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { BlobStore } from './blob-store.js';
import { Digester } from './digest.js';
import { ImageError } from './errors.js';
import { MediaType, type Descriptor } from './oci.js';
import { padding, tarEnd, tarHeader, type TarEntry } from './tar-writer.js';

/** An entry to write; files take their content from `source` (a host path) or `content`. */
export interface LayerEntry extends TarEntry {
  readonly source?: string;
  readonly content?: Buffer;
}

export interface BuildLayerOptions {
  /** @default 'gzip' */
  readonly compression?: 'gzip' | 'none';
  /** Seconds since the epoch put in every header. @default 0 */
  readonly mtime?: number;
}

export interface BuiltLayer {
  readonly descriptor: Descriptor;
  readonly diffId: string;
}

const byteCmp = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Normalises paths, adds implied parent directories and sorts; later duplicates win. */
export function normaliseEntries(entries: Iterable<LayerEntry>): LayerEntry[] {
  const map = new Map<string, LayerEntry>();
  for (const e of entries) {
    const path = e.path
      .split('/')
      .filter((c) => c !== '' && c !== '.')
      .join('/');
    if (path === '' || path.split('/').includes('..')) continue;
    map.set(path, { ...e, path });
  }
  for (const path of [...map.keys()]) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!map.has(parent)) map.set(parent, { path: parent, type: 'dir', mode: 0o755, uid: 0, gid: 0 });
    }
  }
  return [...map.values()].sort((a, b) => byteCmp(a.path, b.path));
}

async function* tarStream(entries: LayerEntry[], mtime: number): AsyncGenerator<Buffer> {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const written = new Set<string>();
  // A hardlink sorted before its target is written as the file; the target then links to it.
  const movedTo = new Map<string, string>();
  for (const e of entries) {
    let entry: LayerEntry = { ...e, mtime };
    if (e.type === 'hardlink') {
      const target = (e.linkname ?? '')
        .split('/')
        .filter((c) => c !== '' && c !== '.')
        .join('/');
      const t = byPath.get(target);
      if (!t || t.type !== 'file')
        throw new ImageError(`hardlink ${e.path} → ${e.linkname ?? ''}: target is not a file in the layer`);
      if (written.has(target)) entry = { ...entry, linkname: movedTo.get(target) ?? target };
      else if (movedTo.has(target)) entry = { ...entry, linkname: movedTo.get(target) ?? target };
      else {
        movedTo.set(target, e.path);
        entry = { ...t, path: e.path, mtime };
      }
    } else if (e.type === 'file' && movedTo.has(e.path)) {
      entry = {
        path: e.path,
        type: 'hardlink',
        linkname: movedTo.get(e.path),
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        mtime,
      };
    }
    yield tarHeader(entry);
    if (entry.type === 'file') {
      const size = entry.size ?? 0;
      let seen = 0;
      if (entry.content) {
        seen = entry.content.length;
        yield entry.content;
      } else if (entry.source) {
        for await (const chunk of createReadStream(entry.source)) {
          seen += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      }
      if (seen !== size) throw new ImageError(`layer entry ${e.path}: content has ${seen} bytes, header says ${size}`);
      yield padding(size);
    }
    written.add(e.path);
  }
  yield tarEnd();
}

/** Writes the entries as one layer blob into `blobs`; answers its descriptor and DiffID. */
export async function buildLayer(
  entries: Iterable<LayerEntry>,
  blobs: BlobStore,
  opts: BuildLayerOptions = {},
): Promise<BuiltLayer> {
  const sorted = normaliseEntries(entries);
  const diff = new Digester();
  const tee = new Transform({
    transform(chunk: Buffer, _e, cb) {
      diff.update(chunk);
      cb(null, chunk);
    },
  });
  const source = Readable.from(tarStream(sorted, opts.mtime ?? 0));
  const plain = source.pipe(tee);
  source.on('error', (e) => plain.destroy(e));
  const gzip = opts.compression !== 'none';
  const body = gzip ? plain.pipe(createGzip({ level: 6, memLevel: 8, windowBits: 15, strategy: 0 })) : plain;
  if (gzip) plain.on('error', (e) => body.destroy(e));
  const info = await blobs.put(body);
  return {
    descriptor: { mediaType: gzip ? MediaType.layerGzip : MediaType.layer, digest: info.digest, size: info.size },
    diffId: diff.digest(),
  };
}
