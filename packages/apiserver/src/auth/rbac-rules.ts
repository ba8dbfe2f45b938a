// RBAC PolicyRules: reading them from stored Role / ClusterRole objects, and deciding whether one
// rule allows a request, with the matching rules of Kubernetes' rbac helpers (wildcards,
// `*/scale`-style subresource rules, resourceNames, nonResourceURL prefixes ending in `*`).
import { isRecord } from '@wharf/api';
import type { KubeObject } from '@wharf/api';

/** rbac.authorization.k8s.io/v1 PolicyRule with every list present (empty when absent). */
export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

/** What a request asks to do; built by the REST layer from the URL and method. */
export interface Attributes {
  /**
   * get, list, watch, create, update, patch, delete, deletecollection, or a special verb (impersonate, bind, escalate,
   * use, approve); for non-resource requests the lower-cased HTTP method.
   */
  verb: string;
  /** "" for the core group. */
  apiGroup: string;
  resource: string;
  /** e.g. "log", "status", "scale"; "" when none. */
  subresource: string;
  /** "" for list, watch without a name, and create. */
  name: string;
  /** "" for cluster-scoped requests and for requests across all namespaces. */
  namespace: string;
  /** false for /healthz, /version, /api, /apis, /openapi/... */
  resourceRequest: boolean;
  /** The URL path, matched against nonResourceURLs when resourceRequest is false. */
  path: string;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** One PolicyRule from its JSON form; missing or malformed lists read as empty. */
export function toPolicyRule(v: unknown): PolicyRule {
  const r = isRecord(v) ? v : {};
  return {
    verbs: strings(r['verbs']),
    apiGroups: strings(r['apiGroups']),
    resources: strings(r['resources']),
    resourceNames: strings(r['resourceNames']),
    nonResourceURLs: strings(r['nonResourceURLs']),
  };
}

/** The `rules` of a Role or ClusterRole object. */
export function policyRulesOf(role: KubeObject): PolicyRule[] {
  const rules = role['rules'];
  return Array.isArray(rules) ? rules.map(toPolicyRule) : [];
}

/** The JSON form of a rule, leaving out empty lists as the API does (omitempty). */
export function policyRuleJson(rule: PolicyRule): Record<string, string[]> {
  const out: Record<string, string[]> = { verbs: [...rule.verbs] };
  if (rule.apiGroups.length > 0) out['apiGroups'] = [...rule.apiGroups];
  if (rule.resources.length > 0) out['resources'] = [...rule.resources];
  if (rule.resourceNames.length > 0) out['resourceNames'] = [...rule.resourceNames];
  if (rule.nonResourceURLs.length > 0) out['nonResourceURLs'] = [...rule.nonResourceURLs];
  return out;
}

/** Two rules are the same when all their lists are equal in order (the aggregation controller's test). */
export function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  const eq = (x: readonly string[], y: readonly string[]): boolean =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    eq(a.verbs, b.verbs) &&
    eq(a.apiGroups, b.apiGroups) &&
    eq(a.resources, b.resources) &&
    eq(a.resourceNames, b.resourceNames) &&
    eq(a.nonResourceURLs, b.nonResourceURLs)
  );
}

export const verbMatches = (rule: PolicyRule, verb: string): boolean => rule.verbs.some((v) => v === '*' || v === verb);

export const apiGroupMatches = (rule: PolicyRule, group: string): boolean =>
  rule.apiGroups.some((g) => g === '*' || g === group);

/**
 * `combined` is `resource` or `resource/subresource`. A rule resource matches when it is `*`, the
 * exact combined name, or `*\/<subresource>` for that subresource: `pods` alone does not grant
 * `pods/log`.
 */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return rule.resources.some(
    (r) =>
      r === '*' ||
      r === combined ||
      (subresource !== '' && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)),
  );
}

/** No resourceNames means any name; otherwise the request must name one of them (so list and create never match). */
export const resourceNameMatches = (rule: PolicyRule, name: string): boolean =>
  rule.resourceNames.length === 0 || rule.resourceNames.includes(name);

/** Exact URL, `*`, or a prefix rule ending in `*` (`/apis/*` matches `/apis/apps/v1`). */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return rule.nonResourceURLs.some(
    (u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))),
  );
}

/** Whether this one rule allows the request. */
export function ruleAllows(attrs: Attributes, rule: PolicyRule): boolean {
  if (attrs.resourceRequest) {
    const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    return (
      verbMatches(rule, attrs.verb) &&
      apiGroupMatches(rule, attrs.apiGroup) &&
      resourceMatches(rule, combined, attrs.subresource) &&
      resourceNameMatches(rule, attrs.name)
    );
  }
  return verbMatches(rule, attrs.verb) && nonResourceURLMatches(rule, attrs.path);
}
