// ValidatingAdmissionPolicy (admissionregistration/v1): CEL validations bound to requests by
// ValidatingAdmissionPolicyBindings, evaluated in the API server between the mutating and the
// validating webhooks, as kube-apiserver does. Each expression sees `object`, `oldObject`,
// `request`, `namespaceObject` and `variables`; a false one denies (Deny) or warns (Warn).
import { isRecord, type StoredObject } from '@wharf/api';
import { ApiError } from '../errors.js';
import type { UserInfo } from '../objects/context.js';
import type { Store } from '../storage/index.js';
import { admissionVars, evaluate, matchConditionsHold, withVariables, type CelVars } from './cel-vars.js';
import { webhookMatches, type AdmissionRequest, type Webhook } from './config.js';

const POLICIES = '/registry/admissionregistration.k8s.io/validatingadmissionpolicies/';
const BINDINGS = '/registry/admissionregistration.k8s.io/validatingadmissionpolicybindings/';

const CODES: Readonly<Record<string, number>> = { Invalid: 422, Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413 };

/** Match constraints (resource rules, selectors) reuse the webhook matcher. */
function matcher(name: string, m: unknown): Webhook {
  const c = isRecord(m) ? m : {};
  return {
    configuration: name, name, mutating: false, failurePolicy: 'Fail', timeoutSeconds: 0, reinvocationPolicy: 'Never', url: undefined, service: undefined, ca: undefined,
    rules: Array.isArray(c.resourceRules) ? c.resourceRules.filter(isRecord) : [],
    namespaceSelector: c.namespaceSelector, objectSelector: c.objectSelector,
  };
}

function excluded(m: unknown, req: AdmissionRequest, store: Store): boolean {
  const rules = isRecord(m) && Array.isArray(m.excludeResourceRules) ? m.excludeResourceRules.filter(isRecord) : [];
  return rules.length > 0 && webhookMatches({ ...matcher('exclude', {}), rules }, req, store);
}

interface Bound {
  readonly policy: StoredObject;
  readonly binding: StoredObject;
}

export class PolicyAdmission {
  constructor(private readonly store: Store) {}

  /** The policy/binding pairs whose constraints (object selectors aside) cover the request. */
  private bound(req: AdmissionRequest, withObjectSelectors: boolean): Bound[] {
    const out: Bound[] = [];
    const policies = new Map(this.store.list(POLICIES).map((e) => [e.object.metadata.name, e.object]));
    for (const { object: binding } of this.store.list(BINDINGS)) {
      const spec = isRecord(binding.spec) ? binding.spec : {};
      const policy = policies.get(String(spec.policyName ?? ''));
      if (!policy) continue;
      const pspec = isRecord(policy.spec) ? policy.spec : {};
      const constraint = matcher(policy.metadata.name, pspec.matchConstraints);
      const strip = (w: Webhook): Webhook => (withObjectSelectors ? w : { ...w, objectSelector: undefined });
      if (!webhookMatches(strip(constraint), req, this.store) || excluded(pspec.matchConstraints, req, this.store)) continue;
      // A binding's matchResources narrows the policy's constraints; without rules it adds none.
      if (isRecord(spec.matchResources)) {
        const narrowed = matcher(binding.metadata.name, spec.matchResources);
        const withRules = narrowed.rules.length ? narrowed : { ...narrowed, rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*', '*/*'] }] };
        if (!webhookMatches(strip(withRules), req, this.store) || excluded(spec.matchResources, req, this.store)) continue;
      }
      out.push({ policy, binding });
    }
    return out;
  }

  mayApply(req: AdmissionRequest): boolean {
    return this.bound(req, false).length > 0;
  }

  /** Evaluates every bound policy against `req`; a Deny binding's failure throws, a Warn one warns. */
  validate(req: AdmissionRequest, user: UserInfo, dryRun: boolean, warnings: string[]): void {
    for (const { policy, binding } of this.bound(req, true)) {
      const pspec = isRecord(policy.spec) ? policy.spec : {};
      const bspec = isRecord(binding.spec) ? binding.spec : {};
      const actions = Array.isArray(bspec.validationActions) ? bspec.validationActions.map(String) : [];
      const vars = withVariables(admissionVars(req, user, dryRun, this.store), Array.isArray(pspec.variables) ? pspec.variables.filter(isRecord) : []);
      if (!this.conditionsHold(pspec, vars, policy.metadata.name)) continue;
      for (const v of Array.isArray(pspec.validations) ? pspec.validations.filter(isRecord) : []) {
        const failure = this.failure(v, vars, pspec);
        if (!failure) continue;
        const text = `ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${binding.metadata.name}' denied request: ${failure}`;
        if (actions.includes('Warn')) warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${binding.metadata.name}': ${failure}`);
        if (actions.includes('Deny')) {
          const reason = typeof v.reason === 'string' && CODES[v.reason] ? v.reason : 'Invalid';
          throw new ApiError(CODES[reason] ?? 422, reason, text);
        }
      }
    }
  }

  private conditionsHold(policy: Record<string, unknown>, vars: CelVars, name: string): boolean {
    const held = matchConditionsHold(Array.isArray(policy.matchConditions) ? policy.matchConditions.filter(isRecord) : [], vars);
    if (!(held instanceof Error)) return held;
    if (policy.failurePolicy === 'Ignore') return false;
    throw new ApiError(422, 'Invalid', `ValidatingAdmissionPolicy '${name}': ${held.message}`);
  }

  /** Why a validation fails (its message), or undefined when it holds or its error may be ignored. */
  private failure(v: Record<string, unknown>, vars: CelVars, policy: Record<string, unknown>): string | undefined {
    const expression = String(v.expression ?? '');
    const r = evaluate(expression, vars);
    if (r === true) return undefined;
    if (r !== false) {
      if (policy.failurePolicy === 'Ignore') return undefined;
      return `expression '${expression}' resulted in error: ${r instanceof Error ? r.message : 'it is not a boolean'}`;
    }
    if (typeof v.message === 'string' && v.message) return v.message;
    if (typeof v.messageExpression === 'string') {
      const m = evaluate(v.messageExpression, vars);
      if (typeof m === 'string' && m.trim()) return m;
    }
    return `failed expression: ${expression}`;
  }
}

