// The RBAC authorizer: finds the bindings whose subjects include the user, resolves their roles,
// and allows the request when any rule matches, with the real API server's search order, subject
// rules, reasons and `system:masters` short-circuit. Storage is behind RbacSource.
import { isRecord } from '@wharf/api';
import type { KubeObject } from '@wharf/api';
import { ClusterRoleRules } from './rbac-aggregate.js';
import { policyRulesOf, ruleAllows } from './rbac-rules.js';
import type { Attributes, PolicyRule } from './rbac-rules.js';

export type { Attributes, PolicyRule } from './rbac-rules.js';

/** The authenticated user a request runs as. */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

/** Synchronous access to the stored RBAC objects (the lead backs it with an in-memory store). */
export interface RbacSource {
  roles(namespace: string): KubeObject[];
  roleBindings(namespace: string): KubeObject[];
  clusterRoles(): KubeObject[];
  clusterRoleBindings(): KubeObject[];
}

export interface Decision {
  allowed: boolean;
  /** On allow, which binding allowed it; on deny, role resolution errors or "". */
  reason: string;
}

export interface ResourceRuleInfo {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
}

export interface NonResourceRuleInfo {
  verbs: string[];
  nonResourceURLs: string[];
}

/** A SelfSubjectRulesReview status. */
export interface RulesReview {
  resourceRules: ResourceRuleInfo[];
  nonResourceRules: NonResourceRuleInfo[];
  /** True when some binding's role could not be found, so the lists may miss rules. */
  incomplete: boolean;
  evaluationError?: string;
}

/** The group whose members are allowed everything without consulting RBAC. */
export const SYSTEM_MASTERS = 'system:masters';
const SA_PREFIX = 'system:serviceaccount:';

/** The user name of a service account: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/** The UserInfo a service account token authenticates as, with the groups the real API server adds. */
export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  const user: UserInfo = {
    name: serviceAccountUsername(namespace, name),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
  if (uid !== undefined) user.uid = uid;
  return user;
}

/** Go's aggregate error text: one message alone, several deduplicated in brackets. */
function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}

interface Subject {
  kind: string;
  name: string;
  namespace: string;
}

function subjectsOf(binding: KubeObject): Subject[] {
  const subjects = binding['subjects'];
  if (!Array.isArray(subjects)) return [];
  return subjects.filter(isRecord).map((s) => ({
    kind: typeof s['kind'] === 'string' ? s['kind'] : '',
    name: typeof s['name'] === 'string' ? s['name'] : '',
    namespace: typeof s['namespace'] === 'string' ? s['namespace'] : '',
  }));
}

function roleRefOf(binding: KubeObject): { kind: string; name: string } {
  const ref = isRecord(binding['roleRef']) ? binding['roleRef'] : {};
  return {
    kind: typeof ref['kind'] === 'string' ? ref['kind'] : '',
    name: typeof ref['name'] === 'string' ? ref['name'] : '',
  };
}

/** A ServiceAccount subject without a namespace means the RoleBinding's own namespace. */
function appliesToUser(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.name === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns !== '' && user.name === serviceAccountUsername(ns, s.name);
    }
    default:
      return false;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

/** Called with each rule that applies (and its source), or with an error; return false to stop. */
type Visitor = (source: (() => string) | undefined, rule: PolicyRule | undefined, error: string | undefined) => boolean;

/** One rule a user holds through a binding (with where it comes from), or a role that could not be resolved. */
interface Grant {
  readonly source?: () => string;
  readonly rule?: PolicyRule;
  readonly error?: string;
}

/**
 * Users × namespaces whose grants are kept (a few KB each for the aggregated admin/edit roles); past
 * it the memo starts again empty, so many users across many namespaces cost a few MB at most.
 */
const MAX_MEMOIZED = 500;

export class RbacAuthorizer {
  /**
   * Each user's grants per namespace, in search order: resolving them walks every binding and
   * aggregates the ClusterRoles, which every request did again. Dropped by invalidate().
   */
  private readonly grants = new Map<string, readonly Grant[]>();

  constructor(private readonly source: RbacSource) {}

  /** Forgets the resolved grants: call it whenever a Role, ClusterRole or binding changes. */
  invalidate(): void {
    this.grants.clear();
  }

  /** Decides one request. Members of `system:masters` are allowed before RBAC is consulted. */
  authorize(user: UserInfo, attrs: Attributes): Decision {
    if (user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
    let allowedBy: string | undefined;
    const errors: string[] = [];
    this.visitRulesFor(user, attrs.namespace, (source, rule, error) => {
      if (rule && source && ruleAllows(attrs, rule)) {
        allowedBy = source();
        return false;
      }
      if (error) errors.push(error);
      return true;
    });
    if (allowedBy !== undefined) return { allowed: true, reason: `RBAC: allowed by ${allowedBy}` };
    return { allowed: false, reason: errors.length > 0 ? `RBAC: ${aggregate(errors)}` : '' };
  }

  /** Every rule the user holds in the namespace ("" for cluster-wide only): SelfSubjectRulesReview. */
  rulesFor(user: UserInfo, namespace: string): RulesReview {
    const review: RulesReview = { resourceRules: [], nonResourceRules: [], incomplete: false };
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_source, rule, error) => {
      if (rule && rule.resources.length > 0) {
        review.resourceRules.push({
          verbs: [...rule.verbs],
          apiGroups: [...rule.apiGroups],
          resources: [...rule.resources],
          resourceNames: [...rule.resourceNames],
        });
      }
      if (rule && rule.nonResourceURLs.length > 0) {
        review.nonResourceRules.push({ verbs: [...rule.verbs], nonResourceURLs: [...rule.nonResourceURLs] });
      }
      if (error) errors.push(error);
      return true;
    });
    if (errors.length > 0) {
      review.incomplete = true;
      review.evaluationError = aggregate(errors);
    }
    return review;
  }

  /** The user's grants in the namespace in search order, resolved once until invalidate(). */
  private visitRulesFor(user: UserInfo, namespace: string, visit: Visitor): void {
    const key = [namespace, user.name, ...user.groups].join('\u0000');
    let grants = this.grants.get(key);
    if (!grants) {
      const resolved: Grant[] = [];
      this.resolveGrants(user, namespace, (source, rule, error) => {
        resolved.push({ ...(source ? { source } : {}), ...(rule ? { rule } : {}), ...(error ? { error } : {}) });
        return true;
      });
      if (this.grants.size >= MAX_MEMOIZED) this.grants.clear();
      this.grants.set(key, resolved);
      grants = resolved;
    }
    for (const g of grants) if (!visit(g.source, g.rule, g.error)) return;
  }

  /** ClusterRoleBindings first, then the RoleBindings of the namespace, as the real resolver does. */
  private resolveGrants(user: UserInfo, namespace: string, visit: Visitor): void {
    let clusterRoles: ClusterRoleRules | undefined;
    const resolve = (ref: { kind: string; name: string }, bindingNamespace: string): PolicyRule[] | string => {
      if (ref.kind === 'ClusterRole') {
        clusterRoles ??= new ClusterRoleRules(this.source.clusterRoles());
        return (
          clusterRoles.rulesOf(ref.name) ??
          `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`
        );
      }
      if (ref.kind === 'Role') {
        const role =
          bindingNamespace === ''
            ? undefined
            : this.source.roles(bindingNamespace).find((r) => r.metadata?.name === ref.name);
        return role ? policyRulesOf(role) : `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`;
      }
      return `unsupported role reference kind: ${JSON.stringify(ref.kind)}`;
    };

    const visitBindings = (
      bindings: KubeObject[],
      bindingNamespace: string,
      kind: 'ClusterRoleBinding' | 'RoleBinding',
    ): boolean => {
      for (const binding of bindings) {
        const subject = subjectsOf(binding).find((s) => appliesToUser(user, s, bindingNamespace));
        if (!subject) continue;
        const ref = roleRefOf(binding);
        const rules = resolve(ref, bindingNamespace);
        if (typeof rules === 'string') {
          if (!visit(undefined, undefined, rules)) return false;
          continue;
        }
        const bindingName = binding.metadata?.name ?? '';
        const shownName = kind === 'RoleBinding' ? `${bindingName}/${bindingNamespace}` : bindingName;
        const source = (): string =>
          `${kind} ${JSON.stringify(shownName)} of ${ref.kind} ${JSON.stringify(ref.name)} to ${describeSubject(subject, kind === 'RoleBinding' ? bindingNamespace : '')}`;
        for (const rule of rules) if (!visit(source, rule, undefined)) return false;
      }
      return true;
    };

    if (!visitBindings(this.source.clusterRoleBindings(), '', 'ClusterRoleBinding')) return;
    if (namespace !== '') visitBindings(this.source.roleBindings(namespace), namespace, 'RoleBinding');
  }
}
