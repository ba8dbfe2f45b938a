// Resolving a layer entry's path inside a root filesystem as if chrooted there: `..` stops at the
// root and symlinks in parent components are followed relative to the root, so no entry (and no
// symlink an earlier entry planted) can make unpacking write outside the directory.
import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { UnsafeLayerError } from './errors.js';

const MAX_LINKS = 255;

/** Splits a tar path into clean components (no empty, `.`; `..` kept for resolution). */
export function components(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * Host path for `rel` inside `root`. Parent components are resolved through symlinks (within the
 * root); the last component is not followed, because the caller is about to create or remove it.
 * Answers undefined for the root itself. `dirs` holds host paths known to be real directories (not
 * symlinks): they are not looked at again, and those seen here are added. The caller clears it
 * whenever something in the root is removed or replaced.
 */
export function resolveInRoot(root: string, rel: string, dirs = new Set<string>()): string | undefined {
  let pending = components(rel);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const [head, ...tail] = pending;
    pending = tail;
    if (head === undefined) break;
    if (head === '..') {
      resolved.pop();
      continue;
    }
    if (pending.length === 0) {
      resolved.push(head);
      break;
    }
    const host = join(root, ...resolved, head);
    if (!dirs.has(host)) {
      const st = lstatSync(host, { throwIfNoEntry: false });
      if (st?.isSymbolicLink()) {
        if (++links > MAX_LINKS) throw new UnsafeLayerError(`too many symlinks resolving ${rel}`);
        const target = readlinkSync(host);
        if (target.startsWith('/')) resolved.length = 0;
        pending = [...components(target), ...pending];
        continue;
      }
      if (st?.isDirectory()) dirs.add(host);
    }
    resolved.push(head);
  }
  return resolved.length === 0 ? undefined : join(root, ...resolved);
}
