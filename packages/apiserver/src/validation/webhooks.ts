// Validating/MutatingWebhookConfiguration rules (admissionregistration/v1): unique webhook names,
// exactly one of url and service, HTTPS URLs, sideEffects None or NoneOnDryRun, v1 among the
// review versions, timeouts of 1–30 s, known policies and operations, matchConditions that compile.
// ValidatingAdmissionPolicies and their bindings: expressions that compile, known reasons and
// actions; params and audit annotations, which this server does not evaluate, are refused.
import { isRecord } from '@wharf/api';
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, type FieldIssue } from './issues.js';
import { compile } from './crd-cel.js';

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
    else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(name)) errs.push(invalid(at.child('name'), name, 'should be a domain with at least three segments separated by dots'));
    else if (names.has(name)) errs.push(duplicate(at.child('name'), name));
    names.add(name);
    const client = isRecord(h.clientConfig) ? h.clientConfig : {};
    const hasUrl = typeof client.url === 'string' && client.url !== '';
    const hasService = isRecord(client.service);
    if (hasUrl === hasService) errs.push(required(at.child('clientConfig'), 'exactly one of url or service is required'));
    if (hasUrl) {
      let url: URL | undefined;
      try {
        url = new URL(String(client.url));
      } catch {
        errs.push(invalid(at.child('clientConfig', 'url'), client.url, 'host must be specified'));
      }
      if (url && url.protocol !== 'https:') errs.push(invalid(at.child('clientConfig', 'url'), client.url, "'https' is the only allowed URL scheme"));
      if (url && (url.username || url.password)) errs.push(invalid(at.child('clientConfig', 'url'), client.url, 'user information is not permitted in the URL'));
      if (url && url.hash) errs.push(invalid(at.child('clientConfig', 'url'), client.url, 'fragments are not permitted in the URL'));
    }
    if (hasService && isRecord(client.service)) {
      const svc = client.service;
      if (typeof svc.namespace !== 'string' || !svc.namespace) errs.push(required(at.child('clientConfig', 'service', 'namespace'), 'service namespace is required'));
      if (typeof svc.name !== 'string' || !svc.name) errs.push(required(at.child('clientConfig', 'service', 'name'), 'service name is required'));
      if (svc.port !== undefined && (typeof svc.port !== 'number' || svc.port < 1 || svc.port > 65535)) errs.push(invalid(at.child('clientConfig', 'service', 'port'), svc.port, 'port is not valid: must be between 1 and 65535, inclusive'));
      if (svc.path !== undefined && (typeof svc.path !== 'string' || !svc.path.startsWith('/'))) errs.push(invalid(at.child('clientConfig', 'service', 'path'), svc.path, "must start with a '/'"));
    }
    if (h.sideEffects === undefined) errs.push(required(at.child('sideEffects'), 'must specify one of None, NoneOnDryRun'));
    else if (h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun') errs.push(notSupported(at.child('sideEffects'), h.sideEffects, ['None', 'NoneOnDryRun']));
    const versions = Array.isArray(h.admissionReviewVersions) ? h.admissionReviewVersions : [];
    if (!versions.length) errs.push(required(at.child('admissionReviewVersions'), 'must specify one of v1, v1beta1'));
    else if (!versions.includes('v1') && !versions.includes('v1beta1')) errs.push(invalid(at.child('admissionReviewVersions'), versions, 'must include at least one of v1, v1beta1'));
    else if (!versions.includes('v1')) errs.push(invalid(at.child('admissionReviewVersions'), versions, 'Wharf sends AdmissionReview v1 only: include v1'));
    if (h.timeoutSeconds !== undefined && (typeof h.timeoutSeconds !== 'number' || h.timeoutSeconds < 1 || h.timeoutSeconds > 30)) errs.push(invalid(at.child('timeoutSeconds'), h.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
    if (h.failurePolicy !== undefined && h.failurePolicy !== 'Ignore' && h.failurePolicy !== 'Fail') errs.push(notSupported(at.child('failurePolicy'), h.failurePolicy, ['Fail', 'Ignore']));
    if (h.matchPolicy !== undefined && h.matchPolicy !== 'Exact' && h.matchPolicy !== 'Equivalent') errs.push(notSupported(at.child('matchPolicy'), h.matchPolicy, ['Equivalent', 'Exact']));
    if (mutating && h.reinvocationPolicy !== undefined && h.reinvocationPolicy !== 'Never' && h.reinvocationPolicy !== 'IfNeeded') errs.push(notSupported(at.child('reinvocationPolicy'), h.reinvocationPolicy, ['IfNeeded', 'Never']));
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
      if (rule.scope !== undefined && !['*', 'Cluster', 'Namespaced'].includes(String(rule.scope))) errs.push(notSupported(rat.child('scope'), rule.scope, ['*', 'Cluster', 'Namespaced']));
    });
  });
  return errs;
}

/** Named CEL expressions (match conditions, variables) must have a name and compile. */
function checkExpressions(list: unknown, at: FieldPath, errs: FieldIssue[], named: boolean, field = 'expression'): void {
  (Array.isArray(list) ? list : []).forEach((c, i) => {
    const e = isRecord(c) ? c : {};
    if (named && (typeof e.name !== 'string' || !e.name)) errs.push(required(at.index(i).child('name')));
    const expr = e[field];
    if (typeof expr !== 'string' || !expr) {
      errs.push(required(at.index(i).child(field)));
      return;
    }
    const p = compile(expr);
    if (typeof p === 'string') errs.push(invalid(at.index(i).child(field), expr, `compilation failed: ${p}`));
  });
}

const POLICY_REASONS = ['Invalid', 'Forbidden', 'Unauthorized', 'RequestEntityTooLarge'];

export function validateAdmissionPolicy(o: Obj): FieldIssue[] {
  const errs: FieldIssue[] = [];
  const spec = isRecord(o.spec) ? o.spec : {};
  const at = FieldPath.root('spec');
  if (spec.paramKind !== undefined && spec.paramKind !== null) errs.push(forbidden(at.child('paramKind'), 'policy parameters are not supported by this server yet'));
  if (Array.isArray(spec.auditAnnotations) && spec.auditAnnotations.length) errs.push(forbidden(at.child('auditAnnotations'), 'audit annotations are not recorded by this server yet'));
  const rules = isRecord(spec.matchConstraints) && Array.isArray(spec.matchConstraints.resourceRules) ? spec.matchConstraints.resourceRules : [];
  if (!rules.length) errs.push(required(at.child('matchConstraints', 'resourceRules')));
  const validations = Array.isArray(spec.validations) ? spec.validations : [];
  if (!validations.length) errs.push(required(at.child('validations'), 'validations or auditAnnotations must contain at least one item'));
  checkExpressions(validations, at.child('validations'), errs, false);
  validations.forEach((v, i) => {
    if (!isRecord(v)) return;
    if (typeof v.messageExpression === 'string') checkExpressions([v], at.child('validations').index(i).child('messageExpression').index(0), errs, false, 'messageExpression');
    if (v.reason !== undefined && !POLICY_REASONS.includes(String(v.reason))) errs.push(notSupported(at.child('validations').index(i).child('reason'), v.reason, POLICY_REASONS));
  });
  checkExpressions(spec.matchConditions, at.child('matchConditions'), errs, true);
  checkExpressions(spec.variables, at.child('variables'), errs, true);
  if (spec.failurePolicy !== undefined && spec.failurePolicy !== 'Fail' && spec.failurePolicy !== 'Ignore') errs.push(notSupported(at.child('failurePolicy'), spec.failurePolicy, ['Fail', 'Ignore']));
  return errs;
}

export function validateAdmissionPolicyBinding(o: Obj): FieldIssue[] {
  const errs: FieldIssue[] = [];
  const spec = isRecord(o.spec) ? o.spec : {};
  const at = FieldPath.root('spec');
  if (typeof spec.policyName !== 'string' || !spec.policyName) errs.push(required(at.child('policyName')));
  if (spec.paramRef !== undefined && spec.paramRef !== null) errs.push(forbidden(at.child('paramRef'), 'policy parameters are not supported by this server yet'));
  const actions = Array.isArray(spec.validationActions) ? spec.validationActions.map(String) : [];
  if (!actions.length) errs.push(required(at.child('validationActions')));
  actions.forEach((a, i) => {
    if (a === 'Audit') errs.push(forbidden(at.child('validationActions').index(i), 'Audit is not recorded by this server yet'));
    else if (a !== 'Deny' && a !== 'Warn') errs.push(notSupported(at.child('validationActions').index(i), a, ['Audit', 'Deny', 'Warn']));
  });
  if (actions.includes('Deny') && actions.includes('Warn')) errs.push(invalid(at.child('validationActions'), actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  return errs;
}
