import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mountsUnder, overlayRootMount, unmountUnder } from './rootfs.js';

describe('overlayRootMount', () => {
  it('mounts the image root under the container own upper and work dirs on /', () => {
    expect(overlayRootMount('/data/rootfs/sha256-ab', '/data/containers/c1')).toEqual({
      destination: '/',
      type: 'overlay',
      source: 'overlay',
      options: [
        'lowerdir=/data/rootfs/sha256-ab',
        'upperdir=/data/containers/c1/upper',
        'workdir=/data/containers/c1/work',
      ],
    });
  });

  it('gives none for paths overlayfs options cannot carry (the rootfs is then a copy)', () => {
    expect(overlayRootMount('/data/root fs', '/data/c1')).toBeUndefined();
    expect(overlayRootMount('/data/rootfs', '/data/a,b')).toBeUndefined();
    expect(overlayRootMount('/data/a:b', '/data/c1')).toBeUndefined();
  });
});

describe.runIf(process.getuid?.() === 0)('unmountUnder (root: real tmpfs mounts)', () => {
  it('unmounts nested mounts and the dir itself, busy ones lazily', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wharf-unmount-'));
    const tmpfs = (d: string) => execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', d]);
    let fd: number | undefined;
    try {
      tmpfs(dir);
      for (const d of ['shm', 'ipc', 'shm/inner']) {
        mkdirSync(path.join(dir, d));
        tmpfs(path.join(dir, d));
      }
      fd = openSync(path.join(dir, 'ipc'), 'r'); // an open dir keeps its mount busy: only a lazy umount goes
      expect(await mountsUnder(dir)).toHaveLength(4);
      await unmountUnder(dir);
      expect(await mountsUnder(dir)).toEqual([]);
    } finally {
      if (fd !== undefined) closeSync(fd);
      for (const m of (await mountsUnder(dir)).reverse()) execFileSync('umount', ['-l', m]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
