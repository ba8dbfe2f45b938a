// API discovery as kubectl reads it: the legacy documents (/api, /apis, /apis/<g>, per-version
// APIResourceLists) and the aggregated apidiscovery.k8s.io/v2 form that kubectl 1.32 prefers.
import { createHash } from 'node:crypto';
import type { ResourceInfo } from '@wharf/api';
import type { ResourceRegistry, Served } from './registry.js';

interface SubresourceSpec {
  verbs: string[];
  kind?: { group: string; version: string; kind: string };
}

const SUBRESOURCES: Record<string, SubresourceSpec> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
  eviction: { verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  binding: { verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
  log: { verbs: ['get'], kind: { group: '', version: 'v1', kind: 'Pod' } },
  exec: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodExecOptions' } },
  attach: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodAttachOptions' } },
  portforward: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' } },
  proxy: { verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  finalize: { verbs: ['update'] },
  token: { verbs: ['create'], kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } },
  ephemeralcontainers: { verbs: ['get', 'patch', 'update'] },
};

function subKind(info: ResourceInfo, sub: string): { group: string; version: string; kind: string } {
  return SUBRESOURCES[sub]?.kind ?? { group: info.group, version: info.version, kind: info.kind };
}

function gv(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(group: string, versions: string[]): unknown {
  const list = versions.map((v) => ({ groupVersion: gv(group, v), version: v }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(registry: ResourceRegistry): unknown {
  const groups = [...registry.groups()].filter(([g]) => g !== '').map(([g, vs]) => groupDoc(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(registry: ResourceRegistry, group: string): unknown | undefined {
  const versions = registry.groups().get(group);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...(groupDoc(group, versions) as object) } : undefined;
}

function servedIn(registry: ResourceRegistry, group: string, version: string): Served[] {
  return registry
    .all()
    .filter((s) => s.info.group === group && s.info.version === version)
    .sort((a, b) => a.info.resource.localeCompare(b.info.resource));
}

/**
 * What clients compare to notice that a resource's storage version changed (the storage version
 * migrator, garbage collector caches): base64 of the first 8 bytes of sha256("group/version/kind").
 */
export function storageVersionHash(served: Served): string | undefined {
  const { info, custom } = served;
  if (info.virtual) return undefined;
  const version = custom ? custom.storageVersion : info.version;
  return createHash('sha256')
    .update(`${info.group}/${version}/${info.kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): unknown | undefined {
  const served = servedIn(registry, group, version);
  if (!served.length) return undefined;
  const resources: unknown[] = [];
  for (const s of served) {
    const { info } = s;
    const hash = storageVersionHash(s);
    resources.push({
      name: info.resource,
      singularName: info.singular,
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: [...info.verbs],
      ...(info.shortNames ? { shortNames: [...info.shortNames] } : {}),
      ...(info.categories ? { categories: [...info.categories] } : {}),
      ...(hash ? { storageVersionHash: hash } : {}),
    });
    for (const sub of info.subresources ?? []) {
      const k = subKind(info, sub);
      resources.push({
        name: `${info.resource}/${sub}`,
        singularName: '',
        namespaced: info.namespaced,
        kind: k.kind,
        ...(k.group !== info.group || k.version !== info.version ? { group: k.group, version: k.version } : {}),
        verbs: SUBRESOURCES[sub]?.verbs ?? ['get'],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv(group, version), resources };
}

/** The aggregated discovery document for /api (legacy=true) or /apis. */
export function aggregatedDiscovery(registry: ResourceRegistry, legacy: boolean, version: 'v2' | 'v2beta1'): unknown {
  const items: unknown[] = [];
  for (const [group, versions] of registry.groups()) {
    if ((group === '') !== legacy) continue;
    items.push({
      metadata: { name: group, creationTimestamp: null },
      versions: versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: servedIn(registry, group, v).map(({ info }) => ({
          resource: info.resource,
          responseKind: { group: info.group, version: info.version, kind: info.kind },
          scope: info.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: info.singular,
          verbs: [...info.verbs],
          ...(info.shortNames ? { shortNames: [...info.shortNames] } : {}),
          ...(info.categories ? { categories: [...info.categories] } : {}),
          ...(info.subresources?.length
            ? {
                subresources: info.subresources.map((sub) => ({
                  subresource: sub,
                  responseKind: subKind(info, sub),
                  verbs: SUBRESOURCES[sub]?.verbs ?? ['get'],
                })),
              }
            : {}),
        })),
      })),
    });
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** Which aggregated discovery version the Accept header asks for, if any. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    if (!/g=apidiscovery\.k8s\.io/.test(part) || !/as=APIGroupDiscoveryList/.test(part)) continue;
    if (/v=v2beta1/.test(part)) return 'v2beta1';
    if (/v=v2(;|$|\s)/.test(part)) return 'v2';
  }
  return undefined;
}
