// Which pods back a Service and how, shared by the Endpoints and EndpointSlice controllers: a pod
// counts while it has an IP and is not finished; its ports are the Service's ports with named
// targetPorts resolved against that pod's containers.
import type { V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { matchesSelector } from '@wharf/client';
import { isReady } from '../common/pods.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export interface ResolvedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly appProtocol?: string;
}

export interface PodEndpoint {
  readonly pod: V1Pod;
  readonly ip: string;
  /** The pod's Ready condition (always true with publishNotReadyAddresses). */
  readonly serving: boolean;
  readonly terminating: boolean;
  /** Service ports this pod serves; a named targetPort the pod lacks is left out. */
  readonly ports: readonly ResolvedPort[];
  readonly hostname?: string;
}

/** Services whose Endpoints the controllers manage: with a selector, not ExternalName. */
export function managesEndpoints(svc: V1Service): boolean {
  return !!svc.spec?.selector && svc.spec.type !== 'ExternalName';
}

export function selectsPod(svc: V1Service, pod: V1Pod): boolean {
  return (
    managesEndpoints(svc) &&
    pod.metadata?.namespace === svc.metadata?.namespace &&
    matchesSelector({ matchLabels: svc.spec?.selector ?? {} }, pod.metadata?.labels)
  );
}

/** The port of `pod` a Service port targets: a number, or a container port found by name. */
export function resolveTargetPort(sp: V1ServicePort, pod: V1Pod): number | undefined {
  const target = sp.targetPort as number | string | undefined;
  if (target === undefined || target === '') return sp.port;
  if (typeof target === 'number') return target;
  if (/^[0-9]+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

function ipv4Of(pod: V1Pod): string | undefined {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)];
  return ips.find((ip): ip is string => !!ip && /^[0-9]+(\.[0-9]+){3}$/.test(ip));
}

/**
 * The endpoint `pod` gives `svc`, or undefined when it gives none. Terminating pods are kept only
 * when `includeTerminating` (EndpointSlices always; Endpoints with publishNotReadyAddresses).
 */
export function podEndpoint(svc: V1Service, pod: V1Pod, includeTerminating: boolean): PodEndpoint | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const ip = ipv4Of(pod);
  if (!ip) return undefined;
  const terminating = !!pod.metadata?.deletionTimestamp;
  if (terminating && !includeTerminating) return undefined;
  const ports: ResolvedPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = resolveTargetPort(sp, pod);
    if (port === undefined) continue;
    ports.push({
      name: sp.name ?? '',
      port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  const hostname = pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name ? pod.spec.hostname : undefined;
  return {
    pod,
    ip,
    serving: svc.spec?.publishNotReadyAddresses === true || isReady(pod),
    terminating,
    ports,
    ...(hostname ? { hostname } : {}),
  };
}

/** A stable key for a set of ports: endpoints with the same key share a subset / slice. */
export function portsKey(ports: readonly ResolvedPort[]): string {
  return [...ports]
    .map((p) => `${p.name}/${p.protocol}/${p.port}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');
}

export function sortPorts<T extends { name?: string }>(ports: readonly T[]): T[] {
  return [...ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
}

/** IPv4 addresses in numeric order. */
export function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Labels copied from the Service onto its Endpoints and EndpointSlices. */
export function serviceLabels(svc: V1Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  return labels;
}
