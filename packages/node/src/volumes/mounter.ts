// Mount operations the volume plugins need (tmpfs for memory-backed volumes, unmount, mount-point
// checks), behind an interface so the plugins' unit tests run without root.
import { chmod } from 'node:fs/promises';
import { exec, run } from '../util/exec.js';

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
    if (await this.isMountPoint(dir)) return;
    const size = options.sizeBytes !== undefined ? `,size=${options.sizeBytes}` : '';
    await run('mount', ['-t', 'tmpfs', '-o', `nosuid,nodev,mode=${options.mode ?? '1777'}${size}`, 'tmpfs', dir]);
  }

  async isMountPoint(dir: string): Promise<boolean> {
    return (await exec('mountpoint', ['-q', dir])).code === 0;
  }

  async mountsUnder(dir: string): Promise<string[]> {
    const out = (await exec('findmnt', ['-rn', '-o', 'TARGET'])).stdout.split('\n');
    // findmnt escapes blanks as \x20; pod dirs never contain them.
    return out.filter((m) => m.startsWith(`${dir}/`)).sort().reverse();
  }

  async unmount(dir: string): Promise<void> {
    await run('umount', ['-l', dir]);
  }
}
