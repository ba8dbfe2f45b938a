// Node health as the node lifecycle controller observes it: a node is alive while its Lease in
// kube-node-lease or its Ready heartbeat keeps changing. Staleness is measured on our own clock
// from the moment we last saw a change (the probe time), as the real controller does, so clock
// skew between nodes and the controller does not matter, and a restarted controller gives every
// node a full grace period before judging it.
import type { V1Lease, V1Node, V1NodeCondition } from '@kubernetes/client-node';
import { timestamp } from '@wharf/client';

export interface NodeHealth {
  /** When we last saw the node's heartbeat or Lease change (our clock, ms). */
  readonly probe: number;
  readonly heartbeat: string;
  readonly renew: string;
}

export const UNKNOWN_REASON = 'NodeStatusUnknown';
export const UNKNOWN_MESSAGE = 'Kubelet stopped posting node status.';
export const NEVER_UPDATED_REASON = 'NodeStatusNeverUpdated';
export const NEVER_UPDATED_MESSAGE = 'Kubelet never posted node status.';
/** The conditions a kubelet posts and the controller marks Unknown when it goes silent. */
export const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export function readyCondition(node: V1Node): V1NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

export function observeHealth(
  prev: NodeHealth | undefined,
  node: V1Node,
  lease: V1Lease | undefined,
  now: number,
): NodeHealth {
  const heartbeat = String(readyCondition(node)?.lastHeartbeatTime ?? '');
  const renew = String(lease?.spec?.renewTime ?? '');
  if (!prev || prev.heartbeat !== heartbeat || prev.renew !== renew) return { probe: now, heartbeat, renew };
  return prev;
}

export function isStale(h: NodeHealth, now: number, gracePeriodMs: number): boolean {
  return now - h.probe > gracePeriodMs;
}

/**
 * The conditions a silent node gets: every kubelet condition Unknown (added when the kubelet
 * never posted it), heartbeat times untouched. Empty when they already say Unknown.
 */
export function unknownConditions(node: V1Node, now: number): V1NodeCondition[] {
  const out: V1NodeCondition[] = [];
  const at = timestamp(now);
  for (const type of KUBELET_CONDITIONS) {
    const c = node.status?.conditions?.find((x) => x.type === type);
    if (!c) {
      if (type === 'Ready')
        out.push({
          type,
          status: 'Unknown',
          reason: NEVER_UPDATED_REASON,
          message: NEVER_UPDATED_MESSAGE,
          lastHeartbeatTime: at,
          lastTransitionTime: at,
        });
      continue;
    }
    if (c.status === 'Unknown') continue;
    out.push({ ...c, status: 'Unknown', reason: UNKNOWN_REASON, message: UNKNOWN_MESSAGE, lastTransitionTime: at });
  }
  return out;
}
