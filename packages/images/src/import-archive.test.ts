import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { create } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from './digest.js';
import { DigestMismatchError, InvalidManifestError } from './errors.js';
import { ImageStore } from './image-store.js';
import { buildLayer } from './layer-builder.js';
import { describeJson } from './layout.js';
import { MediaType } from './oci.js';
import { padding, tarEnd, tarHeader } from './tar-writer.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wharf-import-test-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

function layerTar(name: string, text: string): Buffer {
  const content = Buffer.from(text);
  return Buffer.concat([
    tarHeader({ path: name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length }),
    content,
    padding(content.length),
    tarEnd(),
  ]);
}

async function dockerArchive(opts: { gzipSecond?: boolean; wrongDiffId?: boolean } = {}): Promise<string> {
  const dir = join(root, 'docker');
  await mkdir(join(dir, 'l1'), { recursive: true });
  await mkdir(join(dir, 'l2'), { recursive: true });
  const l1 = layerTar('one.txt', 'one');
  const l2 = layerTar('two.txt', 'two');
  await writeFile(join(dir, 'l1/layer.tar'), l1);
  await writeFile(join(dir, 'l2/layer.tar'), opts.gzipSecond ? gzipSync(l2) : l2);
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [sha256(l1), opts.wrongDiffId ? sha256('x') : sha256(l2)] },
  });
  await writeFile(join(dir, 'config.json'), config);
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify([
      {
        Config: 'config.json',
        RepoTags: ['docker.io/library/app:1', 'app:latest'],
        Layers: ['l1/layer.tar', 'l2/layer.tar'],
      },
    ]),
  );
  const file = join(root, 'docker.tar');
  await create({ file, cwd: dir, portable: true }, ['manifest.json', 'config.json', 'l1', 'l2']);
  return file;
}

describe('importArchive', () => {
  it('imports a docker-archive tar, converting it to OCI', async () => {
    const store = new ImageStore({ root: join(root, 'store') });
    const imported = await store.importArchive(await dockerArchive({ gzipSecond: true }));
    expect(imported.map((i) => i.ref)).toEqual(['app:1', 'app:latest']);
    const image = await store.resolve('app:1');
    expect(image.manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.layer, MediaType.layerGzip]);
    expect(image.config.config?.Cmd).toEqual(['/bin/sh']);
    await store.unpack('app:latest', join(root, 'rootfs'));
    expect(await readFile(join(root, 'rootfs/two.txt'), 'utf8')).toBe('two');
  });

  it('rejects a docker archive whose layers do not match the DiffIDs', async () => {
    const store = new ImageStore({ root: join(root, 'store') });
    await expect(store.importArchive(await dockerArchive({ wrongDiffId: true }))).rejects.toThrow(DigestMismatchError);
  });

  it('imports an OCI layout tar, with full and bare-tag ref names', async () => {
    const src = new ImageStore({ root: join(root, 'src') });
    await src.init();
    const layer = await buildLayer(
      [{ path: 'hi', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 2, content: Buffer.from('hi') }],
      src.blobs,
    );
    const cfg = describeJson(MediaType.config, {
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    });
    await src.putBlob(cfg.bytes);
    const d = await src.putManifest(
      { schemaVersion: 2, mediaType: MediaType.manifest, config: cfg.descriptor, layers: [layer.descriptor] },
      { ref: 'localhost:5000/team/hi:2' },
    );
    // skopeo writes bare tags (`oci:dir:v1`); add one by hand beside the full name.
    const indexPath = join(root, 'src', 'index.json');
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: object[] };
    index.manifests.push({ ...d, annotations: { 'org.opencontainers.image.ref.name': 'v1' } });
    await writeFile(indexPath, JSON.stringify(index));
    const file = join(root, 'layout.tar');
    await create({ file, cwd: join(root, 'src'), portable: true }, ['oci-layout', 'index.json', 'blobs']);
    const store = new ImageStore({ root: join(root, 'store') });
    const imported = await store.importArchive(file, { name: 'hi' });
    expect(imported.map((i) => i.ref).sort()).toEqual(['hi:v1', 'localhost:5000/team/hi:2']);
    expect((await store.resolve('hi:v1')).manifestDescriptor.digest).toBe(d.digest);
  });

  it('rejects a tar that is neither format', async () => {
    await writeFile(join(root, 'x.txt'), 'x');
    const file = join(root, 'junk.tar');
    await create({ file, cwd: root }, ['x.txt']);
    await expect(new ImageStore({ root: join(root, 'store') }).importArchive(file)).rejects.toThrow(
      InvalidManifestError,
    );
  });
});
