// Mount operations the volume plugins need (tmpfs for memory-backed volumes, unmount, mount-point
// checks), behind an interface so the plugins' unit tests run without root.
import { chmod, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../util/exec.js';

export interface Mounter {
  /** Mounts a fresh tmpfs on `dir` unless one is there already. */
  mountTmpfs(dir: string, options: { readonly sizeBytes?: number; readonly mode?: string }): Promise<void>;
  isMountPoint(dir: string): Promise<boolean>;
  /** Every mount point strictly below `dir`, deepest first. */
  mountsUnder(dir: string): Promise<string[]>;
  unmount(dir: string): Promise<void>;
}

/**
 * The host's mount(8), umount(8), mountpoint(1) and findmnt(8). Without root (the process runtime)
 * there is no tmpfs: memory-backed volumes stay on disk in a directory only the agent's user can
 * enter (mode 0700).
 */
export class HostMounter implements Mounter {
  constructor(private readonly canMount = process.getuid?.() === 0) {}

  async mountTmpfs(dir: string, options: { readonly sizeBytes?: number; readonly mode?: string }): Promise<void> {
    if (!this.canMount) return chmod(dir, 0o700);
    // A refresh of a mounted volume: its own device says so without reading every mount of the host
    // (a tmpfs is always a device of its own; reading mountinfo per pod start grew with the pods).
    if (await otherDevice(dir)) return;
    const size = options.sizeBytes !== undefined ? `,size=${options.sizeBytes}` : '';
    await run('mount', ['-t', 'tmpfs', '-o', `nosuid,nodev,mode=${options.mode ?? '1777'}${size}`, 'tmpfs', dir]);
  }

  // Both read /proc/self/mountinfo: pod syncs ask often, and forking mountpoint(1) or findmnt(8)
  // from a large process each time cost more than the rest of an idle pod's sync.
  async isMountPoint(dir: string): Promise<boolean> {
    const target = await realpath(dir).catch(() => undefined);
    return target !== undefined && (await mountPoints()).includes(target);
  }

  async mountsUnder(dir: string): Promise<string[]> {
    return (await mountPoints())
      .filter((m) => m.startsWith(`${dir}/`))
      .sort()
      .reverse();
  }

  async unmount(dir: string): Promise<void> {
    await run('umount', ['-l', dir]);
  }
}

/**
 * `dir` is on another filesystem than its parent (so a mount point; a bind mount of the same filesystem is not caught).
 */
async function otherDevice(dir: string): Promise<boolean> {
  const [a, b] = await Promise.all([stat(dir).catch(() => undefined), stat(path.dirname(dir)).catch(() => undefined)]);
  return a !== undefined && b !== undefined && a.dev !== b.dev;
}

/** Mount points of this process's mount namespace (field 5 of mountinfo, octal escapes decoded). */
export async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))),
    );
}
