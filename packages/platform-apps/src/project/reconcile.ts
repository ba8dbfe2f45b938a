// A Project's decisions, without I/O: its namespaces exist and carry its label (an existing one
// is adopted, another project's is a conflict, one dropped from the spec is released, never
// deleted); in each, one RoleBinding per role with its members, bound to the aggregated
// ClusterRoles `wharf:project-<role>`; the project quota and container defaults in the
// namespaces the project created (in adopted ones only with quotaPolicy AllNamespaces: a team's
// existing quota is not rewritten unless asked); and status with each namespace's used/hard and
// the total. With networkIsolation DenyFromOtherProjects, each namespace gets the NetworkPolicy
// `project-isolation` (ingress from the project's namespaces and from namespaces of no project).
import type {
  V1Condition,
  V1LimitRange,
  V1Namespace,
  V1NetworkPolicy,
  V1ResourceQuota,
  V1RoleBinding,
  RbacV1Subject as V1Subject,
} from '@kubernetes/client-node';
import { quantityValue } from '@wharf/api';
import {
  GROUP,
  PROJECT_CREATED_ANNOTATION,
  PROJECT_LABEL,
  PROJECT_ROLES,
  type Project,
  type ProjectNamespaceStatus,
  type ProjectRole,
  type ProjectStatus,
} from '../types.js';

export const QUOTA_NAME = 'project-quota';
export const LIMITS_NAME = 'project-defaults';
export const ISOLATION_NAME = 'project-isolation';
export const bindingName = (role: ProjectRole): string => `wharf-project-${role}`;
export const clusterRoleName = (role: ProjectRole): string => `wharf:project-${role}`;
const MANAGED = { 'app.kubernetes.io/managed-by': 'wharf-platform' };

export type ProjectAction =
  | { readonly type: 'create-namespace'; readonly namespace: V1Namespace }
  | { readonly type: 'label-namespace'; readonly name: string; readonly labels: Record<string, string | null> }
  | {
      readonly type: 'put';
      readonly kind: ProjectObjectKind;
      readonly namespace: string;
      readonly object: V1RoleBinding | V1ResourceQuota | V1LimitRange | V1NetworkPolicy;
    }
  | { readonly type: 'delete'; readonly kind: ProjectObjectKind; readonly namespace: string; readonly name: string }
  | { readonly type: 'status'; readonly status: ProjectStatus };

export type ProjectObjectKind = 'RoleBinding' | 'ResourceQuota' | 'LimitRange' | 'NetworkPolicy';

export interface ProjectInputs {
  readonly namespaces: readonly V1Namespace[];
  /** Objects this controller may own, by namespace. */
  readonly bindings: (ns: string) => readonly V1RoleBinding[];
  readonly quota: (ns: string) => V1ResourceQuota | undefined;
  readonly limits: (ns: string) => V1LimitRange | undefined;
  /** The project's isolation policy in a namespace. @default none */
  readonly isolation?: (ns: string) => V1NetworkPolicy | undefined;
  readonly now: Date;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function subjects(p: Project, role: ProjectRole): V1Subject[] {
  return (p.spec.members ?? [])
    .filter((m) => m.role === role)
    .map((m) =>
      m.kind === 'ServiceAccount'
        ? { kind: 'ServiceAccount', name: m.name, namespace: m.namespace ?? 'default' }
        : { kind: m.kind, name: m.name, apiGroup: 'rbac.authorization.k8s.io' },
    );
}

function binding(p: Project, ns: string, role: ProjectRole, subs: V1Subject[]): V1RoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: {
      name: bindingName(role),
      namespace: ns,
      labels: { ...MANAGED, [PROJECT_LABEL]: p.metadata?.name ?? '' },
    },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleName(role) },
    subjects: subs,
  };
}

function quota(p: Project, ns: string): V1ResourceQuota | undefined {
  const hard = p.spec.resourceQuota?.hard;
  if (!hard || Object.keys(hard).length === 0) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: QUOTA_NAME, namespace: ns, labels: { ...MANAGED, [PROJECT_LABEL]: p.metadata?.name ?? '' } },
    spec: { hard: { ...hard } },
  };
}

function limits(p: Project, ns: string): V1LimitRange | undefined {
  const lr = p.spec.limitRange;
  if (!lr || (!lr.default && !lr.defaultRequest)) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: LIMITS_NAME, namespace: ns, labels: { ...MANAGED, [PROJECT_LABEL]: p.metadata?.name ?? '' } },
    spec: {
      limits: [
        {
          type: 'Container',
          ...(lr.default ? { _default: { ...lr.default } } : {}),
          ...(lr.defaultRequest ? { defaultRequest: { ...lr.defaultRequest } } : {}),
        },
      ],
    },
  };
}

/**
 * Ingress from the project's own namespaces and from namespaces that belong to no project (the
 * platform's, `default`); pods of other projects are refused. Egress is left alone.
 */
export function isolationPolicy(p: Project, ns: string): V1NetworkPolicy {
  const name = p.metadata?.name ?? '';
  // The wire shape (`from`), which client-node's type spells `_from`: this object is sent as JSON.
  const wire = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: ISOLATION_NAME, namespace: ns, labels: { ...MANAGED, [PROJECT_LABEL]: name } },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { [PROJECT_LABEL]: name } } },
            { namespaceSelector: { matchExpressions: [{ key: PROJECT_LABEL, operator: 'DoesNotExist' }] } },
          ],
        },
      ],
    },
  };
  return wire as unknown as V1NetworkPolicy;
}

/** Sums quantities per resource, written back canonically (whole numbers, or milli-units). */
export function sumQuantities(lists: readonly (Record<string, string> | undefined)[]): Record<string, string> {
  const sums = new Map<string, number>();
  for (const l of lists)
    for (const [k, v] of Object.entries(l ?? {})) sums.set(k, (sums.get(k) ?? 0) + (quantityValue(v) ?? 0));
  const text = (n: number): string => (Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`);
  return Object.fromEntries([...sums].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [k, text(n)]));
}

function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  now: Date,
  old: readonly V1Condition[] | undefined,
): V1Condition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: (prev?.status === status ? prev.lastTransitionTime : undefined) ?? now,
  };
}

export function reconcileProject(p: Project, inputs: ProjectInputs): ProjectAction[] {
  const name = p.metadata?.name ?? '';
  const actions: ProjectAction[] = [];
  const byName = new Map(inputs.namespaces.map((n) => [n.metadata?.name ?? '', n]));
  const statuses: ProjectNamespaceStatus[] = [];
  const wanted = new Set(p.spec.namespaces);
  for (const ns of p.spec.namespaces) {
    const existing = byName.get(ns);
    const owner = existing?.metadata?.labels?.[PROJECT_LABEL];
    if (existing && owner && owner !== name) {
      statuses.push({ name: ns, state: 'Conflict' });
      continue;
    }
    const created = !existing || existing.metadata?.annotations?.[PROJECT_CREATED_ANNOTATION] === name;
    if (!existing) {
      actions.push({
        type: 'create-namespace',
        namespace: {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: ns,
            labels: { [PROJECT_LABEL]: name },
            annotations: { [PROJECT_CREATED_ANNOTATION]: name },
          },
        },
      });
    } else if (!owner) {
      actions.push({ type: 'label-namespace', name: ns, labels: { [PROJECT_LABEL]: name } });
    }
    // Namespaces still being created: their objects come on the next pass.
    const terminating = existing?.status?.phase === 'Terminating';
    if (existing && !terminating) {
      const current = new Map(inputs.bindings(ns).map((b) => [b.metadata?.name ?? '', b]));
      for (const role of PROJECT_ROLES) {
        const subs = subjects(p, role);
        const have = current.get(bindingName(role));
        if (subs.length === 0) {
          if (have) actions.push({ type: 'delete', kind: 'RoleBinding', namespace: ns, name: bindingName(role) });
        } else {
          const want = binding(p, ns, role, subs);
          if (!have || !same(have.subjects, want.subjects) || !same(have.roleRef, want.roleRef))
            actions.push({ type: 'put', kind: 'RoleBinding', namespace: ns, object: want });
        }
      }
      if (created || p.spec.quotaPolicy === 'AllNamespaces') {
        const q = quota(p, ns);
        const haveQ = inputs.quota(ns);
        if (q && (!haveQ || !same(haveQ.spec?.hard, q.spec?.hard)))
          actions.push({ type: 'put', kind: 'ResourceQuota', namespace: ns, object: q });
        if (!q && haveQ?.metadata?.labels?.[PROJECT_LABEL] === name)
          actions.push({ type: 'delete', kind: 'ResourceQuota', namespace: ns, name: QUOTA_NAME });
        const l = limits(p, ns);
        const haveL = inputs.limits(ns);
        if (l && (!haveL || !same(haveL.spec, l.spec)))
          actions.push({ type: 'put', kind: 'LimitRange', namespace: ns, object: l });
        if (!l && haveL?.metadata?.labels?.[PROJECT_LABEL] === name)
          actions.push({ type: 'delete', kind: 'LimitRange', namespace: ns, name: LIMITS_NAME });
      }
      const haveI = inputs.isolation?.(ns);
      if (p.spec.networkIsolation === 'DenyFromOtherProjects') {
        const want = isolationPolicy(p, ns);
        if (!haveI || !same(haveI.spec, want.spec))
          actions.push({ type: 'put', kind: 'NetworkPolicy', namespace: ns, object: want });
      } else if (haveI?.metadata?.labels?.[PROJECT_LABEL] === name) {
        actions.push({ type: 'delete', kind: 'NetworkPolicy', namespace: ns, name: ISOLATION_NAME });
      }
    }
    const q = inputs.quota(ns);
    const owned = q?.metadata?.labels?.[PROJECT_LABEL] === name;
    statuses.push({
      name: ns,
      state: existing ? (created ? 'Created' : 'Adopted') : 'Missing',
      ...(owned ? { used: { ...(q.status?.used ?? {}) }, hard: { ...(q.status?.hard ?? q.spec?.hard ?? {}) } } : {}),
    });
  }
  // Namespaces the project no longer lists: released (label and bindings removed), never deleted.
  for (const n of inputs.namespaces) {
    const ns = n.metadata?.name ?? '';
    if (wanted.has(ns) || n.metadata?.labels?.[PROJECT_LABEL] !== name) continue;
    actions.push({ type: 'label-namespace', name: ns, labels: { [PROJECT_LABEL]: null } });
    for (const b of inputs.bindings(ns))
      if (b.metadata?.labels?.[PROJECT_LABEL] === name)
        actions.push({ type: 'delete', kind: 'RoleBinding', namespace: ns, name: b.metadata.name ?? '' });
    if (inputs.isolation?.(ns)?.metadata?.labels?.[PROJECT_LABEL] === name)
      actions.push({ type: 'delete', kind: 'NetworkPolicy', namespace: ns, name: ISOLATION_NAME });
  }
  const conflicts = statuses.filter((s) => s.state === 'Conflict').map((s) => s.name);
  const withQuota = statuses.filter((s) => s.hard);
  const status: ProjectStatus = {
    observedGeneration: p.metadata?.generation ?? 0,
    namespaces: statuses,
    ...(withQuota.length
      ? {
          total: {
            used: sumQuantities(withQuota.map((s) => s.used)),
            hard: sumQuantities(withQuota.map((s) => s.hard)),
          },
        }
      : {}),
    conditions: [
      condition(
        'Ready',
        conflicts.length === 0,
        conflicts.length ? 'NamespaceConflict' : 'Reconciled',
        conflicts.length
          ? `namespace(s) ${conflicts.join(', ')} belong to another project`
          : `${statuses.length} namespace(s)`,
        inputs.now,
        p.status?.conditions,
      ),
    ],
  };
  const comparable = (s: ProjectStatus | undefined): unknown => ({
    ...s,
    conditions: s?.conditions?.map((c) => ({ ...c, lastTransitionTime: undefined })),
  });
  if (!same(comparable(p.status), comparable(status))) actions.push({ type: 'status', status });
  return actions;
}

/**
 * Every member may read the Project itself (`kubectl get project NAME`, `wharf project get`): a
 * ClusterRole for this one object and a ClusterRoleBinding with all members, owned by the Project
 * so they go with it.
 */
export function projectReaderRbac(p: Project): { role: Record<string, unknown>; binding: Record<string, unknown> } {
  const name = p.metadata?.name ?? '';
  const roleName = `wharf:project:${name}:member`;
  const metadata = {
    name: roleName,
    labels: { ...MANAGED, [PROJECT_LABEL]: name },
    ownerReferences: [
      { apiVersion: `${GROUP}/v1alpha1`, kind: 'Project', name, uid: p.metadata?.uid ?? '', blockOwnerDeletion: false },
    ],
  };
  const seen = new Set<string>();
  const members = PROJECT_ROLES.flatMap((r) => subjects(p, r)).filter((s) => {
    const key = `${s.kind}/${s.namespace ?? ''}/${s.name}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return {
    role: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata,
      rules: [{ apiGroups: [GROUP], resources: ['projects'], resourceNames: [name], verbs: ['get', 'watch'] }],
    },
    binding: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: members,
    },
  };
}

/** The aggregated ClusterRoles members are bound to: each holds a built-in role and what is labelled for it. */
export function projectClusterRoles(): Record<string, unknown>[] {
  const from: Record<ProjectRole, string> = { admin: 'admin', developer: 'edit', viewer: 'view' };
  return PROJECT_ROLES.map((role) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: clusterRoleName(role), labels: MANAGED },
    aggregationRule: {
      clusterRoleSelectors: [
        { matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${from[role]}`]: 'true' } },
        { matchLabels: { [`${GROUP}/aggregate-to-project-${role}`]: 'true' } },
      ],
    },
    rules: [],
  }));
}
