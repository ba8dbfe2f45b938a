// The federation's decisions, pure: which member clusters a placed Application selects, each one's
// share of every component's replicas (moved away from members that are unreachable or have no
// Ready node), the copy each member gets, and the placement status gathered from the copies.
import { matchesSelector } from '@wharf/client';
import {
  ANNOTATIONS,
  LABELS,
  type Application,
  type MemberCluster,
  type Placement,
  type PlacementStatus,
} from '../types.js';

/** What the federation knows of one member when it reconciles an Application. */
export interface MemberView {
  readonly name: string;
  readonly healthy: boolean;
  /** Why it is not healthy, for the status. */
  readonly message?: string;
  /** The member's copy of the Application, when the member answered. */
  readonly copy?: Application;
}

/** Replicas per component name. */
export type Share = Record<string, number>;

/** The MemberClusters an Application's placement selects, in its order of preference. */
export function selectedClusters(placement: Placement, members: readonly MemberCluster[]): string[] {
  const names = new Set(members.map((m) => m.metadata?.name ?? ''));
  if (placement.clusters) return placement.clusters.filter((c) => names.has(c));
  const selector = placement.clusterSelector ?? {};
  return members
    .filter((m) => matchesSelector(selector, m.metadata?.labels))
    .map((m) => m.metadata?.name ?? '')
    .sort();
}

/**
 * Each selected member's share of each component's replicas. Only healthy members get replicas;
 * when none is healthy, every selected member keeps its share (there is nowhere better to go, and
 * the first member to recover serves at once).
 */
export function shares(app: Application, selected: readonly MemberView[]): Map<string, Share> {
  const healthy = selected.filter((m) => m.healthy);
  const serving = healthy.length ? healthy : selected;
  const policy = app.spec.placement?.policy ?? 'Spread';
  const out = new Map<string, Share>(selected.map((m) => [m.name, {}]));
  for (const c of app.spec.components) {
    const replicas = c.replicas ?? 1;
    for (const m of selected) (out.get(m.name) as Share)[c.name] = 0;
    if (!serving.length) continue;
    if (policy === 'Failover') {
      (out.get(serving[0]?.name ?? '') as Share)[c.name] = replicas;
      continue;
    }
    serving.forEach((m, i) => {
      const base = Math.floor(replicas / serving.length);
      (out.get(m.name) as Share)[c.name] = base + (i < replicas % serving.length ? 1 : 0);
    });
  }
  return out;
}

/** The copy of `app` a member runs: no placement, its share of the replicas, marked as federated. */
export function memberCopy(app: Application, share: Share, clusterID: string): Application {
  const { placement: _placement, ...spec } = app.spec;
  const meta = app.metadata ?? {};
  return {
    apiVersion: app.apiVersion ?? 'platform.wharf.dev/v1alpha1',
    kind: 'Application',
    metadata: {
      name: meta.name ?? '',
      namespace: meta.namespace ?? '',
      labels: { ...(meta.labels ?? {}), [LABELS.managedBy]: ANNOTATIONS.managedBy },
      annotations: { [ANNOTATIONS.federatedFrom]: `${clusterID}/${meta.namespace ?? ''}.${meta.name ?? ''}` },
    },
    spec: { ...spec, components: spec.components.map((c) => ({ ...c, replicas: share[c.name] ?? 0 })) },
  };
}

/** True when the member's copy already is what it should be (labels, annotations and spec). */
export function copyCurrent(have: Application | undefined, want: Application): boolean {
  if (!have) return false;
  const sub = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean =>
    Object.entries(b ?? {}).every(([k, v]) => a?.[k] === v);
  return (
    sub(have.metadata?.labels, want.metadata?.labels) &&
    sub(have.metadata?.annotations, want.metadata?.annotations) &&
    JSON.stringify(have.spec) === JSON.stringify(want.spec)
  );
}

/** Whether `copy` was written by this cluster's federation for `app` (never touch anyone else's). */
export function isOurCopy(copy: Application, app: Application, clusterID: string): boolean {
  const meta = app.metadata ?? {};
  return copy.metadata?.annotations?.[ANNOTATIONS.federatedFrom] === `${clusterID}/${meta.namespace}.${meta.name}`;
}

/** The Application's status.placement: each selected member's share and what its copy reports. */
export function placementStatus(selected: readonly MemberView[], planned: Map<string, Share>): PlacementStatus[] {
  return selected.map((m) => {
    const replicas = Object.values(planned.get(m.name) ?? {}).reduce((a, b) => a + b, 0);
    const components = m.copy?.status?.components ?? [];
    const url = m.copy?.status?.url;
    return {
      cluster: m.name,
      healthy: m.healthy,
      replicas,
      readyReplicas: components.reduce((a, c) => a + (c.readyReplicas ?? 0), 0),
      ...(url ? { url } : {}),
      ...(m.message ? { message: m.message } : {}),
    };
  });
}
