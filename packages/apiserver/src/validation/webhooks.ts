// Validating/MutatingWebhookConfiguration rules (admissionregistration/v1): unique webhook names,
// exactly one of url and service, HTTPS URLs, sideEffects None or NoneOnDryRun, v1 among the
// review versions, timeouts of 1–30 s, known policies and operations. matchConditions (CEL) are
// refused until they are enforced: a condition that is accepted and ignored would let requests
// reach webhooks their authors meant to skip.
import { isRecord } from '@wharf/api';
import { duplicate, FieldPath, forbidden, invalid, notSupported, required, type FieldIssue } from './issues.js';

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
    if (Array.isArray(h.matchConditions) && h.matchConditions.length) errs.push(forbidden(at.child('matchConditions'), 'CEL match conditions are not enforced by this server yet; refusing them rather than ignoring them'));
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
