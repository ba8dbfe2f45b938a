// The kinds the console shows, one entry each: where they live in the API and under which
// menu section. The same noun (the plural) names the route, the menu entry and the i18n key.
export interface KindInfo {
  readonly plural: string;
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly namespaced: boolean;
  readonly section: 'workloads' | 'network' | 'config' | 'storage' | 'cluster';
  /** Listed as the API's Table rows (metadata and printed columns): the objects' values stay on the server. */
  readonly rows?: true;
}

export const KINDS: readonly KindInfo[] = [
  { plural: 'deployments', kind: 'Deployment', group: 'apps', version: 'v1', namespaced: true, section: 'workloads' },
  { plural: 'statefulsets', kind: 'StatefulSet', group: 'apps', version: 'v1', namespaced: true, section: 'workloads' },
  { plural: 'daemonsets', kind: 'DaemonSet', group: 'apps', version: 'v1', namespaced: true, section: 'workloads' },
  { plural: 'jobs', kind: 'Job', group: 'batch', version: 'v1', namespaced: true, section: 'workloads' },
  { plural: 'pods', kind: 'Pod', group: '', version: 'v1', namespaced: true, section: 'workloads' },
  { plural: 'services', kind: 'Service', group: '', version: 'v1', namespaced: true, section: 'network' },
  {
    plural: 'ingresses',
    kind: 'Ingress',
    group: 'networking.k8s.io',
    version: 'v1',
    namespaced: true,
    section: 'network',
  },
  { plural: 'configmaps', kind: 'ConfigMap', group: '', version: 'v1', namespaced: true, section: 'config' },
  { plural: 'secrets', kind: 'Secret', group: '', version: 'v1', namespaced: true, section: 'config', rows: true },
  {
    plural: 'persistentvolumeclaims',
    kind: 'PersistentVolumeClaim',
    group: '',
    version: 'v1',
    namespaced: true,
    section: 'storage',
  },
  { plural: 'events', kind: 'Event', group: '', version: 'v1', namespaced: true, section: 'cluster' },
  { plural: 'namespaces', kind: 'Namespace', group: '', version: 'v1', namespaced: false, section: 'cluster' },
  { plural: 'nodes', kind: 'Node', group: '', version: 'v1', namespaced: false, section: 'cluster' },
];

export function kindByPlural(plural: string | undefined): KindInfo | undefined {
  return KINDS.find((k) => k.plural === plural);
}

function groupBase(k: KindInfo): string {
  return k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
}

/** The collection: one namespace's, or every namespace's when `namespace` is empty. */
export function collectionPath(k: KindInfo, namespace: string | undefined): string {
  return k.namespaced && namespace
    ? `${groupBase(k)}/namespaces/${encodeURIComponent(namespace)}/${k.plural}`
    : `${groupBase(k)}/${k.plural}`;
}

export function objectPath(k: KindInfo, namespace: string | undefined, name: string): string {
  return `${collectionPath(k, k.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}`;
}

/** The console route of an object: /r/<plural>/<namespace or _>/<name>. */
export function objectRoute(k: KindInfo, namespace: string | undefined, name: string): string {
  return `/r/${k.plural}/${k.namespaced ? encodeURIComponent(namespace ?? '') : '_'}/${encodeURIComponent(name)}`;
}
