// Writes a volume's files so that a reader never sees a mix of old and new content, in the
// kubelet's layout: the payload lives in a `..<timestamp>` directory, `..data` is a symlink to it,
// and each user-visible top-level name is a symlink `name → ..data/name`. An update writes a new
// timestamp directory, points a fresh `..data_tmp` symlink at it and renames that over `..data`
// (rename(2) is atomic), then fixes the user-visible links and removes the old directory.
import { randomInt } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { VolumeError } from './plugin.js';

/** One file of a volume's payload. */
export interface FileProjection {
  readonly data: Buffer;
  /** Permission bits, e.g. 0o644. */
  readonly mode: number;
}

/** Relative path (may contain `/`) → file. */
export type Payload = ReadonlyMap<string, FileProjection>;

const DATA = '..data';
const DATA_TMP = '..data_tmp';
const MAX_PATH = 4096;
const MAX_NAME = 255;

/** Checks a payload path as the kubelet does: relative, no `..` element, not starting with `..`. */
export function validatePayloadPath(p: string): string | undefined {
  if (p === '') return 'must not be empty';
  if (p.length > MAX_PATH) return `must be at most ${MAX_PATH} characters`;
  if (path.isAbsolute(p)) return 'must be a relative path';
  const parts = p.split('/');
  if (parts.some((s) => s.length > MAX_NAME)) return `each path element must be at most ${MAX_NAME} characters`;
  if (parts.includes('..')) return "must not contain '..'";
  if (p.startsWith('..')) return "must not start with '..'";
  return undefined;
}

export interface WriteOptions {
  /** @default Date.now */
  readonly clock?: () => number;
}

/**
 * Makes `targetDir` show exactly `payload`; answers false when it already did (nothing written).
 * `targetDir` must exist; files other than the payload's user-visible names are left alone.
 */
export async function writeAtomically(
  targetDir: string,
  payload: Payload,
  options: WriteOptions = {},
): Promise<boolean> {
  const clean = new Map<string, FileProjection>();
  for (const [p, f] of payload) {
    const why = validatePayloadPath(p);
    if (why) throw new VolumeError(`invalid path "${p}" in volume payload: ${why}`);
    clean.set(path.posix.normalize(p).replace(/\/+$/, ''), f);
  }
  const oldTs = await readlink(path.join(targetDir, DATA)).catch(() => undefined);
  const oldDir = oldTs !== undefined ? path.join(targetDir, oldTs) : undefined;
  if (oldDir && (await samePayload(oldDir, clean))) {
    await createUserVisible(targetDir, clean);
    return false;
  }
  const tsName = timestampName(options.clock?.() ?? Date.now());
  const tsDir = path.join(targetDir, tsName);
  await mkdir(tsDir, { mode: 0o755 });
  await chmod(tsDir, 0o755);
  for (const [p, f] of clean) {
    const file = path.join(tsDir, p);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    await writeFile(file, f.data, { mode: f.mode });
    await chmod(file, f.mode);
  }
  const tmp = path.join(targetDir, DATA_TMP);
  await rm(tmp, { force: true });
  await symlink(tsName, tmp);
  await rename(tmp, path.join(targetDir, DATA));
  await createUserVisible(targetDir, clean);
  if (oldDir) {
    const keep = topLevel(clean.keys());
    for (const name of topLevel(await filesUnder(oldDir))) {
      if (!keep.has(name)) await unlink(path.join(targetDir, name)).catch(() => undefined);
    }
  }
  // The old payload, and any left by a write that crashed half-way.
  for (const e of await readdir(targetDir)) {
    if (/^\.\.\d{4}_/.test(e) && e !== tsName) await rm(path.join(targetDir, e), { recursive: true, force: true });
  }
  return true;
}

/** `..2024_05_01_12_00_00.<random>`, as Go's MkdirTemp makes from the kubelet's prefix. */
function timestampName(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getUTCFullYear()}_${two(d.getUTCMonth() + 1)}_${two(d.getUTCDate())}_${two(d.getUTCHours())}_${two(d.getUTCMinutes())}_${two(d.getUTCSeconds())}`;
  return `..${stamp}.${randomInt(1_000_000_000, 4_000_000_000)}`;
}

function topLevel(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) out.add(p.split('/')[0] ?? p);
  return out;
}

async function createUserVisible(targetDir: string, payload: ReadonlyMap<string, FileProjection>): Promise<void> {
  for (const name of topLevel(payload.keys())) {
    const link = path.join(targetDir, name);
    const there = await lstat(link).catch(() => undefined);
    if (!there) await symlink(path.posix.join(DATA, name), link);
  }
}

/** Relative paths of the regular files below `dir`. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, rel)));
    else out.push(rel);
  }
  return out;
}

async function samePayload(dir: string, payload: ReadonlyMap<string, FileProjection>): Promise<boolean> {
  const files = await filesUnder(dir).catch(() => undefined);
  if (!files || files.length !== payload.size) return false;
  for (const rel of files) {
    const want = payload.get(rel);
    if (!want) return false;
    const file = path.join(dir, rel);
    if (((await stat(file)).mode & 0o7777) !== want.mode) return false;
    if (!(await readFile(file)).equals(want.data)) return false;
  }
  return true;
}
