// CustomResourceDefinition objects: group, names, scope, versions (exactly one storage version),
// metadata.name == plural.group, each version's structural schema; group, scope and names
// fixed once created.
import { isRecord } from '@wharf/api';
import { FieldPath, immutable, invalid, invalidRendered, notSupported, required, type FieldIssue } from './issues.js';
import { isDNS1035Label, isDNS1123Subdomain } from './names.js';
import { validateStructuralSchema } from './crd-schema.js';
import { validateCelRules } from './crd-cel.js';
import { asSchema } from './crd-types.js';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const spec = FieldPath.root('spec');

export function validateCustomResourceDefinition(obj: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const errs: FieldIssue[] = [];
  const group = str(s.group);
  const names = rec(s.names);
  const plural = str(names.plural);
  const name = str(rec(obj.metadata).name);
  if (name && name !== `${plural}.${group}`)
    errs.push(invalid(FieldPath.root('metadata').child('name'), name, 'must be spec.names.plural+"."+spec.group'));

  if (!group) errs.push(required(spec.child('group')));
  else {
    for (const msg of isDNS1123Subdomain(group)) errs.push(invalid(spec.child('group'), group, msg));
    if (group.split('.').length < 2)
      errs.push(invalid(spec.child('group'), group, 'should be a domain with at least one dot'));
  }
  if (!s.scope) errs.push(required(spec.child('scope')));
  else if (s.scope !== 'Cluster' && s.scope !== 'Namespaced')
    errs.push(notSupported(spec.child('scope'), s.scope, ['Cluster', 'Namespaced']));

  errs.push(...validateNames(names, spec.child('names')));
  errs.push(...validateVersions(s.versions, spec.child('versions')));
  return errs;
}

function validateNames(names: Obj, path: FieldPath): FieldIssue[] {
  const errs: FieldIssue[] = [];
  for (const f of ['plural', 'singular'] as const) {
    const v = str(names[f]);
    if (!v) {
      if (f === 'plural') errs.push(required(path.child(f)));
      continue;
    }
    const msgs = isDNS1035Label(v);
    if (msgs.length > 0) errs.push(invalid(path.child(f), v, msgs.join(',')));
  }
  for (const f of ['kind', 'listKind'] as const) {
    const v = str(names[f]);
    if (!v) {
      if (f === 'kind') errs.push(required(path.child(f)));
      continue;
    }
    const msgs = isDNS1035Label(v.toLowerCase());
    if (msgs.length > 0)
      errs.push(invalid(path.child(f), v, `may have mixed case, but should otherwise match: ${msgs.join(',')}`));
  }
  if (names.listKind && names.listKind === names.kind)
    errs.push(invalid(path.child('listKind'), names.listKind, 'kind and listKind may not be the same'));
  list(names.shortNames).forEach((sn, i) => {
    const msgs = isDNS1035Label(str(sn));
    if (msgs.length > 0) errs.push(invalid(path.child('shortNames').index(i), sn, msgs.join(',')));
  });
  return errs;
}

function validateVersions(raw: unknown, path: FieldPath): FieldIssue[] {
  const versions = list(raw).map(rec);
  if (versions.length === 0) return [required(path)];
  const errs: FieldIssue[] = [];
  const seen = new Set<string>();
  let storage = 0;
  let duplicated = false;
  versions.forEach((v, i) => {
    const at = path.index(i);
    const name = str(v.name);
    if (!name) errs.push(required(at.child('name')));
    else {
      const msgs = isDNS1035Label(name);
      if (msgs.length > 0) errs.push(invalid(at.child('name'), name, msgs.join(',')));
    }
    if (seen.has(name)) duplicated = true;
    seen.add(name);
    if (v.storage === true) {
      storage++;
      if (v.served !== true)
        errs.push(invalid(at.child('served'), v.served ?? false, 'storage version must be served'));
    }
    const schema = rec(v.schema).openAPIV3Schema;
    if (schema === undefined) errs.push(required(at.child('schema', 'openAPIV3Schema'), 'schemas are required'));
    else {
      errs.push(...validateStructuralSchema(schema, at.child('schema', 'openAPIV3Schema').toString()));
      const s = asSchema(schema);
      if (s) validateCelRules(s, at.child('schema', 'openAPIV3Schema'), errs);
    }
  });
  const rendered = `[]apiextensions.CustomResourceDefinitionVersion{…${versions.length} versions…}`;
  if (duplicated) errs.push(invalidRendered(path, rendered, 'must contain unique version names'));
  if (storage !== 1)
    errs.push(invalidRendered(path, rendered, 'must have exactly one version marked as storage version'));
  return errs;
}

/** group, scope, names.plural and names.kind are fixed once the CRD is established. */
export function validateCustomResourceDefinitionUpdate(obj: Obj, old: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const o = rec(old.spec);
  const errs: FieldIssue[] = [];
  if (s.group !== o.group) errs.push(immutable(spec.child('group'), s.group ?? ''));
  if (s.scope !== o.scope) errs.push(immutable(spec.child('scope'), s.scope ?? ''));
  for (const f of ['plural', 'kind'] as const) {
    const now = rec(s.names)[f];
    if (now !== rec(o.names)[f]) errs.push(immutable(spec.child('names', f), now ?? ''));
  }
  return errs;
}
