import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DigestMismatchError } from './errors.js';
import { ImageStore } from './image-store.js';
import { buildLayer, type LayerEntry } from './layer-builder.js';
import { describeJson } from './layout.js';
import { MediaType, type Descriptor } from './oci.js';
import { padding, tarEnd, tarHeader } from './tar-writer.js';

let root: string;
let store: ImageStore;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wharf-unpack-'));
  store = new ImageStore({ root: join(root, 'store') });
  await store.init();
});
afterEach(() => rm(root, { recursive: true, force: true }));

const file = (path: string, text: string, mode = 0o644): LayerEntry => ({
  path,
  type: 'file',
  mode,
  uid: 0,
  gid: 0,
  size: Buffer.byteLength(text),
  content: Buffer.from(text),
});
const dir = (path: string, mode = 0o755): LayerEntry => ({ path, type: 'dir', mode, uid: 0, gid: 0 });
const link = (path: string, target: string): LayerEntry => ({
  path,
  type: 'symlink',
  linkname: target,
  mode: 0o777,
  uid: 0,
  gid: 0,
});

async function image(
  ref: string,
  layers: LayerEntry[][],
  opts: { badDiffId?: boolean; compression?: 'gzip' | 'none' } = {},
): Promise<void> {
  const built = [];
  for (const l of layers) built.push(await buildLayer(l, store.blobs, { compression: opts.compression ?? 'gzip' }));
  const diffIds = built.map((b) => b.diffId);
  if (opts.badDiffId) diffIds[0] = `sha256:${'0'.repeat(64)}`;
  const cfg = describeJson(MediaType.config, {
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: diffIds },
  });
  await store.putBlob(cfg.bytes);
  const layerDescs: Descriptor[] = built.map((b) => b.descriptor);
  await store.putManifest(
    { schemaVersion: 2, mediaType: MediaType.manifest, config: cfg.descriptor, layers: layerDescs },
    { ref },
  );
}

describe('unpack', () => {
  it('applies layers in order with whiteouts and opaque directories', async () => {
    await image('app:1', [
      [
        dir('etc'),
        file('etc/keep', 'keep'),
        file('etc/gone', 'gone'),
        dir('data'),
        file('data/old1', '1'),
        dir('data/sub'),
        file('data/sub/old2', '2'),
        file('bin/tool', '#!/bin/sh\n', 0o755),
        link('bin/alias', 'tool'),
      ],
      [file('etc/.wh.gone', ''), file('data/.wh..wh..opq', ''), file('data/new', 'new'), file('etc/keep', 'changed')],
    ]);
    const out = join(root, 'rootfs');
    const result = await store.unpack('app:1', out);
    expect(result.diffIds).toEqual(result.image.config.rootfs.diff_ids);
    expect(await readFile(join(out, 'etc/keep'), 'utf8')).toBe('changed');
    await expect(stat(join(out, 'etc/gone'))).rejects.toThrow();
    expect((await readdir(join(out, 'data'))).sort()).toEqual(['new']);
    expect((await stat(join(out, 'bin/tool'))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(out, 'bin/alias'))).toBe('tool');
    expect((await readdir(out)).filter((n) => n.startsWith('.wh.'))).toEqual([]);
  });

  it('unpacks uncompressed layers too', async () => {
    await image('plain:1', [[file('a.txt', 'plain')]], { compression: 'none' });
    await store.unpack('plain:1', join(root, 'rootfs'));
    expect(await readFile(join(root, 'rootfs/a.txt'), 'utf8')).toBe('plain');
  });

  it('fails when a DiffID does not match', async () => {
    await image('bad:1', [[file('a', 'a')]], { badDiffId: true });
    await expect(store.unpack('bad:1', join(root, 'rootfs'))).rejects.toThrow(DigestMismatchError);
  });

  it('keeps writes inside the root even through planted symlinks', async () => {
    // Layer 2 is written by hand: buildLayer would add directory entries for escape/ and abs/.
    const raw = (entries: LayerEntry[]): Buffer =>
      Buffer.concat([
        ...entries.flatMap((e) => [tarHeader(e), e.content ?? Buffer.alloc(0), padding(e.content?.length ?? 0)]),
        tarEnd(),
      ]);
    const l1 = raw([link('escape', '../../../../outside'), link('abs', '/')]);
    const l2 = raw([file('escape/pwned', 'x'), file('abs/also', 'y'), file('../dotdot', 'z')]);
    const layers = await Promise.all(
      [l1, l2].map(async (b) => ({ mediaType: MediaType.layer, ...(await store.putBlob(b)) })),
    );
    const cfg = describeJson(MediaType.config, {
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    });
    await store.putBlob(cfg.bytes);
    await store.putManifest(
      { schemaVersion: 2, mediaType: MediaType.manifest, config: cfg.descriptor, layers },
      { ref: 'evil:1' },
    );
    const out = join(root, 'rootfs');
    await store.unpack('evil:1', out).catch(() => undefined);
    await expect(lstat(join(root, 'outside', 'pwned'))).rejects.toThrow();
    await expect(lstat(join(root, 'dotdot'))).rejects.toThrow();
    await expect(lstat('/also')).rejects.toThrow();
    expect(await readFile(join(out, 'outside/pwned'), 'utf8')).toBe('x');
    expect(await readFile(join(out, 'also'), 'utf8')).toBe('y');
  });

  it('restores hardlinks', async () => {
    await image('hl:1', [
      [
        file('z/target', 'shared'),
        { path: 'a/link', type: 'hardlink', linkname: 'z/target', mode: 0o644, uid: 0, gid: 0 },
      ],
    ]);
    const out = join(root, 'rootfs');
    await store.unpack('hl:1', out);
    expect((await stat(join(out, 'a/link'))).ino).toBe((await stat(join(out, 'z/target'))).ino);
    expect(await readFile(join(out, 'a/link'), 'utf8')).toBe('shared');
  });
});

describe('buildLayer', () => {
  it('is reproducible regardless of entry order and handles long paths', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
    const entries = [file('b', 'b'), file('a/x', 'x'), file(long, 'long'), link('a/y', 'x')];
    const one = await buildLayer(entries, store.blobs);
    const two = await buildLayer([...entries].reverse(), store.blobs);
    expect(two).toEqual(one);
    await image('long:1', [entries]);
    await store.unpack('long:1', join(root, 'rootfs'));
    expect(await readFile(join(root, 'rootfs', long), 'utf8')).toBe('long');
  });
});
