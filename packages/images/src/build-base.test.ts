// Builds a real busybox-static image through apt. Skips when apt/dpkg-deb are missing; the .debs
// are cached in the temp dir so repeated runs do not download again.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildBaseError } from './errors.js';
import { ImageStore } from './image-store.js';

const exec = promisify(execFile);
const haveApt = await exec('sh', ['-c', 'command -v apt-get && command -v dpkg-deb']).then(
  () => true,
  () => false,
);
if (!haveApt) console.warn('build-base.test.ts: apt-get or dpkg-deb missing, skipped');
const debCacheDir = join(tmpdir(), 'wharf-test-deb-cache');

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wharf-build-base-test-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe.skipIf(!haveApt)('buildBase', () => {
  it('builds busybox-static reproducibly into a ~1 MB image whose sh works', { timeout: 120_000 }, async () => {
    const one = new ImageStore({ root: join(root, 'one') });
    const two = new ImageStore({ root: join(root, 'two') });
    const opts = {
      name: 'busybox',
      tag: '1',
      packages: ['busybox-static'],
      cmd: ['sh'],
      env: { GREETING: 'hi' },
      debCacheDir,
      cacheDir: false as const,
    };
    const a = await one.buildBase(opts);
    const b = await two.buildBase(opts);
    expect(b.digest).toBe(a.digest);
    expect(b.layer).toEqual(a.layer);
    expect(a.reference).toBe('busybox:1');
    expect(a.packages.map((p) => p.name)).toEqual(['busybox-static']);
    expect(a.layer.size).toBeGreaterThan(500_000);
    expect(a.layer.size).toBeLessThan(2_000_000);
    const image = await one.resolve('busybox:1');
    expect(image.config.config?.Env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'GREETING=hi',
    ]);
    expect(image.config.created).toBe('1970-01-01T00:00:00Z');
    const rootfs = join(root, 'rootfs');
    await one.unpack('busybox:1', rootfs);
    expect(await readlink(join(rootfs, 'bin/sh'))).toBe('busybox');
    expect(await readFile(join(rootfs, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:/);
    const { stdout } = await exec(join(rootfs, 'bin/sh'), ['-c', 'echo hello from busybox']);
    expect(stdout).toBe('hello from busybox\n');
  });

  it(
    'serves a second data dir from the build cache, and rebuilds when an entry is damaged',
    { timeout: 120_000 },
    async () => {
      const cacheDir = join(root, 'cache');
      const opts = { name: 'cached', tag: '1', packages: ['busybox-static'], debCacheDir, cacheDir };
      const first = await new ImageStore({ root: join(root, 'c1') }).buildBase(opts);
      expect(first.cached).toBe(false);
      const store = new ImageStore({ root: join(root, 'c2') });
      const second = await store.buildBase(opts);
      expect(second.cached).toBe(true);
      expect(second.digest).toBe(first.digest);
      // The second resolve read apt's parsed lists kept beside the cache: the same closure.
      expect((await stat(join(cacheDir, 'apt', 'pkgcache.bin'))).size).toBeGreaterThan(0);
      expect(second.packages).toEqual(first.packages);
      const rootfs = join(root, 'cached-rootfs');
      await store.unpack('cached:1', rootfs);
      expect((await exec(join(rootfs, 'bin/sh'), ['-c', 'echo from cache'])).stdout).toBe('from cache\n');
      // Another option is another image: no hit.
      expect((await new ImageStore({ root: join(root, 'c3') }).buildBase({ ...opts, env: ['X=1'] })).cached).toBe(
        false,
      );
      // A truncated layer fails the digest check and is rebuilt, not served.
      for (const name of await readdir(cacheDir))
        if (name !== 'debs' && name !== 'apt') await truncate(join(cacheDir, name, 'layer'), 100);
      const again = await new ImageStore({ root: join(root, 'c4') }).buildBase(opts);
      expect(again.cached).toBe(false);
      expect(again.digest).toBe(first.digest);
    },
  );

  it('names a package apt does not know', async () => {
    await expect(
      new ImageStore({ root: join(root, 'bad') }).buildBase({ name: 'x', packages: ['no-such-package-wharf'] }),
    ).rejects.toThrow(BuildBaseError);
    await expect(
      new ImageStore({ root: join(root, 'bad') }).buildBase({ name: 'Bad Name', packages: ['busybox-static'] }),
    ).rejects.toThrow(/name/);
  });
});
