// Path resolution inside an image root, command lookup and the process environment, on a small
// tree built in a temp dir.
import { chmod, mkdir, mkdtemp, readlink, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PATH,
  configuredPath,
  findExecutable,
  linkMounts,
  processEnv,
  resolveInRoot,
} from './process-command.js';

describe('process command resolution', () => {
  let root: string;
  let hostBin: string;

  beforeAll(async () => {
    const top = await mkdtemp(path.join(os.tmpdir(), 'wharf-pcmd-'));
    root = path.join(top, 'rootfs');
    hostBin = path.join(top, 'hostbin');
    await mkdir(path.join(root, 'usr/bin'), { recursive: true });
    await mkdir(path.join(root, 'opt/app'), { recursive: true });
    await mkdir(hostBin);
    await symlink('usr/bin', path.join(root, 'bin')); // usrmerge: relative directory link
    await writeFile(path.join(root, 'usr/bin/busybox'), '#!/bin/sh\n', { mode: 0o755 });
    await symlink('busybox', path.join(root, 'usr/bin/sh')); // applet link
    await writeFile(path.join(root, 'opt/app/real'), '', { mode: 0o755 });
    await symlink('/opt/app/real', path.join(root, 'usr/bin/app')); // absolute: must stay inside the root
    await symlink('/opt', path.join(root, 'optlink'));
    await writeFile(path.join(root, 'opt/app/run.sh'), '', { mode: 0o755 });
    await writeFile(path.join(root, 'opt/app/data.txt'), '', { mode: 0o644 });
    await writeFile(path.join(hostBin, 'hosttool'), '', { mode: 0o755 });
    await writeFile(path.join(hostBin, 'app'), '', { mode: 0o755 });
    await chmod(path.join(root, 'opt/app/data.txt'), 0o644);
  });

  afterAll(async () => {
    await rm(path.dirname(root), { recursive: true, force: true });
  });

  it('resolves paths as if the image root were /', async () => {
    expect(await resolveInRoot(root, '/bin/busybox')).toBe(path.join(root, 'usr/bin/busybox'));
    expect(await resolveInRoot(root, '/optlink/app/real')).toBe(path.join(root, 'opt/app/real'));
    expect(await resolveInRoot(root, '/usr/bin/app')).toBe(path.join(root, 'opt/app/real'));
    // `..` stops at the image root, as at a chroot's root.
    expect(await resolveInRoot(root, '/../../../etc/passwd')).toBe(path.join(root, 'etc/passwd'));
    // A missing tail is kept as it is.
    expect(await resolveInRoot(root, '/opt/none/x')).toBe(path.join(root, 'opt/none/x'));
  });

  it('keeps a last relative link, so busybox still sees its applet name', async () => {
    expect(await resolveInRoot(root, '/bin/sh', 'absolute')).toBe(path.join(root, 'usr/bin/sh'));
    expect(await resolveInRoot(root, '/bin/sh', 'follow')).toBe(path.join(root, 'usr/bin/busybox'));
  });

  it('looks argv[0] up in the image first, then on the host', async () => {
    const o = { rootfs: root, workingDir: '/opt/app', path: '/usr/local/bin:/bin', hostPath: hostBin };
    expect(await findExecutable('sh', o)).toBe(path.join(root, 'usr/bin/sh'));
    expect(await findExecutable('app', o)).toBe(path.join(root, 'opt/app/real'));
    expect(await findExecutable('/usr/bin/app', o)).toBe(path.join(root, 'opt/app/real'));
    expect(await findExecutable('./run.sh', o)).toBe(path.join(root, 'opt/app/run.sh'));
    expect(await findExecutable('hosttool', o)).toBe(path.join(hostBin, 'hosttool'));
    expect(await findExecutable(path.join(hostBin, 'hosttool'), o)).toBe(path.join(hostBin, 'hosttool'));
    expect(await findExecutable('./data.txt', o)).toBeUndefined(); // not executable
    expect(await findExecutable('nothing', o)).toBeUndefined();
  });

  it('builds the environment: configured values win, PATH led by the image dirs, WHARF_ vars', async () => {
    const config = {
      name: 'c',
      rootfs: root,
      args: ['sh'],
      env: [
        { name: 'A', value: '1' },
        { name: 'A', value: '2' },
        { name: 'PATH', value: '/bin:/usr/bin' },
      ],
    };
    const env = await processEnv(config, { rootfs: root, hostname: 'web-0', mountsDir: '/m' });
    expect(env).toEqual({
      A: '2',
      PATH: `${path.join(root, 'usr/bin')}:/bin:/usr/bin`,
      HOSTNAME: 'web-0',
      WHARF_ROOTFS: root,
      WHARF_MOUNTS: '/m',
    });
    expect(configuredPath(config)).toBe('/bin:/usr/bin');
    expect(configuredPath({ name: 'c', rootfs: root, args: ['sh'] })).toBe(DEFAULT_PATH);
    const plain = await processEnv(
      { name: 'c', rootfs: root, args: ['sh'], env: [{ name: 'HOSTNAME', value: 'mine' }] },
      { rootfs: root, hostname: 'web-0' },
    );
    expect(plain.HOSTNAME).toBe('mine');
    expect(plain.WHARF_MOUNTS).toBeUndefined();
    expect(plain.PATH?.endsWith(`:${DEFAULT_PATH}`)).toBe(true);
  });

  it('links each volumeMount path to its volume; a mount below another one is left out', async () => {
    const dir = path.join(path.dirname(root), 'mounts');
    await linkMounts(dir, [
      { hostPath: '/vol/data', containerPath: '/data' },
      { hostPath: '/vol/inner', containerPath: '/data/inner' },
      { hostPath: '/vol/creds', containerPath: '/etc/creds/' },
      { hostPath: '/vol/token', containerPath: '/var/run/token' },
    ]);
    expect(await readlink(path.join(dir, 'data'))).toBe('/vol/data');
    expect(await readlink(path.join(dir, 'etc/creds'))).toBe('/vol/creds');
    expect(await readlink(path.join(dir, 'var/run/token'))).toBe('/vol/token');
    expect((await readdir(dir)).sort()).toEqual(['data', 'etc', 'var']);
    // Idempotent (links whose target does not exist included).
    await linkMounts(dir, [{ hostPath: '/vol/data', containerPath: '/data' }]);
  });
});
