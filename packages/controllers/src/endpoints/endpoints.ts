// The Endpoints controller's decisions, without I/O: the core/v1 Endpoints a Service's pods
// give, addresses grouped by port set as the API machinery repacks them, ready pods in
// `addresses` and the others in `notReadyAddresses`; terminating pods left out unless the
// Service publishes not-ready addresses.
import type {
  CoreV1EndpointPort,
  V1EndpointAddress,
  V1Endpoints,
  V1EndpointSubset,
  V1Pod,
  V1Service,
} from '@kubernetes/client-node';
import { stableJson } from '../common/pods.js';
import { compareIp, podEndpoint, portsKey, selectsPod, serviceLabels, sortPorts } from './pod-endpoints.js';

export type EndpointsAction =
  | { readonly type: 'create'; readonly endpoints: V1Endpoints }
  | { readonly type: 'update'; readonly endpoints: V1Endpoints }
  | { readonly type: 'none' };

export function desiredEndpoints(svc: V1Service, pods: readonly V1Pod[]): V1Endpoints {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<
    string,
    { ports: CoreV1EndpointPort[]; ready: V1EndpointAddress[]; notReady: V1EndpointAddress[] }
  >();
  const headless = svc.spec?.clusterIP === 'None' && (svc.spec.ports ?? []).length === 0;
  for (const pod of pods) {
    if (!selectsPod(svc, pod)) continue;
    const ep = podEndpoint(svc, pod, publish);
    // A pod serving none of the ports is listed only by a headless Service without ports.
    if (!ep || (ep.ports.length === 0 && !headless)) continue;
    const key = portsKey(ep.ports);
    let g = groups.get(key);
    if (!g) {
      g = { ports: sortPorts(ep.ports.map((p) => ({ ...p }))), ready: [], notReady: [] };
      groups.set(key, g);
    }
    const address: V1EndpointAddress = {
      ip: ep.ip,
      ...(ep.hostname ? { hostname: ep.hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata?.namespace ?? '',
        name: pod.metadata?.name ?? '',
        uid: pod.metadata?.uid ?? '',
      },
    };
    (ep.serving ? g.ready : g.notReady).push(address);
  }
  const subsets: V1EndpointSubset[] = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({
      ...(g.ready.length ? { addresses: g.ready.sort((a, b) => compareIp(a.ip, b.ip)) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort((a, b) => compareIp(a.ip, b.ip)) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    }));
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata?.name ?? '', namespace: svc.metadata?.namespace ?? '', labels: serviceLabels(svc) },
    subsets,
  };
}

/** Create, update (carrying the existing resourceVersion) or leave the Endpoints alone. */
export function reconcileEndpoints(
  svc: V1Service,
  pods: readonly V1Pod[],
  existing: V1Endpoints | undefined,
): EndpointsAction {
  const want = desiredEndpoints(svc, pods);
  if (!existing) return { type: 'create', endpoints: want };
  const same =
    stableJson(existing.subsets ?? []) === stableJson(want.subsets ?? []) &&
    stableJson(existing.metadata?.labels ?? {}) === stableJson(want.metadata?.labels ?? {});
  if (same) return { type: 'none' };
  return {
    type: 'update',
    endpoints: {
      ...existing,
      metadata: { ...existing.metadata, labels: want.metadata?.labels ?? {} },
      subsets: want.subsets ?? [],
    },
  };
}
