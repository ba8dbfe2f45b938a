// The empty object a create is compared against. Upstream compares with the zero value of the Go
// type, in which non-pointer structs (metadata, spec, status, a template, a strategy) are present
// and so are never "added" by a create: their managedFields nodes carry no `".": {}` of their own.
// client-node's models do not say which fields are pointers; these names are the non-pointer
// structs of k8s.io/api 1.32 that built-in kinds reach without passing through a list.
import { fieldsOf, isObjectType } from '@wharf/api';

const NON_POINTER_STRUCTS = new Set([
  'metadata',
  'spec',
  'status',
  'template',
  'strategy',
  'updateStrategy',
  'jobTemplate',
  'loadBalancer',
]);
/** Lists without omitempty: null in the zero value, so present (a create does not "add" the list itself). */
const NULL_LISTS = new Set([
  'V1PodSpec.containers',
  'V1ServiceAccount.secrets',
  'V1Endpoints.subsets',
  'V1EndpointSlice.endpoints',
  'V1ClusterRole.rules',
  'V1Role.rules',
  'V1RoleBinding.subjects',
  'V1ClusterRoleBinding.subjects',
]);

/** The zero value of a built-in type as upstream would serialize it (empty structs only). */
export function zeroObject(typeName: string | undefined, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = typeName ? fieldsOf(typeName) : undefined;
  if (!fields || depth > 6) return out;
  for (const [name, t] of Object.entries(fields)) {
    if (NON_POINTER_STRUCTS.has(name) && isObjectType(t)) out[name] = zeroObject(t, depth + 1);
    else if (NULL_LISTS.has(`${typeName ?? ''}.${name}`)) out[name] = null;
  }
  return out;
}
