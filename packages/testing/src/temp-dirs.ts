// The e2e run's temporary directories (data dirs, images, layouts) are removed at its end, except
// any still in use: a mount below it (never delete through a bind mount) or a process naming it
// (a container shim of a node that was not reset).
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `wharf-*` entries of the temp dir now. */
export function wharfTempDirs(): string[] {
  return readdirSync(tmpdir())
    .filter((n) => n.startsWith('wharf-') && n !== 'wharf-test-cache') // the cache outlives runs
    .map((n) => join(tmpdir(), n));
}

export function dirInUse(dir: string): boolean {
  const prefix = `${dir}/`;
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '');
  if (mounts.some((m) => m === dir || m.startsWith(prefix))) return true;
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(prefix)) return true;
    } catch {
      // the process is gone
    }
  }
  return false;
}

/** Removes the `wharf-*` temp entries that were not there in `before` and are not in use; answers what it kept. */
export function removeNewTempDirs(before: ReadonlySet<string>): string[] {
  const kept: string[] = [];
  for (const dir of wharfTempDirs()) {
    if (before.has(dir)) continue;
    if (dirInUse(dir)) kept.push(dir);
    else rmSync(dir, { recursive: true, force: true });
  }
  return kept;
}
