// The remediation ladder as a pure decision: for every node, from the policies, the nodes (their
// conditions and saved remediation state) and the pods on nodes being drained, what to do next.
// Taint and cordon → evict the pods (the Eviction API enforces PodDisruptionBudgets; a 429 just
// means "later") → the hook, once → nothing more until the condition clears, then uncordon. A node
// starts only within the budget: one node per zone at a time, none while other nodes are unhealthy.
import { STATE_ANNOTATION, type NodeRemediation, type Policy, type Step } from './policy.js';

export interface NodeLike {
  readonly metadata: {
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: { readonly conditions?: readonly { readonly type?: string; readonly status?: string }[] };
}

export interface PodLike {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly deletionTimestamp?: string;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly ownerReferences?: readonly { readonly kind?: string; readonly controller?: boolean }[];
  };
  readonly status?: { readonly phase?: string };
}

export type RemediationAction =
  | { readonly type: 'cordon'; readonly node: string; readonly policy: Policy; readonly state: NodeRemediation }
  | { readonly type: 'evict'; readonly node: string; readonly namespace: string; readonly pod: string }
  | {
      readonly type: 'step';
      readonly node: string;
      readonly state: NodeRemediation;
      readonly reason: string;
      readonly message: string;
    }
  | { readonly type: 'hook'; readonly node: string; readonly policy: Policy; readonly state: NodeRemediation }
  | { readonly type: 'uncordon'; readonly node: string; readonly state: NodeRemediation; readonly message: string }
  | { readonly type: 'defer'; readonly node: string; readonly message: string };

export interface RemediationInput {
  readonly policies: readonly Policy[];
  readonly nodes: readonly NodeLike[];
  /** Pods bound to each node under remediation, by node name. */
  readonly podsByNode: ReadonlyMap<string, readonly PodLike[]>;
  readonly now: Date;
}

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export function remediationState(n: NodeLike): NodeRemediation | undefined {
  const raw = n.metadata.annotations?.[STATE_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as NodeRemediation;
  } catch {
    return undefined;
  }
}

const conditionOf = (n: NodeLike, type: string): string | undefined =>
  n.status?.conditions?.find((c) => c.type === type)?.status;
const matches = (n: NodeLike, p: Policy): boolean =>
  Object.entries(p.matchLabels).every(([k, v]) => n.metadata.labels?.[k] === v);
const active = (n: NodeLike, p: Policy): boolean =>
  matches(n, p) && conditionOf(n, p.conditionType) === p.conditionStatus;
const zoneOf = (n: NodeLike): string => n.metadata.labels?.[ZONE_LABEL] ?? '';

/** Pods a drain must evict, as kubectl drain picks them: not DaemonSet pods, mirror pods or finished ones. */
export function evictable(pods: readonly PodLike[]): PodLike[] {
  return pods.filter(
    (p) =>
      !p.metadata.annotations?.['kubernetes.io/config.mirror'] &&
      !p.metadata.ownerReferences?.some((o) => o.controller && o.kind === 'DaemonSet') &&
      p.status?.phase !== 'Succeeded' &&
      p.status?.phase !== 'Failed',
  );
}

export function reconcileRemediation(input: RemediationInput): RemediationAction[] {
  const actions: RemediationAction[] = [];
  const at = input.now.toISOString().replace(/\.\d+Z$/, 'Z');
  const byName = new Map(input.policies.map((p) => [p.name, p]));
  const busyZones = new Map<string, number>();
  for (const n of input.nodes) if (remediationState(n)) busyZones.set(zoneOf(n), (busyZones.get(zoneOf(n)) ?? 0) + 1);
  const step = (node: string, s: NodeRemediation, next: Step, reason: string, message: string): RemediationAction => ({
    type: 'step',
    node,
    state: { ...s, step: next, since: at },
    reason,
    message,
  });

  for (const n of input.nodes) {
    const name = n.metadata.name;
    const s = remediationState(n);
    if (s) {
      const p = byName.get(s.policy);
      if (!p || !active(n, p)) {
        actions.push({
          type: 'uncordon',
          node: name,
          state: s,
          message: p
            ? `${p.conditionType} cleared: uncordoned (policy ${p.name})`
            : `policy ${s.policy} is gone: uncordoned`,
        });
        continue;
      }
      if (s.step === 'Cordoned') {
        const pods = p.drain ? evictable(input.podsByNode.get(name) ?? []) : [];
        const left = pods.filter((x) => !x.metadata.deletionTimestamp);
        for (const pod of left)
          actions.push({ type: 'evict', node: name, namespace: pod.metadata.namespace, pod: pod.metadata.name });
        if (pods.length === 0)
          actions.push(
            step(
              name,
              s,
              'Drained',
              'RemediationDrained',
              p.drain ? `drained for ${p.conditionType} (policy ${p.name})` : `drain disabled by policy ${p.name}`,
            ),
          );
      } else if (s.step === 'Drained' && p.hook) {
        actions.push({ type: 'hook', node: name, policy: p, state: { ...s, step: 'HookRunning', since: at } });
      }
      continue;
    }
    const p = input.policies.find((x) => active(n, x));
    if (!p) continue;
    const zone = zoneOf(n);
    const unhealthy = input.nodes.filter((o) => o.metadata.name !== name && conditionOf(o, 'Ready') !== 'True').length;
    if ((busyZones.get(zone) ?? 0) >= p.maxNodesPerZone) {
      actions.push({
        type: 'defer',
        node: name,
        message: `${p.conditionType}: waiting, ${busyZones.get(zone)} node(s) of zone "${zone}" already under remediation (budget ${p.maxNodesPerZone})`,
      });
    } else if (unhealthy > p.maxUnhealthyNodes) {
      actions.push({
        type: 'defer',
        node: name,
        message: `${p.conditionType}: waiting, the cluster is degraded (${unhealthy} other node(s) not Ready, budget ${p.maxUnhealthyNodes})`,
      });
    } else {
      busyZones.set(zone, (busyZones.get(zone) ?? 0) + 1);
      actions.push({
        type: 'cordon',
        node: name,
        policy: p,
        state: {
          policy: p.name,
          step: 'Cordoned',
          since: at,
          wasUnschedulable: n.spec?.unschedulable === true,
          taintKey: p.taint.key,
        },
      });
    }
  }
  return actions;
}
