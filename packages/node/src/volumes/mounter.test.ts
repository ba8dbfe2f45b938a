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
