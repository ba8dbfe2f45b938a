// Named network namespaces as iproute2 keeps them: a bind mount at /var/run/netns/<name>, so
// the namespace outlives every process in it and the agent can find it again after a restart.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exec, run } from '../util/exec.js';

export const NETNS_DIR = '/var/run/netns';

export function netnsPath(name: string): string {
  return path.join(NETNS_DIR, name);
}

export function netnsExists(name: string): boolean {
  return existsSync(netnsPath(name));
}

/** A tmpfs the namespaces' process mounts on the host (a pod's /dev/shm): no `mount` of its own. */
export interface TmpfsMount {
  readonly dir: string;
  /** mount(8)'s `-o`, e.g. `nosuid,nodev,noexec,mode=1777,size=65536k`. */
  readonly options: string;
}

/**
 * Creates the namespace with its loopback up, in one process: `unshare --net=<file>` persists it
 * as `ip netns add` does (a bind mount of the nsfs file) and runs `ip link set lo up` inside, so no
 * `ip netns add` nor CNI loopback plugin is spawned. `ipcNsFile`, when given, gets a new IPC
 * namespace persisted the same way by the same process; `tmpfs` is mounted by it too (through sh:
 * unshare makes no mount namespace, so the mount is the host's), one spawn instead of two.
 */
export async function addNetns(
  name: string,
  o: { readonly ipcNsFile?: string; readonly tmpfs?: TmpfsMount } = {},
): Promise<string> {
  const file = netnsPath(name);
  await mkdir(NETNS_DIR, { recursive: true });
  await writeFile(file, '', { flag: 'wx' });
  if (o.ipcNsFile) await writeFile(o.ipcNsFile, '');
  const loUp = ['ip', 'link', 'set', 'lo', 'up'];
  const command = o.tmpfs
    ? ['sh', '-c', `mount -t tmpfs -o "$1" tmpfs "$2" && exec ${loUp.join(' ')}`, 'sh', o.tmpfs.options, o.tmpfs.dir]
    : loUp;
  try {
    await run('unshare', [`--net=${file}`, ...(o.ipcNsFile ? [`--ipc=${o.ipcNsFile}`] : []), ...command]);
  } catch (e) {
    await exec('umount', [file]);
    await rm(file, { force: true });
    throw e;
  }
  return file;
}

/** Deletes the namespace (its veth ends go with it); a missing namespace is not an error. */
export async function deleteNetns(name: string): Promise<void> {
  if (!netnsExists(name)) return;
  const r = await exec('ip', ['netns', 'delete', name]);
  if (r.code !== 0 && netnsExists(name)) await run('ip', ['netns', 'delete', name]);
}

export async function listNetns(prefix = ''): Promise<string[]> {
  const names = await readdir(NETNS_DIR).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(prefix)).sort();
}
