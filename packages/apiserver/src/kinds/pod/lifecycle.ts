// What the Pod's strategy adds to the generic object lifecycle: the status of a new pod (Pending,
// with its QoS class) and graceful deletion (a bound, running pod waits for its node agent).
import { isRecord, type KubeObject, type StoredObject } from '@wharf/api';

/** A new pod starts Pending with its QoS class, whatever status the client sent. */
export function preparePodForCreate(pod: KubeObject): void {
  pod.status = { phase: 'Pending', qosClass: qosClass(pod) };
}

/** The pod's QoS class from its containers' requests and limits, as the real API computes it. */
function qosClass(pod: KubeObject): string {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const containers = [
    ...(Array.isArray(spec.containers) ? spec.containers : []),
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
  ].filter(isRecord);
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const res = isRecord(c.resources) ? c.resources : {};
    const req = isRecord(res.requests) ? res.requests : {};
    const lim = isRecord(res.limits) ? res.limits : {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/**
 * The grace period for deleting a pod (undefined: delete at once), as the pod strategy's
 * CheckGracefulDelete decides it: unbound and finished pods go at once; a pod bound to a node is
 * marked Terminating and waits for that node's agent to confirm its containers stopped (a delete
 * with gracePeriodSeconds 0), whether or not the agent is alive. A partitioned node may still run
 * the containers, so only an explicit gracePeriodSeconds 0 (a force delete: the agent, PodGC, an
 * operator) or a pod asking for 0 in its spec removes it without that confirmation.
 */
export function podGracePeriod(pod: StoredObject, asked: number | undefined): number | undefined {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const phase = isRecord(pod.status) ? pod.status.phase : undefined;
  if (typeof spec.nodeName !== 'string' || !spec.nodeName || phase === 'Succeeded' || phase === 'Failed')
    return undefined;
  const fromSpec = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
  return asked !== undefined && asked >= 0 ? asked : Math.max(0, fromSpec);
}
