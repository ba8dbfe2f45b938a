// authorization.k8s.io/v1 messages (k8s.io/api/authorization/v1/types.go): the access reviews that
// `kubectl auth can-i` POSTs (SelfSubjectAccessReview, and SelfSubjectRulesReview for --list).
// SubjectAccessReview is left out: kubectl never sends it, and its `extra` map needs ExtraValue's
// list-as-message encoding.
import type { SchemaTable } from './types.js';

export const authorization: SchemaTable = {
  'authorization.SelfSubjectAccessReview': {
    metadata: [1, 'meta.ObjectMeta'],
    spec: [2, 'authorization.SelfSubjectAccessReviewSpec'],
    status: [3, 'authorization.SubjectAccessReviewStatus'],
  },
  'authorization.ResourceAttributes': {
    namespace: [1, 'string'],
    verb: [2, 'string'],
    group: [3, 'string'],
    version: [4, 'string'],
    resource: [5, 'string'],
    subresource: [6, 'string'],
    name: [7, 'string'],
    fieldSelector: [8, 'authorization.FieldSelectorAttributes'],
    labelSelector: [9, 'authorization.LabelSelectorAttributes'],
  },
  'authorization.FieldSelectorAttributes': {
    rawSelector: [1, 'string'],
    requirements: [2, '[]authorization.FieldSelectorRequirement'],
  },
  'authorization.FieldSelectorRequirement': { key: [1, '*string'], operator: [2, '*string'], values: [3, '[]string'] },
  'authorization.LabelSelectorAttributes': {
    rawSelector: [1, 'string'],
    requirements: [2, '[]meta.LabelSelectorRequirement'],
  },
  'authorization.NonResourceAttributes': { path: [1, 'string'], verb: [2, 'string'] },
  'authorization.SelfSubjectAccessReviewSpec': {
    resourceAttributes: [1, 'authorization.ResourceAttributes'],
    nonResourceAttributes: [2, 'authorization.NonResourceAttributes'],
  },
  'authorization.SubjectAccessReviewStatus': {
    allowed: [1, '*bool'],
    reason: [2, 'string'],
    evaluationError: [3, 'string'],
    denied: [4, 'bool'],
  },
  'authorization.SelfSubjectRulesReview': {
    metadata: [1, 'meta.ObjectMeta'],
    spec: [2, 'authorization.SelfSubjectRulesReviewSpec'],
  },
  'authorization.SelfSubjectRulesReviewSpec': { namespace: [1, 'string'] },
};
