// What the service dataplane programs, derived from Services and EndpointSlices as kube-proxy
// reads them: one entry per (Service, port) with a cluster IP, carrying the endpoints that may
// receive new connections. Pure functions, no I/O.

/** The fields of a Service the proxy reads (the wire object, as the API server sent it). */
export interface ServiceObject {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly ports?: readonly {
      readonly name?: string;
      readonly protocol?: string;
      readonly port?: number;
      readonly nodePort?: number;
    }[];
    readonly sessionAffinity?: string;
    readonly sessionAffinityConfig?: { readonly clientIP?: { readonly timeoutSeconds?: number } };
  };
}

/** The fields of a discovery.k8s.io/v1 EndpointSlice the proxy reads. */
export interface EndpointSliceObject {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly addressType?: string;
  readonly ports?:
    readonly { readonly name?: string | null; readonly protocol?: string; readonly port?: number | null }[] | null;
  readonly endpoints?: readonly {
    readonly addresses?: readonly string[];
    readonly conditions?: {
      readonly ready?: boolean | null;
      readonly serving?: boolean | null;
      readonly terminating?: boolean | null;
    };
  }[];
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/** One port of one Service, as the dataplane sees it. */
export interface ServicePort {
  /** `namespace/name:portName` (portName may be empty), as kube-proxy names it in comments. */
  readonly id: string;
  readonly clusterIP: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** Set for NodePort and LoadBalancer Services. */
  readonly nodePort?: number;
  /** Seconds of ClientIP affinity; absent when sessionAffinity is None. */
  readonly affinitySeconds?: number;
  /** Endpoints that take new connections, sorted; empty means "reject". */
  readonly endpoints: readonly Endpoint[];
}

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Kubernetes' default ClientIP affinity timeout (3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10_800;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

function protocolOf(p: string | undefined): Protocol | undefined {
  const v = p ?? 'TCP';
  return v === 'TCP' || v === 'UDP' || v === 'SCTP' ? v : undefined;
}

/**
 * The service ports to program. Headless Services (clusterIP None), ExternalName Services and
 * Services without an IPv4 cluster IP get none. An endpoint takes new connections when its
 * `ready` condition is not false; when a port has no such endpoint, endpoints that are still
 * serving while terminating are used instead (as kube-proxy does since Kubernetes 1.28).
 */
export function servicePorts(services: Iterable<ServiceObject>, slices: Iterable<EndpointSliceObject>): ServicePort[] {
  const byService = new Map<string, EndpointSliceObject[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc || s.addressType !== 'IPv4') continue;
    const key = `${s.metadata?.namespace ?? ''}/${svc}`;
    byService.set(key, [...(byService.get(key) ?? []), s]);
  }
  const out: ServicePort[] = [];
  for (const svc of services) {
    const spec = svc.spec;
    const ip = spec?.clusterIP ?? '';
    if (!spec || spec.type === 'ExternalName' || !isIPv4(ip)) continue;
    const key = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
    const affinity =
      spec.sessionAffinity === 'ClientIP'
        ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS)
        : undefined;
    for (const p of spec.ports ?? []) {
      const protocol = protocolOf(p.protocol);
      if (!protocol || typeof p.port !== 'number') continue;
      const name = p.name ?? '';
      out.push({
        id: `${key}:${name}`,
        clusterIP: ip,
        port: p.port,
        protocol,
        ...(typeof p.nodePort === 'number' &&
        p.nodePort > 0 &&
        (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
          ? { nodePort: p.nodePort }
          : {}),
        ...(affinity !== undefined ? { affinitySeconds: affinity } : {}),
        endpoints: endpointsFor(byService.get(key) ?? [], name, protocol),
      });
    }
  }
  return out.sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0,
  );
}

function endpointsFor(slices: readonly EndpointSliceObject[], portName: string, protocol: Protocol): Endpoint[] {
  const ready = new Map<string, Endpoint>();
  const terminating = new Map<string, Endpoint>();
  for (const slice of slices) {
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && protocolOf(p.protocol) === protocol);
    if (!port || typeof port.port !== 'number') continue;
    for (const e of slice.endpoints ?? []) {
      const ip = e.addresses?.[0];
      if (!ip || !isIPv4(ip)) continue;
      const c = e.conditions ?? {};
      const ep = { ip, port: port.port };
      const k = `${ip}:${port.port}`;
      if (c.ready !== false) ready.set(k, ep);
      else if (c.serving === true && c.terminating === true) terminating.set(k, ep);
    }
  }
  const chosen = ready.size > 0 ? ready : terminating;
  return [...chosen.values()].sort((a, b) => ipNumber(a.ip) - ipNumber(b.ip) || a.port - b.port);
}

export function ipNumber(ip: string): number {
  return ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}
