// ObjectMeta checks shared by every kind: the per-kind name rule, namespace presence, label and
// annotation syntax, finalizers and owner references, plus the fields an update may not change.
import { isRecord, typeNameOf } from '@wharf/api';
import type { ResourceInfo } from '@wharf/api';
import { FieldPath, forbidden, immutable, invalid, required, tooLong, type FieldIssue } from './issues.js';
import { isDNS1123Label, isLabelValue, isQualifiedName, nameErrors, type NameRule } from './names.js';

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
// The API server's own CRD finalizer carries no '/', yet CRDs must accept it.
const STANDARD_FINALIZERS = new Set([
  'kubernetes',
  'orphan',
  'foregroundDeletion',
  'customresourcecleanup.apiextensions.k8s.io',
]);

export interface ObjectMetaOptions {
  /** True for namespaced kinds: metadata.namespace must be set. */
  namespaceRequired: boolean;
  /** The kind's name rule (its strategy's, kinds/). @default 'subdomain' */
  nameRule?: NameRule | undefined;
}

/** Validates `obj.metadata` on create (name generation, if any, has not happened yet). */
export function validateObjectMeta(obj: unknown, info: ResourceInfo, opts: ObjectMetaOptions): FieldIssue[] {
  const path = FieldPath.root('metadata');
  const meta = isRecord(obj) && isRecord(obj.metadata) ? obj.metadata : {};
  const errs: FieldIssue[] = [];
  const rule = opts.nameRule ?? 'subdomain';
  const name = str(meta.name);
  const generateName = str(meta.generateName);

  if (generateName) {
    for (const msg of nameErrors(rule, generateName, true))
      errs.push(invalid(path.child('generateName'), generateName, msg));
  }
  if (!name) {
    if (!generateName && !info.virtual) errs.push(required(path.child('name'), 'name or generateName is required'));
  } else {
    for (const msg of nameErrors(rule, name)) errs.push(invalid(path.child('name'), name, msg));
  }

  const namespace = str(meta.namespace);
  if (opts.namespaceRequired) {
    if (!namespace) errs.push(required(path.child('namespace')));
    else for (const msg of isDNS1123Label(namespace)) errs.push(invalid(path.child('namespace'), namespace, msg));
  } else if (namespace) {
    errs.push(forbidden(path.child('namespace'), 'not allowed on this type'));
  }

  if (typeof meta.generation === 'number' && meta.generation < 0) {
    errs.push(invalid(path.child('generation'), meta.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, path.child('ownerReferences')));
  const builtin = typeNameOf(info.group, info.version, info.kind) !== undefined;
  errs.push(...validateFinalizers(meta.finalizers, path.child('finalizers'), builtin));
  return errs;
}

/** Metadata fields an update may not change, and the label/annotation rules again. */
export function validateObjectMetaUpdate(obj: unknown, old: unknown): FieldIssue[] {
  const path = FieldPath.root('metadata');
  const meta = isRecord(obj) && isRecord(obj.metadata) ? obj.metadata : {};
  const oldMeta = isRecord(old) && isRecord(old.metadata) ? old.metadata : {};
  const errs: FieldIssue[] = [];
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    const now = meta[f] ?? '';
    const before = oldMeta[f] ?? '';
    if (now !== before) errs.push(immutable(path.child(f), now));
  }
  if (
    typeof meta.generation === 'number' &&
    typeof oldMeta.generation === 'number' &&
    meta.generation < oldMeta.generation
  ) {
    errs.push(invalid(path.child('generation'), meta.generation, 'must not be decremented'));
  }
  if (oldMeta.deletionTimestamp && Array.isArray(meta.finalizers)) {
    const before = new Set(Array.isArray(oldMeta.finalizers) ? oldMeta.finalizers : []);
    const added = meta.finalizers
      .filter((f) => !before.has(f))
      .map(String)
      .sort();
    if (added.length > 0) {
      errs.push(
        forbidden(
          path.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      );
    }
  }
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, path.child('ownerReferences')));
  return errs;
}

/** Label keys must be qualified names and values valid label values; errors name the map. */
export function validateLabels(labels: unknown, path: FieldPath): FieldIssue[] {
  if (!isRecord(labels)) return [];
  const errs: FieldIssue[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(invalid(path, k, msg));
    if (typeof v === 'string') for (const msg of isLabelValue(v)) errs.push(invalid(path, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: FieldPath): FieldIssue[] {
  if (!isRecord(annotations)) return [];
  const errs: FieldIssue[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg));
    size += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateFinalizers(finalizers: unknown, path: FieldPath, builtin: boolean): FieldIssue[] {
  if (!Array.isArray(finalizers)) return [];
  const errs: FieldIssue[] = [];
  for (const f of finalizers) {
    if (typeof f !== 'string') continue;
    const msgs = isQualifiedName(f);
    for (const msg of msgs) errs.push(invalid(path, f, msg));
    if (msgs.length === 0 && builtin && !f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

function validateOwnerReferences(refs: unknown, path: FieldPath): FieldIssue[] {
  if (!Array.isArray(refs)) return [];
  const errs: FieldIssue[] = [];
  let controller = '';
  for (const ref of refs) {
    if (!isRecord(ref)) continue;
    const apiVersion = str(ref.apiVersion);
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (!version) errs.push(invalid(path.child('apiVersion'), apiVersion, 'version must not be empty'));
    for (const f of ['kind', 'name', 'uid'] as const) {
      if (!str(ref[f])) errs.push(invalid(path.child(f), str(ref[f]), 'must not be empty'));
    }
    if (ref.controller === true) {
      const current = `${str(ref.kind)}/${str(ref.name)}`;
      if (controller) {
        errs.push(
          invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${current}`,
          ),
        );
      } else controller = current;
    }
  }
  return errs;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
