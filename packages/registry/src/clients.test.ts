// Real registry clients from Debian (skopeo, podman, buildah) against the registry. Each test skips
// with a message when its binary is missing (`apt-get install -y skopeo podman buildah`).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageStore, MediaType, buildLayer, describeJson, type ImageConfig } from '@wharf/images';
import { Registry } from './index.js';

const exec = promisify(execFile);
const TOKEN = 'client-test-token';

async function which(bin: string): Promise<boolean> {
  return exec('sh', ['-c', `command -v ${bin}`]).then(
    () => true,
    () => false,
  );
}
const have = { skopeo: await which('skopeo'), podman: await which('podman'), buildah: await which('buildah') };
for (const [bin, ok] of Object.entries(have)) {
  if (!ok) console.warn(`clients.test.ts: ${bin} not installed, its tests are skipped (apt-get install -y ${bin})`);
}

let dir: string;
let reg: Registry;
let host: string;
let digest: string;

/** A tiny image (one file, one layer) tagged `tiny:1` in an OCI layout. */
async function tinyLayout(root: string): Promise<string> {
  const store = new ImageStore({ root });
  await store.init();
  const content = Buffer.from('hello from wharf\n');
  const layer = await buildLayer(
    [{ path: 'hello.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, content }],
    store.blobs,
  );
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/hello.txt'] },
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
  };
  const cfg = describeJson(MediaType.config, config);
  await store.putBlob(cfg.bytes);
  const d = await store.putManifest(
    { schemaVersion: 2, mediaType: MediaType.manifest, config: cfg.descriptor, layers: [layer.descriptor] },
    { ref: 'tiny:1' },
  );
  return d.digest;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wharf-clients-'));
  digest = await tinyLayout(join(dir, 'layout'));
  reg = new Registry({ root: join(dir, 'registry'), port: 0, authenticate: (t) => t === TOKEN });
  host = `127.0.0.1:${await reg.start()}`;
});
afterAll(async () => {
  await reg?.stop();
  await rm(dir, { recursive: true, force: true });
});

const podmanArgs = (): string[] => [
  '--root',
  join(dir, 'containers'),
  '--runroot',
  join(dir, 'run'),
  '--storage-driver',
  'vfs',
];

describe('skopeo', () => {
  it.skipIf(!have.skopeo)('copies an OCI layout into the registry and back out byte-identically', async () => {
    await exec('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `wharf:${TOKEN}`,
      `oci:${join(dir, 'layout')}:tiny:1`,
      `docker://${host}/team/tiny:1`,
    ]);
    const manifest = await fetch(`http://${host}/v2/team/tiny/manifests/1`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(manifest.headers.get('docker-content-digest')).toBe(digest);
    await exec('skopeo', [
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      `wharf:${TOKEN}`,
      `docker://${host}/team/tiny:1`,
      `oci:${join(dir, 'out')}:tiny:1`,
    ]);
    const out = JSON.parse(await readFile(join(dir, 'out', 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    expect(out.manifests[0]?.digest).toBe(digest);
    const original = await readFile(join(dir, 'layout', 'blobs', 'sha256', digest.slice(7)));
    expect(await readFile(join(dir, 'out', 'blobs', 'sha256', digest.slice(7)))).toEqual(original);
    const { stdout } = await exec('skopeo', [
      'list-tags',
      '--tls-verify=false',
      '--creds',
      `wharf:${TOKEN}`,
      `docker://${host}/team/tiny`,
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ Tags: ['1'] });
  });

  it.skipIf(!have.skopeo)('is refused without credentials', async () => {
    await expect(
      exec('skopeo', [
        'copy',
        '--dest-tls-verify=false',
        `oci:${join(dir, 'layout')}:tiny:1`,
        `docker://${host}/team/anon:1`,
      ]),
    ).rejects.toThrow(/unauthorized|authentication required/i);
  });
});

describe('podman and buildah', () => {
  it.skipIf(!have.skopeo || !have.podman)('podman pulls from and pushes to the registry', async () => {
    await exec('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `wharf:${TOKEN}`,
      `oci:${join(dir, 'layout')}:tiny:1`,
      `docker://${host}/team/tiny:p`,
    ]);
    await exec('podman', [
      ...podmanArgs(),
      'pull',
      '--tls-verify=false',
      '--creds',
      `wharf:${TOKEN}`,
      `${host}/team/tiny:p`,
    ]);
    await exec('podman', [...podmanArgs(), 'tag', `${host}/team/tiny:p`, `${host}/podman/tiny:pushed`]);
    await exec('podman', [
      ...podmanArgs(),
      'push',
      '--tls-verify=false',
      '--creds',
      `wharf:${TOKEN}`,
      `${host}/podman/tiny:pushed`,
    ]);
    const r = await fetch(`http://${host}/v2/podman/tiny/tags/list`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(await r.json()).toEqual({ name: 'podman/tiny', tags: ['pushed'] });
  });

  it.skipIf(!have.skopeo || !have.podman || !have.buildah)('buildah pushes an image to the registry', async () => {
    await exec('buildah', [
      ...podmanArgs(),
      'push',
      '--tls-verify=false',
      '--creds',
      `wharf:${TOKEN}`,
      `${host}/team/tiny:p`,
      `docker://${host}/buildah/tiny:pushed`,
    ]);
    const r = await fetch(`http://${host}/v2/buildah/tiny/manifests/pushed`, {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(r.status).toBe(200);
  });
});
