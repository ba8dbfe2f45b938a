// Disk usage of containers' writable layers: a du-style walk (allocated blocks, no symlinks
// followed, one filesystem) cached per directory so a scrape does not walk every layer each time,
// and the device and size of the filesystem holding them for cAdvisor's `device` label and limit.
import { lstat, readdir, readFile, statfs } from 'node:fs/promises';
import path from 'node:path';

export interface FsInfo {
  /** The mount source, e.g. /dev/vda (cAdvisor's `device` label). */
  readonly device: string;
  readonly capacityBytes: number;
}

/** Bytes allocated under `dir` (st_blocks × 512), staying on `dir`'s filesystem; undefined if `dir` is missing. */
export async function diskUsage(dir: string): Promise<number | undefined> {
  const top = await lstat(dir).catch(() => undefined);
  if (!top?.isDirectory()) return undefined;
  let total = top.blocks * 512;
  const pending = [dir];
  while (pending.length) {
    const d = pending.pop()!;
    const names = await readdir(d).catch(() => [] as string[]);
    for (const n of names) {
      const p = path.join(d, n);
      const st = await lstat(p).catch(() => undefined);
      if (!st || st.dev !== top.dev) continue;
      total += st.blocks * 512;
      if (st.isDirectory()) pending.push(p);
    }
  }
  return total;
}

/** Caches diskUsage per directory for `maxAgeMs`; one walk at a time per directory. */
export class DiskUsageCache {
  private readonly entries = new Map<
    string,
    { at: number; bytes: number | undefined; walk?: Promise<number | undefined> }
  >();

  constructor(
    private readonly maxAgeMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async usage(dir: string): Promise<number | undefined> {
    const e = this.entries.get(dir);
    if (e?.walk) return e.walk;
    if (e && this.now() - e.at < this.maxAgeMs) return e.bytes;
    const walk = diskUsage(dir);
    this.entries.set(dir, { at: e?.at ?? 0, bytes: e?.bytes, walk });
    try {
      const bytes = await walk;
      this.entries.set(dir, { at: this.now(), bytes });
      return bytes;
    } catch {
      this.entries.delete(dir);
      return undefined;
    }
  }

  /** Forgets directories not in `keep` (containers that are gone). */
  retain(keep: ReadonlySet<string>): void {
    for (const dir of this.entries.keys()) if (!keep.has(dir)) this.entries.delete(dir);
  }
}

/** The mount that holds `file` in a /proc/self/mountinfo text: the longest mount point prefix. */
export function mountSourceOf(mountinfo: string, file: string): string | undefined {
  let best: { point: string; source: string } | undefined;
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const point = unescapeMount(left.split(' ')[4] ?? '');
    const source = unescapeMount(right.split(' ')[1] ?? '');
    const inside = point === '/' || file === point || file.startsWith(`${point}/`);
    if (inside && (!best || point.length >= best.point.length)) best = { point, source };
  }
  return best?.source;
}

function unescapeMount(s: string): string {
  return s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The filesystem holding `dir`. */
export async function filesystemOf(dir: string): Promise<FsInfo | undefined> {
  const [info, st] = await Promise.all([
    readFile('/proc/self/mountinfo', 'utf8').catch(() => ''),
    statfs(dir).catch(() => undefined),
  ]);
  const device = mountSourceOf(info, path.resolve(dir));
  if (!device || !st) return undefined;
  return { device, capacityBytes: st.blocks * st.bsize };
}
