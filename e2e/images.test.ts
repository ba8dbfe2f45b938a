// `wharf image` against a running Wharf: a Debian-built base image pushed to the built-in
// registry (same inputs, same digest), seen by skopeo, listed, exported and imported back, removed.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const haveSkopeo = await run('skopeo', ['--version']).then(
  () => true,
  () => false,
);
const havePodman = await run('podman', ['--version']).then(
  () => true,
  () => false,
);

describe('wharf image', () => {
  let wharf: WharfProcess;
  let token: string;
  const wharfCli = (...args: string[]) =>
    run(process.execPath, [WHARF_BIN, ...args, '--data-dir', wharf.dataDir], { timeout: 120_000 });
  const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args], { timeout: 60_000 });

  beforeAll(async () => {
    wharf = await WharfProcess.start();
    token = /token: (\S+)/.exec(readFileSync(wharf.kubeconfig, 'utf8'))?.[1] ?? '';
  });
  afterAll(async () => {
    await wharf?.stop();
  });

  let digest = '';
  it('builds busybox-static into an image in the registry and prints the full reference', async () => {
    const { stdout } = await wharfCli(
      'image',
      'build-base',
      'busybox:1',
      '--debian-packages',
      'busybox-static',
      '--entrypoint',
      '/bin/sh',
    );
    const m = new RegExp(`^127\\.0\\.0\\.1:${wharf.registryPort}/busybox:1@(sha256:[0-9a-f]{64})$`).exec(stdout.trim());
    expect(m, stdout).not.toBeNull();
    digest = m?.[1] ?? '';
  });

  it('gives the same digest for the same inputs', async () => {
    const { stdout } = await wharfCli(
      'image',
      'build-base',
      'busybox:again',
      '--debian-packages',
      'busybox-static',
      '--entrypoint',
      '/bin/sh',
    );
    expect(stdout.trim().endsWith(digest)).toBe(true);
  });

  it('lists the images', async () => {
    const { stdout } = await wharfCli('image', 'ls');
    expect(stdout).toMatch(new RegExp(`busybox\\s+1\\n`));
    expect(stdout).toMatch(/busybox\s+again/);
  });

  it.skipIf(!haveSkopeo)('serves the image to skopeo with a cluster token, and refuses it without one', async () => {
    const ref = `docker://127.0.0.1:${wharf.registryPort}/busybox:1`;
    const { stdout } = await skopeo('inspect', '--tls-verify=false', '--creds', `x:${token}`, ref);
    expect(JSON.parse(stdout).Digest).toBe(digest);
    await expect(skopeo('inspect', '--tls-verify=false', ref)).rejects.toThrow(
      /unauthorized|401|authentication required/i,
    );
  });

  it.skipIf(!haveSkopeo)('imports a docker-archive under a new name', async () => {
    const archive = join(mkdtempSync(join(tmpdir(), 'wharf-img-')), 'bb.tar');
    await skopeo(
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      `x:${token}`,
      `docker://127.0.0.1:${wharf.registryPort}/busybox:1`,
      `docker-archive:${archive}:busybox:1`,
    );
    const { stdout } = await wharfCli('image', 'import', archive, '--name', 'imported/busybox:1');
    expect(stdout).toContain(`127.0.0.1:${wharf.registryPort}/`);
    const ls = await wharfCli('image', 'ls');
    expect(ls.stdout).toMatch(/imported\/busybox\s+1/);
  });

  it.skipIf(!havePodman)('podman pulls the image and runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-podman-'));
    const cgroupParents = readdirSync('/sys/fs/cgroup')
      .map((c) => join('/sys/fs/cgroup', c, 'libpod_parent'))
      .filter((d) => !existsSync(d));
    const podman = (...args: string[]) =>
      run(
        'podman',
        [
          '--root',
          join(dir, 'root'),
          '--runroot',
          join(dir, 'run'),
          '--storage-driver',
          'vfs',
          '--cgroup-manager',
          'cgroupfs',
          '--events-backend',
          'file',
          ...args,
        ],
        { timeout: 120_000 },
      );
    try {
      const ref = `127.0.0.1:${wharf.registryPort}/busybox:1`;
      await podman('pull', '--tls-verify=false', '--creds', `x:${token}`, ref);
      const { stdout: id } = await podman('image', 'inspect', '--format', '{{.Digest}}', ref);
      expect(id.trim()).toBe(digest);
      // This machine's root lacks CAP_SYS_RESOURCE, so podman's default rlimits (nofile and nproc
      // raised to 1048576/4194304) cannot be set; lower ones can.
      const { stdout } = await podman(
        'run',
        '--rm',
        '--network',
        'none',
        '--ulimit',
        'nofile=1024:1024',
        '--ulimit',
        'nproc=1024:1024',
        ref,
        '-c',
        'echo "hello from $(busybox | head -1 | cut -d" " -f1-2)"',
      );
      expect(stdout).toMatch(/^hello from BusyBox v1\./);
    } finally {
      await podman('rm', '--all', '--force').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      // podman leaves its (empty) conmon cgroup behind; remove what it created.
      for (const d of cgroupParents) for (const p of [join(d, 'conmon'), d]) if (existsSync(p)) rmdirSync(p);
    }
  });

  it('removes a tag', async () => {
    await wharfCli('image', 'rm', 'busybox:again');
    const { stdout } = await wharfCli('image', 'ls');
    expect(stdout).not.toMatch(/busybox\s+again/);
  });
});
