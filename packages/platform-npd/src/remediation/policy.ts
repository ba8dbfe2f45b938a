// The RemediationPolicy kind (platform.wharf.dev/v1alpha1, cluster-scoped): which node condition
// starts remediation, the ladder's steps and the budget. Defaults are applied once, here.
export const GROUP = 'platform.wharf.dev';
export const VERSION = 'v1alpha1';
export const POLICIES_PATH = `/apis/${GROUP}/${VERSION}/remediationpolicies`;
/** The node annotation holding a node's remediation state, so the ladder survives restarts. */
export const STATE_ANNOTATION = `${GROUP}/remediation`;
export const DEFAULT_TAINT_KEY = `${GROUP}/remediation`;

export interface RemediationPolicySpec {
  /** The node condition type that starts remediation, e.g. KernelDeadlock. */
  readonly conditionType: string;
  /** @default "True" */
  readonly conditionStatus?: string;
  /** Only nodes with these labels. @default every node */
  readonly nodeSelector?: { readonly matchLabels?: Readonly<Record<string, string>> };
  /** @default { key: platform.wharf.dev/remediation, effect: NoSchedule } */
  readonly taint?: { readonly key?: string; readonly value?: string; readonly effect?: string };
  /** @default { enabled: true } */
  readonly drain?: { readonly enabled?: boolean };
  /** Run after the drain: a command on the remediation controller's host, or a webhook. @default none */
  readonly hook?: {
    readonly command?: readonly string[];
    readonly webhook?: { readonly url: string };
    readonly timeoutSeconds?: number;
  };
  readonly budget?: {
    /** Nodes under remediation at once per zone (topology.kubernetes.io/zone). @default 1 */
    readonly maxNodesPerZone?: number;
    /** No new remediation while more other nodes than this are not Ready. @default 0 */
    readonly maxUnhealthyNodes?: number;
  };
}

export interface RemediationPolicy {
  readonly metadata: { readonly name: string };
  readonly spec: RemediationPolicySpec;
}

/** A policy's spec with every default filled in. */
export interface Policy {
  readonly name: string;
  readonly conditionType: string;
  readonly conditionStatus: string;
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly taint: { readonly key: string; readonly value?: string; readonly effect: string };
  readonly drain: boolean;
  readonly hook?: RemediationPolicySpec['hook'];
  readonly maxNodesPerZone: number;
  readonly maxUnhealthyNodes: number;
}

export function withDefaults(p: RemediationPolicy): Policy {
  const s = p.spec;
  return {
    name: p.metadata.name,
    conditionType: s.conditionType,
    conditionStatus: s.conditionStatus ?? 'True',
    matchLabels: s.nodeSelector?.matchLabels ?? {},
    taint: {
      key: s.taint?.key ?? DEFAULT_TAINT_KEY,
      ...(s.taint?.value ? { value: s.taint.value } : {}),
      effect: s.taint?.effect ?? 'NoSchedule',
    },
    drain: s.drain?.enabled ?? true,
    ...(s.hook && (s.hook.command?.length || s.hook.webhook) ? { hook: s.hook } : {}),
    maxNodesPerZone: s.budget?.maxNodesPerZone ?? 1,
    maxUnhealthyNodes: s.budget?.maxUnhealthyNodes ?? 0,
  };
}

/** Where a node is on the ladder. */
export type Step = 'Cordoned' | 'Drained' | 'HookRunning' | 'HookSucceeded' | 'HookFailed';

export interface NodeRemediation {
  readonly policy: string;
  readonly step: Step;
  readonly since: string;
  /** The node was already cordoned by someone else: uncordoning is not ours to do. */
  readonly wasUnschedulable: boolean;
  /** The taint we added, removed again on uncordon even if the policy is gone by then. */
  readonly taintKey: string;
}
