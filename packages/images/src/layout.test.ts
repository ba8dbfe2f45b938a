import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from './digest.js';
import { BlobNotFoundError, DigestMismatchError, ImageNotFoundError, SizeMismatchError } from './errors.js';
import { ImageStore } from './image-store.js';
import { MediaType, REF_NAME_ANNOTATION, type ImageConfig } from './oci.js';
import { describeJson } from './layout.js';

let root: string;
let store: ImageStore;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wharf-layout-'));
  store = new ImageStore({ root });
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function image(tag: string, arch = 'amd64'): Promise<string> {
  const layer = await store.putBlob(Buffer.from(`layer ${tag} ${arch}`));
  const config: ImageConfig = { architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } };
  const cfg = describeJson(MediaType.config, config);
  await store.putBlob(cfg.bytes);
  const d = await store.putManifest(
    {
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      config: cfg.descriptor,
      layers: [{ mediaType: MediaType.layer, ...layer }],
    },
    { ref: tag },
  );
  return d.digest;
}

describe('blobs', () => {
  it('stores streamed content under its digest and verifies digest and size', async () => {
    const info = await store.putBlob(Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    expect(info).toEqual({ digest: sha256('hello world'), size: 11 });
    expect(await store.hasBlob(info.digest)).toBe(true);
    expect((await store.readBlob(info.digest)).toString()).toBe('hello world');
    expect(await readFile(join(root, 'blobs', 'sha256', info.digest.slice(7)), 'utf8')).toBe('hello world');
    await expect(store.putBlob(Buffer.from('x'), { digest: sha256('y') })).rejects.toThrow(DigestMismatchError);
    await expect(store.putBlob(Readable.from([Buffer.from('xyz')]), { size: 2 })).rejects.toThrow(SizeMismatchError);
    await expect(store.readBlob(sha256('absent'))).rejects.toThrow(BlobNotFoundError);
    const { stream } = await store.getBlob(info.digest, { start: 6, end: 10 });
    let text = '';
    for await (const c of stream) text += String(c);
    expect(text).toBe('world');
  });

  it('writes an OCI layout', async () => {
    await store.init();
    expect(JSON.parse(await readFile(join(root, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(JSON.parse(await readFile(join(root, 'index.json'), 'utf8'))).toMatchObject({
      schemaVersion: 2,
      manifests: [],
    });
  });
});

describe('manifests and refs', () => {
  it('refuses manifests whose blobs are missing', async () => {
    const cfg = describeJson(MediaType.config, {
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    });
    await expect(
      store.putManifest({ schemaVersion: 2, mediaType: MediaType.manifest, config: cfg.descriptor, layers: [] }),
    ).rejects.toThrow(BlobNotFoundError);
  });

  it('tags, lists, resolves and untags', async () => {
    const d = await image('busybox:1');
    await store.tag('localhost:5000/x/y:tag', {
      mediaType: MediaType.manifest,
      digest: d,
      size: (await store.readBlob(d)).length,
    });
    expect((await store.list()).map((i) => i.ref)).toEqual(['busybox:1', 'localhost:5000/x/y:tag']);
    const index = JSON.parse(await readFile(join(root, 'index.json'), 'utf8')) as {
      manifests: { annotations: Record<string, string> }[];
    };
    expect(index.manifests[0]?.annotations[REF_NAME_ANNOTATION]).toBe('busybox:1');
    for (const ref of ['busybox:1', 'docker.io/library/busybox:1', `busybox@${d}`, 'localhost:5000/x/y:tag']) {
      expect((await store.resolve(ref)).manifestDescriptor.digest).toBe(d);
    }
    await expect(store.resolve('busybox:2')).rejects.toThrow(ImageNotFoundError);
    expect(await store.untag('busybox:1')).toBe(true);
    expect(await store.untag('busybox:1')).toBe(false);
  });

  it('loses no tag when two stores on one directory (two processes) tag at once', async () => {
    const d = await image('base:1');
    const descriptor = { mediaType: MediaType.manifest, digest: d, size: (await store.readBlob(d)).length };
    const other = new ImageStore({ root });
    const tags = (s: ImageStore, name: string): Promise<void>[] =>
      Array.from({ length: 25 }, (_, i) => s.tag(`${name}:${i}`, descriptor));
    await Promise.all([...tags(store, 'one'), ...tags(other, 'two')]);
    const refs = (await store.list()).map((i) => i.ref);
    expect(refs.filter((r) => r.startsWith('one:'))).toHaveLength(25);
    expect(refs.filter((r) => r.startsWith('two:'))).toHaveLength(25);
  });

  it('resolves an index to the platform asked for', async () => {
    const amd = await image('a:amd', 'amd64');
    const arm = await image('a:arm', 'arm64');
    const size = async (d: string): Promise<number> => (await store.readBlob(d)).length;
    await store.putManifest(
      {
        schemaVersion: 2,
        mediaType: MediaType.index,
        manifests: [
          {
            mediaType: MediaType.manifest,
            digest: amd,
            size: await size(amd),
            platform: { os: 'linux', architecture: 'amd64' },
          },
          {
            mediaType: MediaType.manifest,
            digest: arm,
            size: await size(arm),
            platform: { os: 'linux', architecture: 'arm64' },
          },
        ],
      },
      { ref: 'a:multi' },
    );
    expect((await store.resolve('a:multi', { os: 'linux', architecture: 'arm64' })).manifestDescriptor.digest).toBe(
      arm,
    );
    expect((await store.resolve('a:multi', { os: 'linux', architecture: 'amd64' })).config.architecture).toBe('amd64');
    await expect(store.resolve('a:multi', { os: 'linux', architecture: 's390x' })).rejects.toThrow(ImageNotFoundError);
  });
});

describe('gc', () => {
  it('removes blobs no ref reaches and keeps the rest', async () => {
    const kept = await image('keep:1');
    const dropped = await image('drop:1');
    const stray = await store.putBlob(Buffer.from('stray'));
    await store.untag('drop:1');
    const { removed, freedBytes } = await store.gc();
    expect(removed).toContain(dropped);
    expect(removed).toContain(stray.digest);
    expect(removed).toHaveLength(4);
    expect(freedBytes).toBeGreaterThan(0);
    expect(await store.hasBlob(kept)).toBe(true);
    expect((await store.resolve('keep:1')).manifest.layers).toHaveLength(1);
    expect((await store.gc({ olderThanMs: 60_000 })).removed).toEqual([]);
  });
});
