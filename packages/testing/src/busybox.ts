// A busybox root filesystem for tests that run real containers without an image: Debian's
// busybox-static unpacked, with its applet links, cached across runs in the temp dir.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WHARF_BIN } from './wharf-process.js';

/** busybox-static's .deb unpacked, with applet symlinks; cached across runs in the temp dir. */
export async function busyboxRootfs(): Promise<string> {
  const cache = path.join(process.env.WHARF_TEST_CACHE ?? path.join(os.tmpdir(), 'wharf-test-cache'), 'busybox-rootfs');
  if (existsSync(path.join(cache, '.ready'))) return cache;
  await mkdir(path.dirname(cache), { recursive: true });
  // Beside the cache, so the finished rootfs is renamed into place on the same filesystem.
  const work = await mkdtemp(path.join(path.dirname(cache), 'busybox-'));
  try {
    execFileSync('apt-get', ['download', '-q', 'busybox-static'], { cwd: work, stdio: 'pipe' });
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error('apt-get download busybox-static produced no .deb');
    const root = path.join(work, 'rootfs');
    execFileSync('dpkg', ['-x', path.join(work, deb), root]);
    const applets = execFileSync(path.join(root, 'bin/busybox'), ['--list'])
      .toString()
      .split('\n')
      .filter((a) => a && a !== 'busybox');
    for (const a of applets) await symlink('busybox', path.join(root, 'bin', a)).catch(() => undefined);
    for (const d of ['etc', 'tmp', 'proc', 'sys', 'dev', 'root', 'www', 'data'])
      await mkdir(path.join(root, d), { recursive: true });
    execFileSync('chmod', ['1777', path.join(root, 'tmp')]);
    await writeFile(
      path.join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
    );
    await writeFile(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    await writeFile(path.join(root, '.ready'), '');
    await mkdir(path.dirname(cache), { recursive: true });
    await rename(root, cache).catch(async (e: NodeJS.ErrnoException) => {
      if (!existsSync(path.join(cache, '.ready'))) throw e; // another run won the race
    });
    return cache;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `wharf image build-base REF --debian-packages ...` into the data dir's registry (cached machine-wide). */
export async function buildBaseImage(
  dataDir: string,
  ref: string,
  debianPackages: readonly string[],
  timeoutMs = 300_000,
): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [WHARF_BIN, 'image', 'build-base', ref, '--debian-packages', debianPackages.join(','), '--data-dir', dataDir],
    { timeout: timeoutMs },
  );
}

/**
 * busybox:1 from Debian's busybox-static: the image most suites run (the same digest from the same
 * inputs, so on every cluster alike).
 */
export function buildBusyboxImage(dataDir: string): Promise<void> {
  return buildBaseImage(dataDir, 'busybox:1', ['busybox-static']);
}
