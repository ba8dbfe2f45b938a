// rbac.authorization.k8s.io/v1: Roles and ClusterRoles (rules), RoleBindings and
// ClusterRoleBindings (an immutable roleRef). Names may be any path segment ("system:node").
import { defaultRoleBinding } from '../defaults/cluster.js';
import { bindingPrinter } from '../tables/cluster.js';
import { validateBinding, validateBindingUpdate, validateRole } from '../validation/rbac.js';
import type { KindStrategy } from './strategy.js';

const group = 'rbac.authorization.k8s.io';

export const roleStrategy: KindStrategy = {
  group,
  kind: 'Role',
  resource: 'roles',
  validate: (o) => validateRole(o, true),
  nameRule: 'path',
};

export const clusterRoleStrategy: KindStrategy = {
  group,
  kind: 'ClusterRole',
  resource: 'clusterroles',
  validate: (o) => validateRole(o, false),
  nameRule: 'path',
};

export const roleBindingStrategy: KindStrategy = {
  group,
  kind: 'RoleBinding',
  resource: 'rolebindings',
  defaults: defaultRoleBinding,
  validate: (o) => validateBinding(o, true),
  validateUpdate: validateBindingUpdate,
  nameRule: 'path',
  printer: bindingPrinter('roleBinding'),
};

export const clusterRoleBindingStrategy: KindStrategy = {
  group,
  kind: 'ClusterRoleBinding',
  resource: 'clusterrolebindings',
  defaults: defaultRoleBinding,
  validate: (o) => validateBinding(o, false),
  validateUpdate: validateBindingUpdate,
  nameRule: 'path',
  printer: bindingPrinter('clusterRoleBinding'),
};
