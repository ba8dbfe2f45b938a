// A container's root filesystem: an overlay whose lower layer is the image's (shared, never
// written) root and whose upper/work dirs are the container's own; a full copy where the kernel
// or the paths do not allow overlayfs.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { exec, run } from '../util/exec.js';

export type RootfsKind = 'overlay' | 'copy';

/** Mounts (or copies) `lower` at `<containerDir>/rootfs`. */
export async function prepareRootfs(lower: string, containerDir: string): Promise<RootfsKind> {
  const target = path.join(containerDir, 'rootfs');
  const upper = path.join(containerDir, 'upper');
  const work = path.join(containerDir, 'work');
  await Promise.all([target, upper, work].map((d) => mkdir(d, { recursive: true })));
  // overlayfs option syntax cannot carry these characters without escaping that mount(8) does not do.
  if (![lower, upper, work].some((p) => /[,:\\\s]/.test(p))) {
    const r = await exec('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${lower},upperdir=${upper},workdir=${work}`,
      target,
    ]);
    if (r.code === 0) return 'overlay';
  }
  await run('cp', ['-a', '--reflink=auto', `${lower}/.`, `${target}/`]);
  return 'copy';
}

/** Unmounts everything mounted at or below `dir` (deepest first). */
export async function unmountUnder(dir: string): Promise<void> {
  for (const m of (await mountsUnder(dir)).reverse()) {
    const r = await exec('umount', [m]);
    if (r.code !== 0) await run('umount', ['-l', m]);
  }
}

/** Mount points at or below `dir`, in mount order. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return info
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(prefix));
}
