// Reads what the upgrade preflight judges (upgrade-plan.ts) from a running cluster: its version,
// nodes and agents' versions, PodDisruptionBudgets over the API; the apiVersion objects are stored
// in from the store file (reads convert, so only the store can tell); requests to group/versions
// the target removes from the audit log (last 24 h) and apiserver_request_total (since the API
// server started); the newest backup from the state store.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { V1Node, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { removedBetween, storedVersions, storedVersionsOnEtcd, type WindowedApi } from '@wharf/apiserver';
import { etcdMemberClientUrl } from '../etcd-member.js';
import type { KubeClient } from '@wharf/client';
import { listBackups } from './backup.js';
import type { StateOptions } from './lifecycle.js';
import type { ClusterSpec } from './spec.js';
import { versionOf, type Facts } from './upgrade-plan.js';

const DAY_MS = 24 * 3600_000;

/** The control plane's version, X.Y.Z. */
export async function currentVersion(c: KubeClient): Promise<string> {
  return versionOf((await c.get<{ gitVersion: string }>('/version')).gitVersion);
}

/** Requests per removed group/version in the audit log's last 24 h (it records writes, with their URI). */
async function auditRequests(
  dataDir: string,
  removed: readonly WindowedApi[],
  now: number,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const file = join(dataDir, 'audit.log');
  if (!removed.length || !existsSync(file)) return counts;
  const prefixes = removed.map((a) => ({ gv: `${a.group}/${a.version}`, path: `/apis/${a.group}/${a.version}/` }));
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line.includes('/apis/')) continue;
    try {
      const r = JSON.parse(line) as {
        ts?: string;
        uri?: string;
        requestURI?: string;
        requestReceivedTimestamp?: string;
      };
      const ts = Date.parse(r.ts ?? r.requestReceivedTimestamp ?? '');
      const uri = r.uri ?? r.requestURI ?? '';
      if (!(now - ts <= DAY_MS)) continue;
      for (const p of prefixes) if (uri.startsWith(p.path)) counts.set(p.gv, (counts.get(p.gv) ?? 0) + 1);
    } catch {
      // A line cut short by a crash is skipped.
    }
  }
  return counts;
}

/** apiserver_request_total summed per removed group/version (counted since the API server started). */
async function metricRequests(c: KubeClient, removed: readonly WindowedApi[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (!removed.length) return counts;
  const text = await c.requestText('GET', '/metrics');
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const group = /[{,]group="([^"]*)"/.exec(line)?.[1];
    const version = /[{,]version="([^"]*)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const api = removed.find((a) => a.group === group && a.version === version);
    if (api && value > 0)
      counts.set(`${api.group}/${api.version}`, (counts.get(`${api.group}/${api.version}`) ?? 0) + value);
  }
  return counts;
}

/** Everything the preflight needs, read from the running cluster `spec`. */
export async function gatherFacts(
  o: StateOptions,
  spec: Pick<ClusterSpec, 'name' | 'dataDir'>,
  c: KubeClient,
  to: string,
  backupMaxAgeMs: number,
): Promise<Facts> {
  const now = Date.now();
  const from = await currentVersion(c);
  const [nodes, pdbs] = await Promise.all([
    c.get<{ items: V1Node[] }>('/api/v1/nodes'),
    c.get<{ items: V1PodDisruptionBudget[] }>('/apis/policy/v1/poddisruptionbudgets'),
  ]);
  let removed: WindowedApi[] = [];
  try {
    removed = removedBetween(from, to);
  } catch {
    // A target outside the window: the plan refuses it already.
  }
  const db = join(spec.dataDir, 'wharf.db');
  const etcd = etcdMemberClientUrl(spec.dataDir);
  const resources = removed.flatMap((a) => a.resources);
  const stored = etcd ? await storedVersionsOnEtcd([etcd], resources) : storedVersions(db, resources);
  const [audit, metrics] = await Promise.all([auditRequests(spec.dataDir, removed, now), metricRequests(c, removed)]);
  const requested = [
    ...[...audit].map(([groupVersion, count]) => ({ groupVersion, count, source: 'audit log' })),
    ...[...metrics]
      .filter(([gv]) => !audit.has(gv))
      .map(([groupVersion, count]) => ({
        groupVersion,
        count,
        source: 'apiserver_request_total since the API server started',
      })),
  ];
  const backups = listBackups(o, spec.name);
  return {
    from,
    to,
    now,
    backupMaxAgeMs,
    agents: nodes.items.map((n) => ({
      node: n.metadata?.name ?? '',
      kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
    })),
    nodes: nodes.items.map((n) => ({
      name: n.metadata?.name ?? '',
      ready: n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true,
    })),
    pdbs: pdbs.items.map((p) => ({
      namespace: p.metadata?.namespace ?? '',
      name: p.metadata?.name ?? '',
      disruptionsAllowed: p.status?.disruptionsAllowed ?? 0,
      expectedPods: p.status?.expectedPods ?? 0,
    })),
    stored,
    requested,
    backup: backups.at(-1),
  };
}
