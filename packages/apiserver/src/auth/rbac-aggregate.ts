// ClusterRole aggregation: a ClusterRole with an aggregationRule holds the union of the rules of
// the ClusterRoles its clusterRoleSelectors match (how `admin` ⊇ `edit` ⊇ `view` and CRD roles
// labelled aggregate-to-view join them). Used at authorize time and by an aggregation controller.
import { clone, isRecord } from '@wharf/api';
import type { KubeObject } from '@wharf/api';
import { fromLabelSelectorObject } from '../selectors/index.js';
import type { LabelSelector } from '../selectors/index.js';
import { policyRuleJson, policyRulesOf, sameRule } from './rbac-rules.js';
import type { PolicyRule } from './rbac-rules.js';

const nameOf = (o: KubeObject): string => o.metadata?.name ?? '';
const byName = (a: KubeObject, b: KubeObject): number => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0);

/** The clusterRoleSelectors of a role's aggregationRule; undefined when the role aggregates nothing. */
export function aggregationSelectors(role: KubeObject): LabelSelector[] | undefined {
  const rule = role['aggregationRule'];
  if (!isRecord(rule)) return undefined;
  const selectors = Array.isArray(rule['clusterRoleSelectors']) ? rule['clusterRoleSelectors'] : [];
  const out: LabelSelector[] = [];
  for (const s of selectors) {
    try {
      out.push(fromLabelSelectorObject(s));
    } catch {
      // A selector the API would have rejected selects nothing, as in the real controller.
    }
  }
  return out;
}

/**
 * Resolves ClusterRole rules with aggregation applied, memoising each role. Nested aggregation
 * (admin aggregates edit, which aggregates view) is followed; a cycle falls back to the stored
 * rules of the role met again, which is what the real controller converges to.
 */
export class ClusterRoleRules {
  private readonly byNameMap = new Map<string, KubeObject>();
  private readonly sorted: KubeObject[];
  private readonly memo = new Map<string, PolicyRule[]>();
  private readonly resolving = new Set<string>();

  constructor(clusterRoles: readonly KubeObject[]) {
    for (const r of clusterRoles) this.byNameMap.set(nameOf(r), r);
    this.sorted = [...clusterRoles].sort(byName);
  }

  get(name: string): KubeObject | undefined {
    return this.byNameMap.get(name);
  }

  /** The rules the ClusterRole grants, or undefined when no ClusterRole has that name. */
  rulesOf(name: string): PolicyRule[] | undefined {
    const role = this.byNameMap.get(name);
    return role ? this.rulesOfRole(role) : undefined;
  }

  private rulesOfRole(role: KubeObject): PolicyRule[] {
    const name = nameOf(role);
    const cached = this.memo.get(name);
    if (cached) return cached;
    const selectors = aggregationSelectors(role);
    if (!selectors || this.resolving.has(name)) return policyRulesOf(role);
    this.resolving.add(name);
    const rules: PolicyRule[] = [];
    for (const selector of selectors) {
      for (const other of this.sorted) {
        if (nameOf(other) === name || !selector.matches(other.metadata?.labels)) continue;
        for (const rule of this.rulesOfRole(other)) {
          if (!rules.some((r) => sameRule(r, rule))) rules.push(rule);
        }
      }
    }
    this.resolving.delete(name);
    this.memo.set(name, rules);
    return rules;
  }
}

/**
 * Returns copies of the ClusterRoles with each aggregated role's `rules` filled in from the roles
 * its selectors match (the ClusterRoleAggregation controller's result). Roles without an
 * aggregationRule are returned unchanged (same object).
 */
export function aggregateClusterRoles(clusterRoles: readonly KubeObject[]): KubeObject[] {
  const resolver = new ClusterRoleRules(clusterRoles);
  return clusterRoles.map((role) => {
    if (!aggregationSelectors(role)) return role;
    const copy = clone(role);
    copy['rules'] = (resolver.rulesOf(nameOf(role)) ?? []).map(policyRuleJson);
    return copy;
  });
}
