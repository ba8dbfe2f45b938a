// Named network namespaces as iproute2 keeps them: a bind mount at /var/run/netns/<name>, so
// the namespace outlives every process in it and the agent can find it again after a restart.
import { existsSync, writeFileSync } from 'node:fs';
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
 * IPv6 off for every interface made in the namespace later (the pod's eth0; the loopback keeps ::1).
 * The cluster network is IPv4 only, and an interface with IPv6 on sends duplicate address detection,
 * MLD reports and router solicitations that the node's bridge floods to every other pod: about 160
 * packets through the bridge's ports per pod with 34 pods on it, and growing with their square.
 * A shell builtin, so the process that makes the namespace sets it (no fork); a kernel without
 * IPv6 has no such file, which is no error.
 */
const POD_IPV6_OFF = 'echo 1 2>/dev/null >/proc/sys/net/ipv6/conf/default/disable_ipv6';

/**
 * Creates the namespace with its loopback up, in one process: `unshare --net=<file>` persists it
 * as `ip netns add` does (a bind mount of the nsfs file), and a shell in it turns IPv6 off for the
 * interfaces to come (POD_IPV6_OFF) and execs `ip link set lo up`, so no `ip netns add` nor CNI
 * loopback plugin is spawned. `ipcNsFile`, when given, gets a new IPC namespace persisted the same
 * way by the same process; `tmpfs` is mounted by the shell too (unshare makes no mount namespace,
 * so the mount is the host's), one spawn instead of two.
 */
export async function addNetns(
  name: string,
  o: { readonly ipcNsFile?: string; readonly tmpfs?: TmpfsMount } = {},
): Promise<string> {
  const file = netnsPath(name);
  await mkdir(NETNS_DIR, { recursive: true });
  await writeFile(file, '', { flag: 'wx' });
  if (o.ipcNsFile) await writeFile(o.ipcNsFile, '');
  const mount = o.tmpfs ? 'mount -t tmpfs -o "$1" tmpfs "$2" && ' : '';
  const script = `${POD_IPV6_OFF}; ${mount}exec ip link set lo up`;
  const command = ['sh', '-c', script, 'sh', ...(o.tmpfs ? [o.tmpfs.options, o.tmpfs.dir] : [])];
  try {
    await run('unshare', [`--net=${file}`, ...(o.ipcNsFile ? [`--ipc=${o.ipcNsFile}`] : []), ...command]);
  } catch (e) {
    await exec('umount', [file]);
    await rm(file, { force: true });
    throw e;
  }
  return file;
}

/**
 * IPv6 off on a host interface of the cluster network (a pod's host-side veth, the node's bridge),
 * for the reason of POD_IPV6_OFF; the CNI bridge plugin makes and raises them itself, so this comes
 * just after, before the first delayed DAD or MLD packet. A file write, no fork; a kernel without
 * IPv6 (or an interface already gone) is no error.
 */
export function disableHostIpv6(ifName: string): void {
  if (!/^[\w.-]{1,15}$/.test(ifName)) return;
  try {
    writeFileSync(`/proc/sys/net/ipv6/conf/${ifName}/disable_ipv6`, '1');
  } catch {
    // no IPv6 in this kernel, or the interface went away
  }
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
