// Named network namespaces as iproute2 keeps them: a bind mount at /var/run/netns/<name>, so
// the namespace outlives every process in it and the agent can find it again after a restart.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { exec, run } from '../util/exec.js';

export const NETNS_DIR = '/var/run/netns';

export function netnsPath(name: string): string {
  return path.join(NETNS_DIR, name);
}

export function netnsExists(name: string): boolean {
  return existsSync(netnsPath(name));
}

export async function addNetns(name: string): Promise<string> {
  await run('ip', ['netns', 'add', name]);
  return netnsPath(name);
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
