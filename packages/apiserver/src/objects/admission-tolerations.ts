// DefaultTolerationSeconds admission: a pod that does not already tolerate the not-ready and
// unreachable NoExecute taints gets tolerations for both with tolerationSeconds N, so its node's
// failure evicts it after N seconds (300 on a real cluster; demos and tests choose seconds).
import { isRecord } from '@wharf/api';
import type { AdmissionPlugin } from './context.js';

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

/** kube-apiserver's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;

/** Whether a toleration already covers the NoExecute taint `key` (an empty key or effect matches all). */
function tolerates(t: Record<string, unknown>, key: string): boolean {
  return (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect);
}

/** The DefaultTolerationSeconds plugin; `seconds` defaults to 300. */
export function defaultTolerationSeconds(seconds: number = DEFAULT_TOLERATION_SECONDS): AdmissionPlugin {
  return (req) => {
    const { group, kind } = req.served.info;
    if (req.subresource || !req.object || group !== '' || kind !== 'Pod' || req.operation === 'DELETE') return;
    const spec = req.object.spec;
    if (!isRecord(spec)) return;
    const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
    const existing = tolerations.filter(isRecord);
    for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
      if (!existing.some((t) => tolerates(t, key)))
        tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
    }
    if (tolerations.length) spec.tolerations = tolerations;
  };
}
