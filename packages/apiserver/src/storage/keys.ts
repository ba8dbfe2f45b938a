// Storage keys: /registry/<group or "core">/<resource>/[<namespace>/]<name>, so a prefix selects a
// resource, or a resource within one namespace.
export function resourcePrefix(group: string, resource: string): string {
  return `/registry/${group || 'core'}/${resource}/`;
}

export function namespacePrefix(group: string, resource: string, namespace: string | undefined): string {
  return namespace ? `${resourcePrefix(group, resource)}${namespace}/` : resourcePrefix(group, resource);
}

export function objectKey(group: string, resource: string, namespace: string | undefined, name: string): string {
  return `${namespacePrefix(group, resource, namespace)}${name}`;
}
