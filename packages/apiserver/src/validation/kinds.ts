// validateKind: the per-kind semantic checks (422 Invalid) for a create, or for an update when
// the stored object is passed as `old`. Metadata checks are separate (metadata.ts) so the REST
// layer can run them for every kind, custom resources included.
import { isRecord } from '@wharf/api';
import { FieldPath, type FieldIssue } from './issues.js';
import { validatePodSpec } from '../kinds/pod/validation.js';
import { strategyFor } from '../kinds/registry.js';
import {
  validateConfigMap,
  validateImmutableDataUpdate,
  validateNamespace,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validateSecret,
  validateService,
  validateServiceUpdate,
} from './core.js';
import { validateBinding, validateBindingUpdate, validateRole } from './rbac.js';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from './crd-definition.js';
import { validateApiService } from './apiservice.js';
import { validateAdmissionPolicy, validateAdmissionPolicyBinding, validateWebhookConfiguration } from './webhooks.js';

type Obj = Record<string, unknown>;
type Check = (obj: Obj) => FieldIssue[];
type UpdateCheck = (obj: Obj, old: Obj) => FieldIssue[];

const RBAC = 'rbac.authorization.k8s.io';

const CREATE: Record<string, Check> = {
  '/PodTemplate': (o) => validatePodSpec(isRecord(o.template) ? o.template.spec : undefined, FieldPath.root('template').child('spec')),
  '/Service': validateService,
  '/ConfigMap': validateConfigMap,
  '/Secret': validateSecret,
  '/Namespace': validateNamespace,
  '/PersistentVolumeClaim': validatePersistentVolumeClaim,
  [`${RBAC}/Role`]: (o) => validateRole(o, true),
  [`${RBAC}/ClusterRole`]: (o) => validateRole(o, false),
  [`${RBAC}/RoleBinding`]: (o) => validateBinding(o, true),
  [`${RBAC}/ClusterRoleBinding`]: (o) => validateBinding(o, false),
  'apiextensions.k8s.io/CustomResourceDefinition': validateCustomResourceDefinition,
  'apiregistration.k8s.io/APIService': validateApiService,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': (o) => validateWebhookConfiguration(o, false),
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': (o) => validateWebhookConfiguration(o, true),
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': validateAdmissionPolicy,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': validateAdmissionPolicyBinding,
};

const UPDATE: Record<string, UpdateCheck> = {
  '/Service': validateServiceUpdate,
  '/Secret': (o, old) => validateImmutableDataUpdate('Secret', o, old),
  '/ConfigMap': (o, old) => validateImmutableDataUpdate('ConfigMap', o, old),
  '/PersistentVolumeClaim': validatePersistentVolumeClaimUpdate,
  [`${RBAC}/RoleBinding`]: validateBindingUpdate,
  [`${RBAC}/ClusterRoleBinding`]: validateBindingUpdate,
  'apiextensions.k8s.io/CustomResourceDefinition': validateCustomResourceDefinitionUpdate,
};

/**
 * Semantic validation of a built-in kind. With `old` (the stored object) the update rules run as
 * well: immutable fields, frozen Secrets/ConfigMaps, pod spec changes. Kinds without rules, and
 * custom resources (see crd.ts), yield []. Every rule holds for all served versions of a kind.
 */
export function validateKind(group: string, version: string, kind: string, obj: unknown, old?: unknown): FieldIssue[] {
  if (!isRecord(obj)) return [];
  const strategy = strategyFor(group, kind);
  const key = `${group}/${kind}`;
  const create = strategy ? strategy.validate : CREATE[key];
  const update = strategy ? strategy.validateUpdate : UPDATE[key];
  const errs = create?.(obj) ?? [];
  if (old !== undefined && isRecord(old)) errs.push(...(update?.(obj, old) ?? []));
  return errs;
}
