// audit.k8s.io/v1 Policy: which requests are audited and how much of them (None, Metadata,
// Request, RequestResponse). The first rule that matches decides, as upstream's policy checker
// (k8s.io/apiserver/pkg/audit/policy/checker.go); a request no rule matches is not audited.
import { parse } from 'yaml';

export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];
export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type Stage = (typeof STAGES)[number];

export interface GroupResources {
  readonly group?: string;
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
}

export interface PolicyRule {
  readonly level: Level;
  readonly users?: readonly string[];
  readonly userGroups?: readonly string[];
  readonly verbs?: readonly string[];
  readonly resources?: readonly GroupResources[];
  readonly namespaces?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
  readonly omitStages?: readonly Stage[];
}

export interface AuditPolicy {
  readonly rules: readonly PolicyRule[];
  readonly omitStages?: readonly Stage[];
}

/** What the policy needs to know of a request. */
export interface AuditAttributes {
  readonly user: { readonly name: string; readonly groups: readonly string[] };
  readonly verb: string;
  readonly resourceRequest: boolean;
  readonly path: string;
  readonly group: string;
  readonly namespace: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
}

export interface AuditDecision {
  readonly level: Level;
  readonly omitStages: ReadonlySet<Stage>;
}

export function evaluatePolicy(policy: AuditPolicy, a: AuditAttributes): AuditDecision {
  const rule = policy.rules.find((r) => ruleMatches(r, a));
  return {
    level: rule?.level ?? 'None',
    omitStages: new Set([...(policy.omitStages ?? []), ...(rule?.omitStages ?? [])]),
  };
}

function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users?.length && !r.users.includes(a.user.name)) return false;
  if (r.userGroups?.length && !a.user.groups.some((g) => r.userGroups?.includes(g))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return resourceMatches(r, a);
  if (r.nonResourceURLs?.length)
    return !a.resourceRequest && r.nonResourceURLs.some((spec) => pathMatches(a.path, spec));
  return true;
}

function resourceMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (!a.resourceRequest) return false;
  // Cluster-scoped resources match the namespace "".
  if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
  if (!r.resources?.length) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return r.resources.some(
    (gr) =>
      (gr.group ?? '') === a.group &&
      (!gr.resources?.length ||
        gr.resources.some((res) => {
          if (gr.resourceNames?.length && !gr.resourceNames.includes(a.name)) return false;
          if (res === combined || res === '*') return true;
          if (a.subresource && res.startsWith('*/') && res.slice(2) === a.subresource) return true;
          return res.endsWith('/*') && res.slice(0, -2) === a.resource;
        })),
  );
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.slice(0, -1));
}

/** Parses and checks a Policy document (YAML or JSON), naming the field that is wrong. */
export function parsePolicy(text: string, source = 'audit policy'): AuditPolicy {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`${source}: not YAML or JSON: ${(e as Error).message}`);
  }
  const d = doc as Record<string, unknown> | null;
  if (!d || typeof d !== 'object') throw new Error(`${source}: not a Policy object`);
  if (d.kind !== 'Policy' || !['audit.k8s.io/v1', 'audit.k8s.io/v1beta1'].includes(String(d.apiVersion)))
    throw new Error(
      `${source}: expected apiVersion audit.k8s.io/v1, kind Policy; got ${String(d.apiVersion)} ${String(d.kind)}`,
    );
  if (!Array.isArray(d.rules) || d.rules.length === 0)
    throw new Error(`${source}: 'rules' must list at least one rule`);
  const stages = (v: unknown, field: string): Stage[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((s) => !STAGES.includes(s as Stage)))
      throw new Error(`${source}: '${field}' must list stages of ${STAGES.join(', ')}`);
    return v as Stage[];
  };
  const strings = (v: unknown, field: string): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
      throw new Error(`${source}: '${field}' must be a list of strings`);
    return v as string[];
  };
  const rules = (d.rules as unknown[]).map((raw, i): PolicyRule => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const at = `rules[${i}]`;
    if (!LEVELS.includes(r.level as Level))
      throw new Error(`${source}: '${at}.level' must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(r.level)}`);
    const resources =
      r.resources === undefined
        ? undefined
        : (Array.isArray(r.resources) ? r.resources : [null]).map((g, j): GroupResources => {
            if (!g || typeof g !== 'object')
              throw new Error(
                `${source}: '${at}.resources[${j}]' must be an object with group, resources, resourceNames`,
              );
            const gr = g as Record<string, unknown>;
            return {
              group: typeof gr.group === 'string' ? gr.group : '',
              resources: strings(gr.resources, `${at}.resources[${j}].resources`),
              resourceNames: strings(gr.resourceNames, `${at}.resources[${j}].resourceNames`),
            };
          });
    const nonResourceURLs = strings(r.nonResourceURLs, `${at}.nonResourceURLs`);
    if (nonResourceURLs?.length && (resources?.length || strings(r.namespaces, `${at}.namespaces`)?.length))
      throw new Error(`${source}: '${at}' may not set nonResourceURLs together with resources or namespaces`);
    return {
      level: r.level as Level,
      users: strings(r.users, `${at}.users`),
      userGroups: strings(r.userGroups, `${at}.userGroups`),
      verbs: strings(r.verbs, `${at}.verbs`),
      resources,
      namespaces: strings(r.namespaces, `${at}.namespaces`),
      nonResourceURLs,
      omitStages: stages(r.omitStages, `${at}.omitStages`),
    };
  });
  return { rules, omitStages: stages(d.omitStages, 'omitStages') };
}
