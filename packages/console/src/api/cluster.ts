// The Cluster page's judgement, the browser's copy of `wharf cluster validate`'s rules
// (packages/cli/src/cluster/validate.ts; the console imports nothing server-side): the API
// server's failed readiness checks, Nodes not Ready or under pressure or cordoned, system pods
// (kube-system, wharf-*) not Ready, and leader leases nobody holds or renews.
import type { KubeObject } from './types.js';

export interface Finding {
  severity: 'failure' | 'warning';
  kind: 'API' | 'Node' | 'Pod' | 'Component';
  name: string;
  message: string;
}

interface Cond {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
const PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'];
const isSystemNamespace = (ns: string): boolean => ns === 'kube-system' || ns.startsWith('wharf-');

/** The failed checks of `/readyz?verbose` (`[-]name failed: …`). */
export const failedChecks = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('[-]'));

export interface LeaseHealth {
  name: string;
  holder: string;
  renewedMsAgo: number | undefined;
  healthy: boolean;
}

export function leaseHealth(lease: KubeObject, now: number): LeaseHealth {
  const spec = (lease.spec ?? {}) as { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
  const renewed = spec.renewTime ? Date.parse(spec.renewTime) : NaN;
  const ago = Number.isFinite(renewed) ? now - renewed : undefined;
  return {
    name: lease.metadata.name,
    holder: spec.holderIdentity ?? '',
    renewedMsAgo: ago,
    healthy: !!spec.holderIdentity && ago !== undefined && ago <= 2 * (spec.leaseDurationSeconds ?? 15) * 1000,
  };
}

export function findings(
  s: { readyz: string[]; nodes: KubeObject[]; pods: KubeObject[]; leases: KubeObject[] },
  now: number,
): Finding[] {
  const out: Finding[] = s.readyz.map((message) => ({ severity: 'failure', kind: 'API', name: 'readyz', message }));
  for (const node of s.nodes) {
    const conds = (node.status as { conditions?: Cond[] } | undefined)?.conditions ?? [];
    const ready = conds.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True')
      out.push({
        severity: 'failure',
        kind: 'Node',
        name: node.metadata.name,
        message: `not Ready (${ready?.reason ?? ready?.status ?? 'no Ready condition'})`,
      });
    for (const c of conds)
      if (PRESSURE.includes(c.type) && c.status === 'True')
        out.push({
          severity: 'failure',
          kind: 'Node',
          name: node.metadata.name,
          message: `${c.type}${c.message ? `: ${c.message}` : ''}`,
        });
    if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable)
      out.push({ severity: 'warning', kind: 'Node', name: node.metadata.name, message: 'cordoned (unschedulable)' });
  }
  for (const pod of s.pods) {
    const ns = pod.metadata.namespace ?? '';
    const st = (pod.status ?? {}) as {
      phase?: string;
      conditions?: Cond[];
      containerStatuses?: { state?: { waiting?: { reason?: string } } }[];
    };
    if (
      !isSystemNamespace(ns) ||
      st.phase === 'Succeeded' ||
      (pod.metadata as { deletionTimestamp?: string }).deletionTimestamp
    )
      continue;
    if (st.conditions?.find((c) => c.type === 'Ready')?.status === 'True') continue;
    const waiting = (st.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).find(Boolean);
    out.push({
      severity: 'failure',
      kind: 'Pod',
      name: `${ns}/${pod.metadata.name}`,
      message: `system pod not Ready (${waiting ?? st.phase ?? 'Unknown'})`,
    });
  }
  for (const l of s.leases.map((x) => leaseHealth(x, now))) {
    if (!l.holder)
      out.push({ severity: 'failure', kind: 'Component', name: l.name, message: 'no leader holds the lease' });
    else if (!l.healthy)
      out.push({
        severity: 'failure',
        kind: 'Component',
        name: l.name,
        message: `leader ${l.holder} last renewed ${l.renewedMsAgo === undefined ? 'never' : `${Math.round(l.renewedMsAgo / 1000)} s ago`}`,
      });
  }
  return out.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'failure' ? -1 : 1));
}
