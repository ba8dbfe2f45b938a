// The host side of the dataplane: iptables-save / iptables-restore (whichever backend the
// `iptables` command uses, nf_tables or legacy), and the route_localnet sysctl that lets DNAT
// send connections to 127.0.0.1 on to pods.
import { readFile, writeFile } from 'node:fs/promises';
import { exec, run } from '../util/exec.js';
import { cleanupText, parseSave, type SavedTable } from './rules.js';

export type IptablesBackend = 'nf_tables' | 'legacy';

/** `iptables --version` answers e.g. `iptables v1.8.9 (nf_tables)`; undefined when absent. */
export async function iptablesBackend(iptables = 'iptables'): Promise<IptablesBackend | undefined> {
  const r = await exec(iptables, ['--version']);
  if (r.code !== 0) return undefined;
  return r.stdout.includes('nf_tables') ? 'nf_tables' : 'legacy';
}

/** The filter and nat tables as iptables-save shows them. */
export async function saveTables(): Promise<Map<string, SavedTable>> {
  const out = new Map<string, SavedTable>();
  for (const table of ['filter', 'nat']) {
    const r = await run('iptables-save', ['-t', table]);
    const t = parseSave(r.stdout).get(table);
    if (t) out.set(table, t);
  }
  return out;
}

/** Applies restore text atomically per table, leaving everything it does not name alone. */
export async function restore(text: string): Promise<void> {
  await run('iptables-restore', ['--noflush', '-w', '5'], { input: text });
}

/**
 * Removes every chain named `<prefix>-…` and every jump into them from the filter and nat
 * tables: what `wharf reset` runs for a data dir whose proxy did not stop cleanly.
 * Answers whether anything was removed.
 */
export async function cleanup(prefix: string): Promise<boolean> {
  const text = cleanupText(prefix, await saveTables());
  if (!text) return false;
  await restore(text);
  return true;
}

const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';

/** Turns route_localnet on; answers the value to restore later (undefined when it was on). */
export async function enableRouteLocalnet(): Promise<string | undefined> {
  const before = (await readFile(ROUTE_LOCALNET, 'utf8')).trim();
  if (before === '1') return undefined;
  await writeFile(ROUTE_LOCALNET, '1');
  return before;
}

export async function restoreRouteLocalnet(value: string): Promise<void> {
  await writeFile(ROUTE_LOCALNET, value);
}

/** Whether bridged packets traverse iptables (br_netfilter loaded, bridge-nf-call-iptables=1). */
export async function bridgeNetfilter(): Promise<boolean> {
  try {
    return (await readFile('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8')).trim() === '1';
  } catch {
    return false;
  }
}
