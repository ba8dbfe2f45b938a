// Validating/MutatingWebhookConfiguration rules (admissionregistration/v1): unique webhook names,
// exactly one of url and service, HTTPS URLs, sideEffects None or NoneOnDryRun, v1 among the
// review versions, timeouts of 1–30 s, known policies and operations, matchConditions that compile.
// ValidatingAdmissionPolicies and their bindings: expressions that compile, known reasons and
// actions, well-formed paramKind, paramRef and auditAnnotations. An expression whose estimated cost
// is far over the runtime limit is accepted with a warning: upstream estimates no cost for admission
// expressions (it only stops them at runtime), so refusing one would refuse what a cluster accepts.
import { isRecord } from '@wharf/api';
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, type FieldIssue } from './issues.js';
import { compile } from './crd-cel.js';
import { expressionCost, overBudget, SCHEMA_COST_LIMIT } from './crd-cel-cost.js';
import { PER_CALL_LIMIT } from './cel-runtime-cost.js';

/** The variables an admission expression may use. */
const ADMISSION_VARIABLES = ['object', 'oldObject', 'request', 'namespaceObject', 'params', 'variables', 'authorizer'];

type Obj = Record<string, unknown>;

const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];

export function validateWebhookConfiguration(o: Obj, mutating: boolean): FieldIssue[] {
  const errs: FieldIssue[] = [];
  const hooks = Array.isArray(o.webhooks) ? o.webhooks : [];
  const names = new Set<string>();
  hooks.forEach((h, i) => {
    const at = FieldPath.root('webhooks').index(i);
    if (!isRecord(h)) {
      errs.push(invalid(at, h, 'must be an object'));
      return;
    }
    const name = typeof h.name === 'string' ? h.name : '';
    if (!name) errs.push(required(at.child('name')));
    else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(name))
      errs.push(invalid(at.child('name'), name, 'should be a domain with at least three segments separated by dots'));
    else if (names.has(name)) errs.push(duplicate(at.child('name'), name));
    names.add(name);
    const client = isRecord(h.clientConfig) ? h.clientConfig : {};
    const hasUrl = typeof client.url === 'string' && client.url !== '';
    const hasService = isRecord(client.service);
    if (hasUrl === hasService)
      errs.push(required(at.child('clientConfig'), 'exactly one of url or service is required'));
    if (hasUrl) {
      let url: URL | undefined;
      try {
        url = new URL(String(client.url));
      } catch {
        errs.push(invalid(at.child('clientConfig', 'url'), client.url, 'host must be specified'));
      }
      if (url && url.protocol !== 'https:')
        errs.push(invalid(at.child('clientConfig', 'url'), client.url, "'https' is the only allowed URL scheme"));
      if (url && (url.username || url.password))
        errs.push(invalid(at.child('clientConfig', 'url'), client.url, 'user information is not permitted in the URL'));
      if (url && url.hash)
        errs.push(invalid(at.child('clientConfig', 'url'), client.url, 'fragments are not permitted in the URL'));
    }
    if (hasService && isRecord(client.service)) {
      const svc = client.service;
      if (typeof svc.namespace !== 'string' || !svc.namespace)
        errs.push(required(at.child('clientConfig', 'service', 'namespace'), 'service namespace is required'));
      if (typeof svc.name !== 'string' || !svc.name)
        errs.push(required(at.child('clientConfig', 'service', 'name'), 'service name is required'));
      if (svc.port !== undefined && (typeof svc.port !== 'number' || svc.port < 1 || svc.port > 65535))
        errs.push(
          invalid(
            at.child('clientConfig', 'service', 'port'),
            svc.port,
            'port is not valid: must be between 1 and 65535, inclusive',
          ),
        );
      if (svc.path !== undefined && (typeof svc.path !== 'string' || !svc.path.startsWith('/')))
        errs.push(invalid(at.child('clientConfig', 'service', 'path'), svc.path, "must start with a '/'"));
    }
    if (h.sideEffects === undefined)
      errs.push(required(at.child('sideEffects'), 'must specify one of None, NoneOnDryRun'));
    else if (h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun')
      errs.push(notSupported(at.child('sideEffects'), h.sideEffects, ['None', 'NoneOnDryRun']));
    const versions = Array.isArray(h.admissionReviewVersions) ? h.admissionReviewVersions : [];
    if (!versions.length) errs.push(required(at.child('admissionReviewVersions'), 'must specify one of v1, v1beta1'));
    else if (!versions.includes('v1') && !versions.includes('v1beta1'))
      errs.push(invalid(at.child('admissionReviewVersions'), versions, 'must include at least one of v1, v1beta1'));
    else if (!versions.includes('v1'))
      errs.push(
        invalid(at.child('admissionReviewVersions'), versions, 'Wharf sends AdmissionReview v1 only: include v1'),
      );
    if (
      h.timeoutSeconds !== undefined &&
      (typeof h.timeoutSeconds !== 'number' || h.timeoutSeconds < 1 || h.timeoutSeconds > 30)
    )
      errs.push(
        invalid(at.child('timeoutSeconds'), h.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'),
      );
    if (h.failurePolicy !== undefined && h.failurePolicy !== 'Ignore' && h.failurePolicy !== 'Fail')
      errs.push(notSupported(at.child('failurePolicy'), h.failurePolicy, ['Fail', 'Ignore']));
    if (h.matchPolicy !== undefined && h.matchPolicy !== 'Exact' && h.matchPolicy !== 'Equivalent')
      errs.push(notSupported(at.child('matchPolicy'), h.matchPolicy, ['Equivalent', 'Exact']));
    if (
      mutating &&
      h.reinvocationPolicy !== undefined &&
      h.reinvocationPolicy !== 'Never' &&
      h.reinvocationPolicy !== 'IfNeeded'
    )
      errs.push(notSupported(at.child('reinvocationPolicy'), h.reinvocationPolicy, ['IfNeeded', 'Never']));
    checkExpressions(h.matchConditions, at.child('matchConditions'), errs, true);
    (Array.isArray(h.rules) ? h.rules : []).forEach((r, j) => {
      const rat = at.child('rules').index(j);
      const rule = isRecord(r) ? r : {};
      for (const f of ['operations', 'apiGroups', 'apiVersions', 'resources']) {
        if (!Array.isArray(rule[f]) || !(rule[f] as unknown[]).length) errs.push(required(rat.child(f)));
      }
      for (const [k, op] of (Array.isArray(rule.operations) ? rule.operations : []).entries()) {
        if (!OPERATIONS.includes(String(op))) errs.push(notSupported(rat.child('operations').index(k), op, OPERATIONS));
      }
      if (rule.scope !== undefined && !['*', 'Cluster', 'Namespaced'].includes(String(rule.scope)))
        errs.push(notSupported(rat.child('scope'), rule.scope, ['*', 'Cluster', 'Namespaced']));
    });
  });
  return errs;
}

/** Named CEL expressions (match conditions, variables) must have a name and compile. */
function checkExpressions(
  list: unknown,
  at: FieldPath,
  errs: FieldIssue[],
  named: boolean,
  field = 'expression',
): void {
  (Array.isArray(list) ? list : []).forEach((c, i) => {
    const e = isRecord(c) ? c : {};
    if (named && (typeof e.name !== 'string' || !e.name)) errs.push(required(at.index(i).child('name')));
    checkExpression(e[field], at.index(i).child(field), errs);
  });
}

/** One CEL expression: present, and it compiles. */
function checkExpression(expr: unknown, at: FieldPath, errs: FieldIssue[]): void {
  if (typeof expr !== 'string' || !expr) {
    errs.push(required(at));
    return;
  }
  const p = compile(expr);
  if (typeof p === 'string') errs.push(invalid(at, expr, `compilation failed: ${p}`));
}

const POLICY_REASONS = ['Invalid', 'Forbidden', 'Unauthorized', 'RequestEntityTooLarge'];

export function validateAdmissionPolicy(o: Obj): FieldIssue[] {
  const errs: FieldIssue[] = [];
  const spec = isRecord(o.spec) ? o.spec : {};
  const at = FieldPath.root('spec');
  if (spec.paramKind !== undefined && spec.paramKind !== null)
    checkParamKind(spec.paramKind, at.child('paramKind'), errs);
  const annotations = Array.isArray(spec.auditAnnotations) ? spec.auditAnnotations : [];
  checkAuditAnnotations(annotations, at.child('auditAnnotations'), errs);
  const rules =
    isRecord(spec.matchConstraints) && Array.isArray(spec.matchConstraints.resourceRules)
      ? spec.matchConstraints.resourceRules
      : [];
  if (!rules.length) errs.push(required(at.child('matchConstraints', 'resourceRules')));
  const validations = Array.isArray(spec.validations) ? spec.validations : [];
  if (!validations.length && !annotations.length)
    errs.push(required(at.child('validations'), 'validations or auditAnnotations must contain at least one item'));
  checkExpressions(validations, at.child('validations'), errs, false);
  validations.forEach((v, i) => {
    if (!isRecord(v)) return;
    if (v.messageExpression !== undefined)
      checkExpression(v.messageExpression, at.child('validations').index(i).child('messageExpression'), errs);
    if (v.reason !== undefined && !POLICY_REASONS.includes(String(v.reason)))
      errs.push(notSupported(at.child('validations').index(i).child('reason'), v.reason, POLICY_REASONS));
  });
  checkExpressions(spec.matchConditions, at.child('matchConditions'), errs, true);
  checkExpressions(spec.variables, at.child('variables'), errs, true);
  if (spec.failurePolicy !== undefined && spec.failurePolicy !== 'Fail' && spec.failurePolicy !== 'Ignore')
    errs.push(notSupported(at.child('failurePolicy'), spec.failurePolicy, ['Fail', 'Ignore']));
  return errs;
}

export function validateAdmissionPolicyBinding(o: Obj): FieldIssue[] {
  const errs: FieldIssue[] = [];
  const spec = isRecord(o.spec) ? o.spec : {};
  const at = FieldPath.root('spec');
  if (typeof spec.policyName !== 'string' || !spec.policyName) errs.push(required(at.child('policyName')));
  if (spec.paramRef !== undefined && spec.paramRef !== null) checkParamRef(spec.paramRef, at.child('paramRef'), errs);
  const actions = Array.isArray(spec.validationActions) ? spec.validationActions.map(String) : [];
  if (!actions.length) errs.push(required(at.child('validationActions')));
  actions.forEach((a, i) => {
    if (a !== 'Audit' && a !== 'Deny' && a !== 'Warn')
      errs.push(notSupported(at.child('validationActions').index(i), a, ['Audit', 'Deny', 'Warn']));
  });
  if (actions.includes('Deny') && actions.includes('Warn'))
    errs.push(
      invalid(
        at.child('validationActions'),
        actions,
        'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
      ),
    );
  return errs;
}

function checkParamKind(kind: unknown, at: FieldPath, errs: FieldIssue[]): void {
  const k = isRecord(kind) ? kind : {};
  if (typeof k.apiVersion !== 'string' || !k.apiVersion) errs.push(required(at.child('apiVersion')));
  else if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9a-z]+$/.test(k.apiVersion))
    errs.push(invalid(at.child('apiVersion'), k.apiVersion, 'must be a valid group/version'));
  if (typeof k.kind !== 'string' || !k.kind) errs.push(required(at.child('kind')));
}

const ANNOTATION_KEY = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function checkAuditAnnotations(list: readonly unknown[], at: FieldPath, errs: FieldIssue[]): void {
  const keys = new Set<string>();
  list.forEach((a, i) => {
    const key = isRecord(a) && typeof a.key === 'string' ? a.key : '';
    if (!key) errs.push(required(at.index(i).child('key')));
    else if (key.length > 63 || !ANNOTATION_KEY.test(key))
      errs.push(
        invalid(
          at.index(i).child('key'),
          key,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)",
        ),
      );
    else if (keys.has(key)) errs.push(duplicate(at.index(i).child('key'), key));
    keys.add(key);
  });
  checkExpressions(list, at, errs, false, 'valueExpression');
}

function checkParamRef(ref: unknown, at: FieldPath, errs: FieldIssue[]): void {
  const r = isRecord(ref) ? ref : {};
  const hasName = typeof r.name === 'string' && r.name !== '';
  const hasSelector = r.selector !== undefined && r.selector !== null;
  if (hasName && hasSelector) errs.push(forbidden(at.child('name'), 'name and selector are mutually exclusive'));
  if (!hasName && !hasSelector) errs.push(required(at, 'one of name or selector must be specified'));
  if (r.parameterNotFoundAction === undefined || r.parameterNotFoundAction === null)
    errs.push(required(at.child('parameterNotFoundAction')));
  else if (r.parameterNotFoundAction !== 'Allow' && r.parameterNotFoundAction !== 'Deny')
    errs.push(notSupported(at.child('parameterNotFoundAction'), r.parameterNotFoundAction, ['Allow', 'Deny']));
}

/**
 * Warnings for the expressions of a policy or webhook configuration whose estimated cost (every
 * list as long as a request allows) is beyond what the runtime limit lets run: in practice a loop
 * nested in a loop over an unbounded list. Such an expression fails (failurePolicy decides) once
 * the objects it walks are large.
 */
export function expressionCostWarnings(o: Obj): string[] {
  const out: string[] = [];
  const check = (list: unknown, at: FieldPath, field = 'expression'): void => {
    (Array.isArray(list) ? list : []).forEach((c, i) => {
      const expr = isRecord(c) ? c[field] : undefined;
      if (typeof expr !== 'string' || typeof compile(expr) === 'string') return;
      const cost = expressionCost(expr, ADMISSION_VARIABLES);
      if (cost > SCHEMA_COST_LIMIT)
        out.push(
          `${at.index(i).child(field).toString()}: estimated expression cost exceeds the runtime cost limit by factor of ${overBudget(cost, PER_CALL_LIMIT)} (try simplifying the expression): it fails once the lists it walks are long`,
        );
    });
  };
  const spec = isRecord(o.spec) ? o.spec : undefined;
  if (spec) {
    const at = FieldPath.root('spec');
    check(spec.validations, at.child('validations'));
    check(spec.validations, at.child('validations'), 'messageExpression');
    check(spec.matchConditions, at.child('matchConditions'));
    check(spec.variables, at.child('variables'));
    check(spec.auditAnnotations, at.child('auditAnnotations'), 'valueExpression');
  }
  (Array.isArray(o.webhooks) ? o.webhooks : []).forEach((h, i) => {
    if (isRecord(h)) check(h.matchConditions, FieldPath.root('webhooks').index(i).child('matchConditions'));
  });
  return out;
}
