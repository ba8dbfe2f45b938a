// A container's root filesystem: an overlay whose lower layer is the image's (shared, never
// written) root and whose upper/work dirs are the container's own; a full copy where the kernel
// or the paths do not allow overlayfs. The overlay is not mounted on the host: it is the first
// mount of the container's config.json, so runc mounts it in the container's own mount namespace
// (no `mount` process per start, no `umount` at removal, and it goes away with the container).
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { exec, run } from '../util/exec.js';
import type { OciMount } from './oci-spec.js';

export type RootfsKind = 'overlay' | 'copy';

/**
 * The overlay of `lower` for the container in `containerDir`, as an OCI mount on `/`; undefined when
 * a path holds a character overlayfs options cannot carry (mount(2) takes them unescaped).
 */
export function overlayRootMount(lower: string, containerDir: string): OciMount | undefined {
  const upper = path.join(containerDir, 'upper');
  const work = path.join(containerDir, 'work');
  if ([lower, upper, work].some((p) => /[,:\\\s]/.test(p))) return undefined;
  return {
    destination: '/',
    type: 'overlay',
    source: 'overlay',
    options: [`lowerdir=${lower}`, `upperdir=${upper}`, `workdir=${work}`],
  };
}

/**
 * Lays out `<containerDir>/rootfs` (runc's root.path): with `overlay`, an empty dir and the upper/work
 * dirs the overlay mount names; otherwise a copy of `lower`.
 */
export async function prepareRootfs(lower: string, containerDir: string, overlay: boolean): Promise<RootfsKind> {
  const target = path.join(containerDir, 'rootfs');
  const dirs = overlay ? [target, path.join(containerDir, 'upper'), path.join(containerDir, 'work')] : [target];
  await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
  if (overlay) return 'overlay';
  await run('cp', ['-a', '--reflink=auto', `${lower}/.`, `${target}/`]);
  return 'copy';
}

/**
 * Whether overlayfs mounts work with upper and work dirs below `dir` (a data dir on a filesystem
 * overlayfs refuses, e.g. inside another overlay, does not): one test mount, then removed.
 */
export async function overlayWorks(dir: string): Promise<boolean> {
  const probe = path.join(dir, 'overlay-probe');
  const lower = path.join(probe, 'lower');
  const merged = path.join(probe, 'merged');
  const mount = overlayRootMount(lower, probe);
  if (!mount) return false;
  try {
    await Promise.all(['lower', 'upper', 'work', 'merged'].map((d) => mkdir(path.join(probe, d), { recursive: true })));
    const r = await exec('mount', ['-t', 'overlay', 'overlay', '-o', (mount.options ?? []).join(','), merged]);
    if (r.code !== 0) return false;
    await run('umount', [merged]);
    return true;
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}

/**
 * Unmounts everything mounted at or below `dir` (deepest first) with one `umount` for all of them
 * (a pod's sandbox has two, its IPC namespace and /dev/shm: one process, not one per mount), then
 * lazily what is still mounted (busy).
 */
export async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await mountsUnder(dir)).reverse();
  if (mounts.length === 0 || (await exec('umount', mounts)).code === 0) return;
  const left = (await mountsUnder(dir)).reverse();
  if (left.length > 0) await run('umount', ['-l', ...left]);
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
