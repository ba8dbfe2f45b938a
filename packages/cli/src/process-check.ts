// Whether a recorded pid is still the process it was (not a pid the kernel handed out again):
// its command line holds every one of `args`. For the detached processes `wharf` records
// (the dataplane, joined agents, a cluster's `wharf up`).
import { readFileSync } from 'node:fs';

export function processHasArgs(pid: number | undefined, ...args: string[]): boolean {
  if (!pid) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.every((a) => cmdline.includes(a));
  } catch {
    return false;
  }
}
