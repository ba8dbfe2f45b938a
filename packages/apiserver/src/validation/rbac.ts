// RBAC kinds: policy rules (verbs, api groups, resources, non-resource URLs) and bindings
// (roleRef kind and group, subjects); a binding's roleRef cannot change.
import { isRecord } from '@wharf/api';
import { FieldPath, invalid, invalidRendered, notSupported, required, type FieldIssue } from './issues.js';
import { isPathSegmentName } from './names.js';
import { stableJson } from '../kinds/pod/validation.js';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Role (namespaced) and ClusterRole rules. */
export function validateRole(obj: Obj, namespaced: boolean): FieldIssue[] {
  const errs: FieldIssue[] = [];
  list(obj.rules).forEach((r, i) => {
    const rule = rec(r);
    const at = FieldPath.root('rules').index(i);
    if (list(rule.verbs).length === 0) errs.push(required(at.child('verbs'), 'verbs must contain at least one value'));
    const urls = list(rule.nonResourceURLs);
    if (urls.length > 0) {
      if (namespaced)
        errs.push(invalid(at.child('nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
      if (list(rule.apiGroups).length > 0 || list(rule.resources).length > 0 || list(rule.resourceNames).length > 0) {
        errs.push(
          invalid(
            at.child('nonResourceURLs'),
            urls,
            'rules cannot apply to both regular resources and non-resource URLs',
          ),
        );
      }
      return;
    }
    if (list(rule.apiGroups).length === 0)
      errs.push(required(at.child('apiGroups'), 'resource rules must supply at least one api group'));
    if (list(rule.resources).length === 0)
      errs.push(required(at.child('resources'), 'resource rules must supply at least one resource'));
  });
  return errs;
}

/** RoleBinding (namespaced) and ClusterRoleBinding. */
export function validateBinding(obj: Obj, namespaced: boolean): FieldIssue[] {
  const errs: FieldIssue[] = [];
  const ref = rec(obj.roleRef);
  const refPath = FieldPath.root('roleRef');
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported(refPath.child('apiGroup'), ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(ref.kind))) errs.push(notSupported(refPath.child('kind'), ref.kind ?? '', kinds));
  const name = str(ref.name);
  if (!name) errs.push(required(refPath.child('name')));
  else for (const msg of isPathSegmentName(name)) errs.push(invalid(refPath.child('name'), name, msg));
  list(obj.subjects).forEach((s, i) => {
    const subject = rec(s);
    const at = FieldPath.root('subjects').index(i);
    const sName = str(subject.name);
    if (!sName) errs.push(required(at.child('name')));
    switch (subject.kind) {
      case 'ServiceAccount':
        if (subject.apiGroup !== undefined && subject.apiGroup !== '')
          errs.push(notSupported(at.child('apiGroup'), subject.apiGroup, ['']));
        if (!namespaced && !str(subject.namespace)) errs.push(required(at.child('namespace')));
        break;
      case 'User':
      case 'Group':
        if (subject.apiGroup !== RBAC_GROUP)
          errs.push(notSupported(at.child('apiGroup'), subject.apiGroup ?? '', [RBAC_GROUP]));
        break;
      default:
        errs.push(notSupported(at.child('kind'), subject.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

export function validateBindingUpdate(obj: Obj, old: Obj): FieldIssue[] {
  if (stableJson(obj.roleRef) === stableJson(old.roleRef)) return [];
  const r = rec(obj.roleRef);
  const rendered = `rbac.RoleRef{APIGroup:${JSON.stringify(str(r.apiGroup))}, Kind:${JSON.stringify(str(r.kind))}, Name:${JSON.stringify(str(r.name))}}`;
  return [invalidRendered('roleRef', rendered, 'cannot change roleRef')];
}
