// HostMounter without root (the process runtime's agents): memory-backed volumes stay on disk in
// a directory only the agent's user can enter, and nothing is mounted.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostMounter } from './mounter.js';

describe('HostMounter without root', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('makes a tmpfs volume a 0700 directory on disk instead', async () => {
    const top = await mkdtemp(path.join(os.tmpdir(), 'wharf-mounter-'));
    dirs.push(top);
    const dir = path.join(top, 'secret');
    await mkdir(dir, { mode: 0o755 });
    const m = new HostMounter(false);
    await m.mountTmpfs(dir, { mode: '1777', sizeBytes: 1 << 20 });
    expect((await stat(dir)).mode & 0o7777).toBe(0o700);
    expect(await m.isMountPoint(dir)).toBe(false);
    expect(await m.mountsUnder(top)).toEqual([]);
  });
});

describe.skipIf(process.getuid?.() !== 0)('HostMounter as root', () => {
  it('sees its tmpfs mounts in mountinfo, nested and with blanks in the path, and unmounts them', async () => {
    const top = await mkdtemp(path.join(os.tmpdir(), 'wharf-mounter-'));
    const outer = path.join(top, 'a volume');
    const inner = path.join(outer, 'inner');
    const m = new HostMounter(true);
    try {
      await mkdir(outer);
      await m.mountTmpfs(outer, { mode: '0755' });
      await mkdir(inner);
      await m.mountTmpfs(inner, { mode: '0755' });
      expect(await m.isMountPoint(outer)).toBe(true);
      expect(await m.isMountPoint(inner)).toBe(true);
      expect(await m.isMountPoint(top)).toBe(false);
      expect(await m.mountsUnder(top)).toEqual([inner, outer]);
      for (const d of await m.mountsUnder(top)) await m.unmount(d);
      expect(await m.mountsUnder(top)).toEqual([]);
    } finally {
      for (const d of await m.mountsUnder(top)) await m.unmount(d);
      await rm(top, { recursive: true, force: true });
    }
  });
});
