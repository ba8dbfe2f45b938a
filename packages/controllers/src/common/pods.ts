// Facts about pods and owners that several controllers share.
import type { V1OwnerReference, V1Pod, KubernetesObject } from '@kubernetes/client-node';
import { timeOf } from '@wharf/client';

export function controllerRef(o: KubernetesObject): V1OwnerReference | undefined {
  return o.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function isTerminating(o: KubernetesObject): boolean {
  return !!o.metadata?.deletionTimestamp;
}

/** Counted by workload controllers: not terminating and not finished. */
export function isActive(p: V1Pod): boolean {
  const phase = p.status?.phase;
  return !isTerminating(p) && phase !== 'Succeeded' && phase !== 'Failed';
}

export function readyCondition(p: V1Pod): { ready: boolean; since: number } {
  const c = p.status?.conditions?.find((x) => x.type === 'Ready');
  return { ready: c?.status === 'True', since: timeOf(c?.lastTransitionTime) };
}

export function isReady(p: V1Pod): boolean {
  return readyCondition(p).ready;
}

/** Ready for at least minReadySeconds at `now`. */
export function isAvailable(p: V1Pod, minReadySeconds: number, now: number): boolean {
  const { ready, since } = readyCondition(p);
  if (!ready) return false;
  if (minReadySeconds <= 0) return true;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

export function ownerRefTo(
  o: KubernetesObject & { apiVersion?: string; kind?: string },
  apiVersion: string,
  kind: string,
): V1OwnerReference {
  return {
    apiVersion,
    kind,
    name: o.metadata?.name ?? '',
    uid: o.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** JSON with sorted keys: equality of API objects regardless of key order. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(val as object).sort()) out[k] = (val as Record<string, unknown>)[k];
      return out;
    }
    return val;
  });
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
