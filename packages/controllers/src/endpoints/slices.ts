// The EndpointSlice controller's decisions, without I/O: discovery.k8s.io/v1 slices for a
// Service, one group per distinct port set, at most 100 endpoints a slice, with ready / serving /
// terminating conditions, node, zone and hostname; a Service with no endpoints keeps one empty
// placeholder slice. Slice names are derived from the Service's uid so two writers agree.
import { createHash } from 'node:crypto';
import type { DiscoveryV1EndpointPort, V1Endpoint, V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import { stableJson } from '../common/pods.js';
import {
  compareIp,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  podEndpoint,
  portsKey,
  selectsPod,
  SERVICE_NAME_LABEL,
  serviceLabels,
  sortPorts,
} from './pod-endpoints.js';

/** As kube-controller-manager's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

export type SliceAction =
  | { readonly type: 'create'; readonly slice: V1EndpointSlice }
  | { readonly type: 'update'; readonly slice: V1EndpointSlice }
  | { readonly type: 'delete'; readonly name: string };

export interface SliceInputs {
  readonly pods: readonly V1Pod[];
  /** The `topology.kubernetes.io/zone` of a node, if it has one. */
  readonly zoneOf: (nodeName: string) => string | undefined;
  /** Slices of the Service's namespace managed by this controller for this Service. */
  readonly existing: readonly V1EndpointSlice[];
  /** @default MAX_ENDPOINTS_PER_SLICE */
  readonly maxEndpointsPerSlice?: number;
}

interface Group {
  readonly ports: DiscoveryV1EndpointPort[];
  readonly endpoints: V1Endpoint[];
}

/** Slices managed by the EndpointSlice controller for the Service named `service`. */
export function isManagedSliceOf(slice: V1EndpointSlice, service: string): boolean {
  const l = slice.metadata?.labels ?? {};
  return l[SERVICE_NAME_LABEL] === service && l[MANAGED_BY_LABEL] === MANAGED_BY;
}

function desiredGroups(svc: V1Service, inputs: SliceInputs): Map<string, Group> {
  const groups = new Map<string, Group>();
  const publish = svc.spec?.publishNotReadyAddresses === true;
  for (const pod of inputs.pods) {
    if (!selectsPod(svc, pod)) continue;
    const ep = podEndpoint(svc, pod, true);
    if (!ep) continue;
    const key = portsKey(ep.ports);
    let g = groups.get(key);
    if (!g) {
      g = { ports: sortPorts(ep.ports.map((p) => ({ ...p }))), endpoints: [] };
      groups.set(key, g);
    }
    const node = pod.spec?.nodeName;
    const zone = node ? inputs.zoneOf(node) : undefined;
    g.endpoints.push({
      addresses: [ep.ip],
      conditions: {
        ready: publish || (ep.serving && !ep.terminating),
        serving: ep.serving,
        terminating: ep.terminating,
      },
      ...(ep.hostname ? { hostname: ep.hostname } : {}),
      ...(node ? { nodeName: node } : {}),
      ...(zone ? { zone } : {}),
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata?.namespace ?? '',
        name: pod.metadata?.name ?? '',
        uid: pod.metadata?.uid ?? '',
      },
    });
  }
  for (const g of groups.values()) g.endpoints.sort((a, b) => compareIp(a.addresses[0] ?? '', b.addresses[0] ?? ''));
  return groups;
}

function sliceName(svc: V1Service, key: string, index: number): string {
  const h = createHash('sha256')
    .update(`${svc.metadata?.uid ?? ''}/${key}/${index}`)
    .digest('hex')
    .slice(0, 5);
  return `${(svc.metadata?.name ?? '').slice(0, 57)}-${h}`;
}

function sliceFor(
  svc: V1Service,
  name: string,
  ports: DiscoveryV1EndpointPort[] | undefined,
  endpoints: V1Endpoint[],
): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: svc.metadata?.namespace ?? '',
      labels: { ...serviceLabels(svc), [SERVICE_NAME_LABEL]: svc.metadata?.name ?? '', [MANAGED_BY_LABEL]: MANAGED_BY },
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: svc.metadata?.name ?? '',
          uid: svc.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: 'IPv4',
    endpoints,
    ...(ports ? { ports } : {}),
  };
}

function content(s: V1EndpointSlice): string {
  return stableJson([
    s.metadata?.labels ?? {},
    s.metadata?.ownerReferences ?? [],
    s.addressType,
    s.endpoints ?? [],
    s.ports ?? [],
  ]);
}

/** The creations, updates and deletions that make the Service's slices match its pods. */
export function reconcileEndpointSlices(svc: V1Service, inputs: SliceInputs): SliceAction[] {
  const max = inputs.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const groups = desiredGroups(svc, inputs);
  const desired: { key: string; ports: DiscoveryV1EndpointPort[] | undefined; endpoints: V1Endpoint[] }[] = [];
  for (const [key, g] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    for (let i = 0; i < g.endpoints.length; i += max)
      desired.push({ key, ports: g.ports, endpoints: g.endpoints.slice(i, i + max) });
  }
  // The placeholder: a Service without endpoints still has one slice, with no ports.
  if (desired.length === 0) desired.push({ key: '', ports: undefined, endpoints: [] });

  const byKey = new Map<string, V1EndpointSlice[]>();
  for (const s of [...inputs.existing].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const key = portsKey(
      (s.ports ?? []).map((p) => ({
        name: p.name ?? '',
        port: p.port ?? 0,
        protocol: p.protocol ?? 'TCP',
        ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
      })),
    );
    byKey.set(key, [...(byKey.get(key) ?? []), s]);
  }
  const actions: SliceAction[] = [];
  const used = new Set<string>();
  const indexes = new Map<string, number>();
  const unmatched: { d: (typeof desired)[number]; i: number }[] = [];
  const update = (current: V1EndpointSlice, d: (typeof desired)[number]): void => {
    used.add(current.metadata?.name ?? '');
    const want = sliceFor(svc, current.metadata?.name ?? '', d.ports, d.endpoints);
    if (content(current) === content(want)) return;
    actions.push({
      type: 'update',
      slice: {
        ...want,
        metadata: {
          ...current.metadata,
          labels: want.metadata?.labels ?? {},
          ownerReferences: want.metadata?.ownerReferences ?? [],
        },
      },
    });
  };
  // First a slice of the same port set; then any slice that would otherwise be deleted (as the
  // real controller turns the last slice into the placeholder rather than delete and create).
  for (const d of desired) {
    const i = indexes.get(d.key) ?? 0;
    indexes.set(d.key, i + 1);
    const current = byKey.get(d.key)?.[i];
    if (current) update(current, d);
    else unmatched.push({ d, i });
  }
  const spare = [...byKey.values()].flat().filter((s) => !used.has(s.metadata?.name ?? ''));
  for (const { d, i } of unmatched) {
    const reuse = spare.shift();
    if (reuse) {
      update(reuse, d);
      continue;
    }
    let name = sliceName(svc, d.key, i);
    for (let n = 1; inputs.existing.some((s) => s.metadata?.name === name); n++)
      name = sliceName(svc, d.key, i + n * 1000);
    actions.push({ type: 'create', slice: sliceFor(svc, name, d.ports, d.endpoints) });
  }
  for (const s of inputs.existing) {
    const name = s.metadata?.name ?? '';
    if (!used.has(name)) actions.push({ type: 'delete', name });
  }
  return actions;
}
