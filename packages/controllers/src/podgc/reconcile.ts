// One pass of PodGC, without I/O, as kube-controller-manager's pod garbage collector: the pods
// nothing will ever confirm stopped are marked Failed and force-deleted. That is pods terminating
// on a not-ready node an operator tainted node.kubernetes.io/out-of-service (the node is known
// to be down: non-graceful node shutdown), pods bound to a node that no longer exists (after a
// quarantine, and only once the runner confirms the node is gone), and terminating pods never
// scheduled. A pod terminating on a merely unreachable node is left alone: it may still run.
import type { V1Node, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { timestamp } from '@wharf/client';

export const OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

/** Why PodGC force-deletes a pod (upstream's metric reasons). */
export type PodGcReason = 'terminating-out-of-service' | 'orphaned' | 'terminating-unscheduled';

export interface PodGcAction {
  readonly type: 'forceDelete';
  readonly pod: V1Pod;
  readonly reason: PodGcReason;
  /** The status to write first (phase Failed), unless the pod already finished. */
  readonly status?: V1Pod['status'];
  /** Orphaned pods: the node the runner must find gone (404) before deleting. */
  readonly missingNode?: string;
}

export interface PodGcObserved {
  readonly pods: readonly V1Pod[];
  readonly nodes: readonly V1Node[];
  /** Since when (our clock, ms) each missing node has been missing, from the previous pass. */
  readonly missingSince: ReadonlyMap<string, number>;
  readonly now: number;
}

export interface PodGcConfig {
  /** How long a node must be missing before its pods count as orphaned. */
  readonly quarantineMs: number;
}

export interface PodGcPlan {
  readonly actions: PodGcAction[];
  readonly missingSince: Map<string, number>;
}

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The pod's status marked Failed (with `condition` set, replacing one of its type). */
export function failedStatus(pod: V1Pod, condition?: V1PodCondition): V1Pod['status'] | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const status = { ...pod.status, phase: 'Failed' };
  if (!condition) return status;
  return {
    ...status,
    conditions: [...(pod.status?.conditions ?? []).filter((c) => c.type !== condition.type), condition],
  };
}

export function reconcilePodGc(observed: PodGcObserved, cfg: PodGcConfig): PodGcPlan {
  const { now } = observed;
  const nodes = new Map(observed.nodes.map((n) => [n.metadata?.name ?? '', n]));
  const actions: PodGcAction[] = [];
  const missingSince = new Map<string, number>();
  const forceDelete = (pod: V1Pod, reason: PodGcReason, condition?: V1PodCondition, missingNode?: string): void => {
    const status = failedStatus(pod, condition);
    actions.push({
      type: 'forceDelete',
      pod,
      reason,
      ...(status ? { status } : {}),
      ...(missingNode ? { missingNode } : {}),
    });
  };

  for (const pod of observed.pods) {
    const nodeName = pod.spec?.nodeName ?? '';
    const terminating = !!pod.metadata?.deletionTimestamp;
    if (!nodeName) {
      if (terminating) forceDelete(pod, 'terminating-unscheduled');
      continue;
    }
    const node = nodes.get(nodeName);
    if (!node) {
      const since = missingSince.get(nodeName) ?? observed.missingSince.get(nodeName) ?? now;
      missingSince.set(nodeName, since);
      if (now - since >= cfg.quarantineMs) {
        forceDelete(
          pod,
          'orphaned',
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'DeletionByPodGC',
            message: 'PodGC: node no longer exists',
            lastTransitionTime: timestamp(now),
          },
          nodeName,
        );
      }
      continue;
    }
    if (terminating && !isNodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE)) {
      forceDelete(pod, 'terminating-out-of-service');
    }
  }
  return { actions, missingSince };
}

/**
 * When the next pass is due: after the check period, or sooner when a missing node's quarantine
 * ends before that, so its pods go a quarantine after the node did, not up to a period later.
 */
export function nextPassMs(
  missingSince: ReadonlyMap<string, number>,
  now: number,
  cfg: PodGcConfig & { readonly checkPeriodMs: number },
): number {
  let next = cfg.checkPeriodMs;
  for (const since of missingSince.values()) {
    const left = since + cfg.quarantineMs - now;
    if (left > 0) next = Math.min(next, left);
  }
  return next;
}
