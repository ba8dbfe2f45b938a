// How the process runtime turns a container's config into a host command: paths of the image are
// resolved inside its unpacked root filesystem as if it were the root (absolute symlinks are
// re-rooted, `..` stops at the top), argv[0] is looked up in the image first and on the host
// second, and the environment is the configured one plus the few variables that say where the
// image and the volumes are (there is no mount namespace to put them at their paths).
import { constants as fsConstants } from 'node:fs';
import { access, lstat, mkdir, readlink, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { BindMount, ContainerConfig } from './types.js';

/** The PATH containerd gives a container whose image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MAX_LINKS = 40;

/**
 * The host path of `p` (a path inside the image) under `root`. Every symlink on the way is
 * followed inside `root`; the last one only when its target is absolute (`last: 'absolute'`), so
 * `bin/sh -> busybox` stays `…/bin/sh` and busybox still sees `sh` as its name.
 */
export async function resolveInRoot(root: string, p: string, last: 'follow' | 'absolute' = 'follow'): Promise<string> {
  let rest = p.split('/').filter((s) => s !== '' && s !== '.');
  const done: string[] = [];
  let links = 0;
  while (rest.length > 0) {
    const name = rest.shift()!;
    if (name === '..') {
      done.pop();
      continue;
    }
    const host = path.join(root, ...done, name);
    const st = await lstat(host).catch(() => undefined);
    if (!st?.isSymbolicLink()) {
      done.push(name);
      continue;
    }
    const target = await readlink(host);
    if (rest.length === 0 && last === 'absolute' && !target.startsWith('/')) {
      done.push(name);
      continue;
    }
    if (++links > MAX_LINKS) throw new Error(`too many levels of symbolic links in ${p} (image root ${root})`);
    if (target.startsWith('/')) done.length = 0;
    rest = [...target.split('/').filter((s) => s !== '' && s !== '.'), ...rest];
  }
  return path.join(root, ...done);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface LookupOptions {
  /** The image's unpacked root filesystem. */
  readonly rootfs: string;
  /** The container's working dir (a path inside the image), for names like `./run.sh`. */
  readonly workingDir: string;
  /** The container's PATH (directories inside the image). */
  readonly path: string;
  /** Searched after the image: the host's PATH. */
  readonly hostPath: string;
}

/**
 * The host file to execute for argv[0] `name`: in the image first (absolute, relative to the
 * working dir, or through PATH), then on the host (the path itself, or through the host's PATH).
 */
export async function findExecutable(name: string, o: LookupOptions): Promise<string | undefined> {
  if (name === '') return undefined;
  if (name.includes('/')) {
    const inImage = await resolveInRoot(o.rootfs, path.posix.resolve(o.workingDir, name), 'absolute');
    if (await isExecutable(inImage)) return inImage;
    return path.isAbsolute(name) && (await isExecutable(name)) ? name : undefined;
  }
  for (const dir of o.path.split(':').filter((d) => d.startsWith('/'))) {
    const candidate = await resolveInRoot(o.rootfs, path.posix.join(dir, name), 'absolute');
    if (await isExecutable(candidate)) return candidate;
  }
  for (const dir of o.hostPath.split(':').filter((d) => d.startsWith('/'))) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Where the process runtime tells a container its image and volumes are. */
export interface ProcessEnvFacts {
  readonly rootfs: string;
  readonly hostname: string;
  /** `WHARF_MOUNTS`: a directory where each volumeMount's path is a symlink to the volume. */
  readonly mountsDir?: string;
}

/**
 * The container's environment as configured (later entries win), with PATH defaulted and led by
 * the image's own PATH directories re-rooted on the host, HOSTNAME defaulted to the pod's
 * hostname, WHARF_ROOTFS and, when it has volumes, WHARF_MOUNTS.
 */
export async function processEnv(config: ContainerConfig, facts: ProcessEnvFacts): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const e of config.env ?? []) env[e.name] = e.value;
  const imagePath = configuredPath(config);
  const inImage: string[] = [];
  for (const dir of imagePath.split(':').filter((d) => d.startsWith('/')))
    inImage.push(await resolveInRoot(facts.rootfs, dir));
  env.PATH = [...new Set(inImage), imagePath].join(':');
  env.HOSTNAME ??= facts.hostname;
  env.WHARF_ROOTFS = facts.rootfs;
  if (facts.mountsDir) env.WHARF_MOUNTS = facts.mountsDir;
  return env;
}

/** The PATH the container is configured with (directories inside the image). */
export function configuredPath(config: ContainerConfig): string {
  let p: string | undefined;
  for (const e of config.env ?? []) if (e.name === 'PATH') p = e.value;
  return p ?? DEFAULT_PATH;
}

/**
 * `<dir>/<containerPath>` → the volume's host path, for each mount. A mount below another mount's
 * path would have to be created inside that volume: it is left out.
 */
export async function linkMounts(dir: string, mounts: readonly BindMount[]): Promise<void> {
  if (mounts.length === 0) return;
  await mkdir(dir, { recursive: true });
  const sorted = [...mounts].sort((a, b) => a.containerPath.length - b.containerPath.length);
  for (const m of sorted) {
    const parts = m.containerPath.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
    if (parts.length === 0) continue;
    let parent = dir;
    let nested = false;
    for (const p of parts.slice(0, -1)) {
      parent = path.join(parent, p);
      const st = await lstat(parent).catch(() => undefined);
      if (st?.isSymbolicLink()) {
        nested = true;
        break;
      }
      if (!st) await mkdir(parent);
    }
    const link = path.join(dir, ...parts);
    if (nested || (await lstat(link).catch(() => undefined))) continue;
    await symlink(m.hostPath, link);
  }
}
