// rbac.authorization.k8s.io/v1 messages (k8s.io/api/rbac/v1/types.go).
import type { SchemaTable } from './types.js';

export const rbac: SchemaTable = {
  'rbac.PolicyRule': {
    verbs: [1, '[]string'],
    apiGroups: [2, '[]string'],
    resources: [3, '[]string'],
    resourceNames: [4, '[]string'],
    nonResourceURLs: [5, '[]string'],
  },
  'rbac.Subject': { kind: [1, '*string'], apiGroup: [2, 'string'], name: [3, '*string'], namespace: [4, 'string'] },
  'rbac.RoleRef': { apiGroup: [1, '*string'], kind: [2, '*string'], name: [3, '*string'] },
  'rbac.Role': { metadata: [1, 'meta.ObjectMeta'], rules: [2, '[]rbac.PolicyRule'] },
  'rbac.RoleBinding': {
    metadata: [1, 'meta.ObjectMeta'],
    subjects: [2, '[]rbac.Subject'],
    roleRef: [3, 'rbac.RoleRef'],
  },
  'rbac.ClusterRole': {
    metadata: [1, 'meta.ObjectMeta'],
    rules: [2, '[]rbac.PolicyRule'],
    aggregationRule: [3, 'rbac.AggregationRule'],
  },
  'rbac.AggregationRule': { clusterRoleSelectors: [1, '[]meta.LabelSelector'] },
};
