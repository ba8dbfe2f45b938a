// APIService (apiregistration.k8s.io/v1) rules, as kube-aggregator's validation words them: the
// name is <version>.<group>, priorities in range, and a Service reference trusted either through
// a caBundle or insecureSkipTLSVerify, never both.
import { isRecord } from '@wharf/api';
import { FieldPath, forbidden, invalid, required, type FieldIssue } from './issues.js';

type Obj = Record<string, unknown>;

export function validateApiService(o: Obj): FieldIssue[] {
  const errs: FieldIssue[] = [];
  const spec = isRecord(o.spec) ? o.spec : {};
  const at = FieldPath.root('spec');
  const group = typeof spec.group === 'string' ? spec.group : '';
  const version = typeof spec.version === 'string' ? spec.version : '';
  const name = isRecord(o.metadata) && typeof o.metadata.name === 'string' ? o.metadata.name : '';
  if (!version) errs.push(required(at.child('version')));
  else if (name !== `${version}.${group}`)
    errs.push(invalid(FieldPath.root('metadata').child('name'), name, `must be ${version}.${group}`));
  const gpm = spec.groupPriorityMinimum;
  if (typeof gpm !== 'number' || gpm <= 0 || gpm > 20000)
    errs.push(invalid(at.child('groupPriorityMinimum'), gpm ?? 0, 'must be positive and less than 20000'));
  const vp = spec.versionPriority;
  if (typeof vp !== 'number' || vp <= 0 || vp > 1000)
    errs.push(invalid(at.child('versionPriority'), vp ?? 0, 'must be positive and less than 1000'));
  const service = isRecord(spec.service) ? spec.service : undefined;
  if (service) {
    if (!group) errs.push(required(at.child('group'), 'only v1 may have an empty group and it better be legacy kube'));
    if (typeof service.namespace !== 'string' || !service.namespace)
      errs.push(required(at.child('service', 'namespace')));
    if (typeof service.name !== 'string' || !service.name) errs.push(required(at.child('service', 'name')));
    const port = service.port ?? 443;
    if (typeof port !== 'number' || port < 1 || port > 65535)
      errs.push(
        invalid(at.child('service', 'port'), port, 'port is not valid: must be between 1 and 65535, inclusive'),
      );
    if (spec.insecureSkipTLSVerify === true && typeof spec.caBundle === 'string' && spec.caBundle) {
      errs.push(invalid(at.child('insecureSkipTLSVerify'), true, 'may not be true if caBundle is present'));
    }
  } else if (spec.insecureSkipTLSVerify === true) {
    errs.push(forbidden(at.child('insecureSkipTLSVerify'), 'local APIServices may not skip TLS verification'));
  }
  return errs;
}
