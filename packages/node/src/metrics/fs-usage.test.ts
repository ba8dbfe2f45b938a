import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskUsageCache, diskUsage, filesystemOf, mountSourceOf } from './fs-usage.js';

describe('writable layer disk usage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wharf-du-'));
    await mkdir(path.join(dir, 'a/b'), { recursive: true });
    await writeFile(path.join(dir, 'a/b/file'), Buffer.alloc(1024 * 1024, 1));
    await symlink('/usr', path.join(dir, 'link-out'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts allocated blocks of what is under the directory, without following symlinks', async () => {
    const bytes = await diskUsage(dir);
    expect(bytes).toBeGreaterThanOrEqual(1024 * 1024);
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    expect(await diskUsage(path.join(dir, 'missing'))).toBeUndefined();
  });

  it('reuses a walk until it is older than maxAge', async () => {
    let now = 0;
    const cache = new DiskUsageCache(1000, () => now);
    const first = await cache.usage(dir);
    await writeFile(path.join(dir, 'second'), Buffer.alloc(512 * 1024, 1));
    now = 999;
    expect(await cache.usage(dir)).toBe(first);
    now = 1000;
    expect(await cache.usage(dir)).toBeGreaterThanOrEqual(first! + 512 * 1024);
  });

  it('names the device of the longest mount point holding a path', async () => {
    const info = [
      '22 27 0:21 / /proc rw - proc proc rw',
      '27 1 254:0 / / rw - ext4 /dev/vda rw',
      '40 27 0:30 / /var/lib\\040x rw - tmpfs tmpfs rw',
    ].join('\n');
    expect(mountSourceOf(info, '/var/lib x/containers')).toBe('tmpfs');
    expect(mountSourceOf(info, '/var/lib/containers')).toBe('/dev/vda');
    const fs = await filesystemOf(dir);
    expect(fs?.device).toBeTruthy();
    expect(fs!.capacityBytes).toBeGreaterThan(0);
  });
});
