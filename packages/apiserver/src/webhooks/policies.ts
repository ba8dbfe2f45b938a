// ValidatingAdmissionPolicy (admissionregistration/v1): CEL validations bound to requests by
// ValidatingAdmissionPolicyBindings, evaluated in the API server between the mutating and the
// validating webhooks, as kube-apiserver does. Each expression sees `object`, `oldObject`,
// `request`, `namespaceObject`, `params` (policy-params.ts) and `variables`; a false one denies
// (Deny), warns (Warn) or is recorded in the request's audit event (Audit). auditAnnotations add
// `<policy>/<key>` annotations to that event. All expressions of one binding and parameter share
// upstream's runtime cost budget; running out of it is an evaluation error (failurePolicy applies).
import { isRecord, type StoredObject } from '@wharf/api';
import { ApiError } from '../errors.js';
import type { UserInfo } from '../objects/context.js';
import type { ResourceRegistry } from '../registry.js';
import type { Store } from '../storage/index.js';
import { CostBudget, OUT_OF_BUDGET } from '../validation/index.js';
import { admissionVars, evaluate, matchConditionsHold, OutOfBudget, withVariables, type CelVars } from './cel-vars.js';
import { ParamConfigError, paramsFor } from './policy-params.js';
import { webhookMatches, type AdmissionRequest, type Webhook } from './config.js';

const POLICIES = '/registry/admissionregistration.k8s.io/validatingadmissionpolicies/';
const BINDINGS = '/registry/admissionregistration.k8s.io/validatingadmissionpolicybindings/';

/** The audit annotation listing the failures of Audit bindings, as upstream names it. */
export const VALIDATION_FAILURE_ANNOTATION = 'validation.policy.admission.k8s.io/validation_failure';

const CODES: Readonly<Record<string, number>> = {
  Invalid: 422,
  Forbidden: 403,
  Unauthorized: 401,
  RequestEntityTooLarge: 413,
};

/** Match constraints (resource rules, selectors) reuse the webhook matcher. */
function matcher(name: string, m: unknown): Webhook {
  const c = isRecord(m) ? m : {};
  return {
    configuration: name,
    name,
    mutating: false,
    failurePolicy: 'Fail',
    timeoutSeconds: 0,
    reinvocationPolicy: 'Never',
    url: undefined,
    service: undefined,
    ca: undefined,
    rules: Array.isArray(c.resourceRules) ? c.resourceRules.filter(isRecord) : [],
    namespaceSelector: c.namespaceSelector,
    objectSelector: c.objectSelector,
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

/** Who asks, and where the outcomes that do not deny go. */
export interface PolicyCall {
  readonly user: UserInfo;
  readonly dryRun: boolean;
  /** Warn bindings' failures, for the response's Warning headers. */
  readonly warnings: string[];
  /** The request's audit event annotations (auditAnnotations, Audit bindings' failures). */
  readonly auditAnnotations?: Record<string, string>;
}

interface Failure {
  readonly message: string;
  readonly reason?: string;
  readonly index?: number;
}

const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);

export class PolicyAdmission {
  constructor(
    private readonly store: Store,
    private readonly registry: Pick<ResourceRegistry, 'byKind'>,
  ) {}

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
      if (!webhookMatches(strip(constraint), req, this.store) || excluded(pspec.matchConstraints, req, this.store))
        continue;
      // A binding's matchResources narrows the policy's constraints; without rules it adds none.
      if (isRecord(spec.matchResources)) {
        const narrowed = matcher(binding.metadata.name, spec.matchResources);
        const withRules = narrowed.rules.length
          ? narrowed
          : {
              ...narrowed,
              rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*', '*/*'] }],
            };
        if (!webhookMatches(strip(withRules), req, this.store) || excluded(spec.matchResources, req, this.store))
          continue;
      }
      out.push({ policy, binding });
    }
    return out;
  }

  mayApply(req: AdmissionRequest): boolean {
    return this.bound(req, false).length > 0;
  }

  /** Evaluates every bound policy against `req`; a Deny binding's failure throws, Warn and Audit ones are recorded. */
  validate(req: AdmissionRequest, call: PolicyCall): void {
    const audited: Record<string, unknown>[] = [];
    try {
      for (const { policy, binding } of this.bound(req, true)) {
        const pspec = isRecord(policy.spec) ? policy.spec : {};
        const bspec = isRecord(binding.spec) ? binding.spec : {};
        const actions = Array.isArray(bspec.validationActions) ? bspec.validationActions.map(String) : [];
        const names = { policy: policy.metadata.name, binding: binding.metadata.name };
        const denial = (f: Failure): ApiError => {
          const reason = f.reason && CODES[f.reason] ? f.reason : 'Invalid';
          return new ApiError(
            CODES[reason] ?? 422,
            reason,
            `ValidatingAdmissionPolicy '${names.policy}' with binding '${names.binding}' denied request: ${f.message}`,
          );
        };
        let params: ReturnType<typeof paramsFor>;
        try {
          params = paramsFor(pspec, bspec, req.namespace, this.store, this.registry);
        } catch (e) {
          if (!(e instanceof ParamConfigError)) throw e;
          if (pspec.failurePolicy === 'Ignore') continue;
          throw denial({ message: `failed to configure binding: ${e.message}` });
        }
        for (const param of params) {
          const failures = this.evaluate(req, call, pspec, names.policy, param);
          for (const f of failures) {
            if (actions.includes('Warn'))
              call.warnings.push(
                `Validation failed for ValidatingAdmissionPolicy '${names.policy}' with binding '${names.binding}': ${f.message}`,
              );
            if (actions.includes('Audit'))
              audited.push({
                message: f.message,
                policy: names.policy,
                binding: names.binding,
                expressionIndex: f.index ?? 0,
                validationActions: actions,
              });
          }
          const denied = failures[0];
          if (denied && actions.includes('Deny')) throw denial(denied);
        }
      }
    } finally {
      if (audited.length && call.auditAnnotations)
        call.auditAnnotations[VALIDATION_FAILURE_ANNOTATION] = JSON.stringify(audited);
    }
  }

  /** One policy with one parameter: its failures, after its audit annotations are recorded. */
  private evaluate(
    req: AdmissionRequest,
    call: PolicyCall,
    pspec: Record<string, unknown>,
    name: string,
    param: StoredObject | null,
  ): Failure[] {
    const failures: Failure[] = [];
    const budget = new CostBudget();
    try {
      const vars = withVariables(
        admissionVars(req, call.user, call.dryRun, this.store, param),
        records(pspec.variables),
        budget,
      );
      if (!this.conditionsHold(pspec, vars, name)) return [];
      records(pspec.validations).forEach((v, index) => {
        const message = this.failure(v, vars, pspec, budget);
        if (message) failures.push({ message, reason: typeof v.reason === 'string' ? v.reason : undefined, index });
      });
      for (const a of records(pspec.auditAnnotations)) {
        const expression = String(a.valueExpression ?? '');
        const value = evaluate(expression, vars, budget);
        if (typeof value === 'string' && value) {
          if (call.auditAnnotations) call.auditAnnotations[`${name}/${String(a.key)}`] = value;
        } else if (value instanceof Error && pspec.failurePolicy !== 'Ignore')
          failures.push({ message: `expression '${expression}' resulted in error: ${value.message}` });
      }
    } catch (e) {
      if (!(e instanceof OutOfBudget)) throw e;
      if (pspec.failurePolicy !== 'Ignore') failures.push({ message: OUT_OF_BUDGET });
    }
    return failures;
  }

  private conditionsHold(policy: Record<string, unknown>, vars: CelVars, name: string): boolean {
    const held = matchConditionsHold(records(policy.matchConditions), vars);
    if (!(held instanceof Error)) return held;
    if (policy.failurePolicy === 'Ignore') return false;
    throw new ApiError(422, 'Invalid', `ValidatingAdmissionPolicy '${name}': ${held.message}`);
  }

  /** Why a validation fails (its message), or undefined when it holds or its error may be ignored. */
  private failure(
    v: Record<string, unknown>,
    vars: CelVars,
    policy: Record<string, unknown>,
    budget: CostBudget,
  ): string | undefined {
    const expression = String(v.expression ?? '');
    const r = evaluate(expression, vars, budget);
    if (r === true) return undefined;
    if (r !== false) {
      if (policy.failurePolicy === 'Ignore') return undefined;
      return `expression '${expression}' resulted in error: ${r instanceof Error ? r.message : 'it is not a boolean'}`;
    }
    if (typeof v.message === 'string' && v.message) return v.message;
    if (typeof v.messageExpression === 'string') {
      const m = evaluate(v.messageExpression, vars, budget);
      if (typeof m === 'string' && m.trim()) return m;
    }
    return `failed expression: ${expression}`;
  }
}
