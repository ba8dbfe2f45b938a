// `wharf cluster validate`: whether a cluster is fit to work on (kops validate cluster): the API
// server's readiness checks, every Node Ready and without pressure, the system pods Ready, each
// leader-elected component's Lease held and renewed, and — so a drain or an upgrade is not
// surprised — the pods a PodDisruptionBudget lets nobody evict right now, by name. A pure
// judgement over what was read (judge) and a reader with a deadline (readCluster), so the
// command answers within its timeout and never hangs.
import type { V1Lease, V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { matchesSelector } from '@wharf/api';
import { ApiError, type KubeClient } from '@wharf/client';

/** Namespaces whose pods are the cluster's own: kube-system and Wharf's (wharf-*). */
export const isSystemNamespace = (ns: string): boolean => ns === 'kube-system' || ns.startsWith('wharf-');

export interface ClusterSnapshot {
  /** Failed checks of `/readyz?verbose` (`[-]name failed: …` lines), or the error reaching it. */
  readonly readyz: readonly string[];
  readonly nodes: readonly V1Node[];
  readonly pods: readonly V1Pod[];
  readonly leases: readonly V1Lease[];
  readonly pdbs: readonly V1PodDisruptionBudget[];
}

export type Severity = 'failure' | 'warning';

export interface Finding {
  readonly severity: Severity;
  /** What is wrong: `Node`, `Pod`, `Component`, `API`, `Eviction`. */
  readonly kind: string;
  readonly name: string;
  readonly message: string;
}

/** A control-plane member of a data dir (an API server or an etcd member) and whether it answered its health check. */
export interface MemberState {
  readonly name: string;
  readonly url: string;
  readonly healthy: boolean;
}

/** One failure per member of a control plane of three that does not answer healthy (`wharf up` restarts it). */
export function judgeMembers(apiServers: readonly MemberState[], etcd: readonly MemberState[]): Finding[] {
  const down = (kind: string, what: string) => (m: MemberState) =>
    m.healthy ? [] : [{ severity: 'failure' as const, kind, name: m.name, message: `${what} at ${m.url}` }];
  return [
    ...apiServers.flatMap(down('APIServer', 'not answering /readyz')),
    ...etcd.flatMap(down('Etcd', 'not healthy')),
  ];
}

const PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'];

/** What stands between this cluster and "valid", most serious first. `now` in ms. */
export function judge(s: ClusterSnapshot, now: number): Finding[] {
  const out: Finding[] = [];
  for (const check of s.readyz) out.push({ severity: 'failure', kind: 'API', name: 'readyz', message: check });
  if (s.nodes.length === 0)
    out.push({ severity: 'failure', kind: 'Node', name: '-', message: 'the cluster has no nodes' });
  for (const node of s.nodes) {
    const name = node.metadata?.name ?? '';
    const conditions = node.status?.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True')
      out.push({
        severity: 'failure',
        kind: 'Node',
        name,
        message: `not Ready${ready ? ` (${ready.reason ?? ready.status}${ready.message ? `: ${ready.message}` : ''})` : ': no Ready condition'}`,
      });
    for (const c of conditions)
      if (PRESSURE.includes(c.type) && c.status === 'True')
        out.push({ severity: 'failure', kind: 'Node', name, message: `${c.type}${c.message ? `: ${c.message}` : ''}` });
    if (node.spec?.unschedulable)
      out.push({ severity: 'warning', kind: 'Node', name, message: 'cordoned (unschedulable)' });
  }
  for (const pod of s.pods) {
    const ns = pod.metadata?.namespace ?? '';
    if (!isSystemNamespace(ns) || pod.status?.phase === 'Succeeded' || pod.metadata?.deletionTimestamp) continue;
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (ready) continue;
    const waiting = (pod.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).find(Boolean);
    out.push({
      severity: 'failure',
      kind: 'Pod',
      name: `${ns}/${pod.metadata?.name ?? ''}`,
      message: `system pod not Ready (${waiting ?? pod.status?.phase ?? 'Unknown'})`,
    });
  }
  for (const lease of s.leases) {
    const name = `${lease.metadata?.namespace ?? ''}/${lease.metadata?.name ?? ''}`;
    const holder = lease.spec?.holderIdentity;
    const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : NaN;
    const duration = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    if (!holder) out.push({ severity: 'failure', kind: 'Component', name, message: 'no leader holds the lease' });
    else if (!Number.isFinite(renewed) || now - renewed > 2 * duration)
      out.push({
        severity: 'failure',
        kind: 'Component',
        name,
        message: `leader ${holder} last renewed ${Number.isFinite(renewed) ? `${Math.round((now - renewed) / 1000)} s ago` : 'never'}`,
      });
  }
  for (const pdb of s.pdbs) {
    if ((pdb.status?.disruptionsAllowed ?? 0) > 0) continue;
    const ns = pdb.metadata?.namespace ?? '';
    const blocked = s.pods.filter(
      (p) =>
        p.metadata?.namespace === ns &&
        p.status?.phase === 'Running' &&
        pdb.spec?.selector !== undefined &&
        matchesSelector(pdb.spec.selector, p.metadata?.labels ?? {}),
    );
    for (const p of blocked)
      out.push({
        severity: 'warning',
        kind: 'Eviction',
        name: `${ns}/${p.metadata?.name ?? ''}`,
        message: `cannot be evicted now: PodDisruptionBudget ${pdb.metadata?.name ?? ''} allows 0 disruptions`,
      });
  }
  return out.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'failure' ? -1 : 1));
}

const failedChecks = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('[-]'));

/** Reads what judge() needs; each request is bounded by the client's timeout. */
export async function readCluster(client: KubeClient): Promise<ClusterSnapshot> {
  const readyz = await client.requestText('GET', '/readyz?verbose').then(
    failedChecks,
    // Not ready is a 500 whose body still lists the checks.
    (e: unknown) =>
      e instanceof ApiError && e.body.includes('[-]')
        ? failedChecks(e.body)
        : [`the API server is not ready: ${(e as Error).message}`],
  );
  const list = async <T>(path: string): Promise<T[]> => (await client.get<{ items: T[] }>(path)).items;
  const [nodes, pods, leases, pdbs] = await Promise.all([
    list<V1Node>('/api/v1/nodes'),
    list<V1Pod>('/api/v1/pods'),
    list<V1Lease>('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases'),
    list<V1PodDisruptionBudget>('/apis/policy/v1/poddisruptionbudgets'),
  ]);
  return { readyz, nodes, pods, leases, pdbs };
}
