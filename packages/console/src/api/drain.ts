// Draining a node as `kubectl drain --ignore-daemonsets` does: cordon it, then evict each of its
// pods through the eviction subresource, which refuses (429) a pod whose PodDisruptionBudget
// allows no disruption now; such pods are named with the budget that holds them and asked again
// until they may go. DaemonSet pods stay (their controller ignores cordons), and so do mirror pods.
import { api, ApiError } from './client.js';
import type { KubeList, KubeObject } from './types.js';

interface OwnerRef {
  kind?: string;
  controller?: boolean;
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface DrainPlan {
  /** The pods to evict. */
  readonly evict: KubeObject[];
  /** Pods that stay: DaemonSet and mirror pods. */
  readonly stay: KubeObject[];
  /** Pods to evict that no controller recreates (gone for good). */
  readonly unmanaged: string[];
}

const owners = (p: KubeObject): OwnerRef[] => (p.metadata as { ownerReferences?: OwnerRef[] }).ownerReferences ?? [];

export function planDrain(pods: readonly KubeObject[]): DrainPlan {
  const stays = (p: KubeObject): boolean =>
    owners(p).some((o) => o.controller && o.kind === 'DaemonSet') ||
    p.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
  const evict = pods.filter((p) => !stays(p));
  return {
    evict,
    stay: pods.filter(stays),
    unmanaged: evict.filter((p) => !owners(p).some((o) => o.controller)).map((p) => p.metadata.name),
  };
}

/** Whether a label selector (matchLabels and matchExpressions) selects these labels; an empty selector selects all. */
export function selects(s: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!s) return false;
  const byLabels = Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabels &&
    (s.matchExpressions ?? []).every((e) => {
      const has = e.key in labels;
      const inValues = has && (e.values ?? []).includes(labels[e.key] as string);
      return e.operator === 'In'
        ? inValues
        : e.operator === 'NotIn'
          ? !inValues
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    })
  );
}

interface Budget extends KubeObject {
  spec?: { selector?: LabelSelector; minAvailable?: number | string; maxUnavailable?: number | string };
  status?: { currentHealthy?: number; desiredHealthy?: number; disruptionsAllowed?: number };
}

/** "web-pdb (minAvailable 1): 1 healthy, 1 needed, 0 disruptions allowed" for each budget selecting the pod. */
export function budgetNotes(pod: KubeObject, budgets: readonly Budget[]): string[] {
  return budgets
    .filter((b) => selects(b.spec?.selector, pod.metadata.labels))
    .map((b) => {
      const rule =
        b.spec?.minAvailable !== undefined
          ? `minAvailable ${b.spec.minAvailable}`
          : b.spec?.maxUnavailable !== undefined
            ? `maxUnavailable ${b.spec.maxUnavailable}`
            : '';
      const s = b.status ?? {};
      return `${b.metadata.name}${rule ? ` (${rule})` : ''}: ${s.currentHealthy ?? '?'} healthy, ${s.desiredHealthy ?? '?'} needed, ${s.disruptionsAllowed ?? '?'} disruptions allowed`;
    });
}

export type Eviction =
  | { readonly state: 'evicted' }
  | { readonly state: 'blocked' | 'failed'; readonly message: string; readonly budgets: string[] };

export async function evict(pod: KubeObject): Promise<Eviction> {
  const { name, namespace = '' } = pod.metadata;
  const ns = encodeURIComponent(namespace);
  try {
    await api(`/api/v1/namespaces/${ns}/pods/${encodeURIComponent(name)}/eviction`, {
      method: 'POST',
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
    });
    return { state: 'evicted' };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.code === 404) return { state: 'evicted' }; // gone already
    if (e.code !== 429) return { state: 'failed', message: e.message, budgets: [] };
    const budgets = await api<KubeList>(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`).then(
      (l) => budgetNotes(pod, l.items as Budget[]),
      () => [],
    );
    return { state: 'blocked', message: e.message, budgets };
  }
}
