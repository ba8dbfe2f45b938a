// Prometheus's Kubernetes service discovery (discovery/kubernetes: roles node, pod, endpoints) as
// pure functions producing the same targets and `__meta_kubernetes_*` labels. Debian's Prometheus
// is built without kubernetes_sd_configs (removed for client-go's dependencies), so Wharf serves
// these as HTTP SD target groups (http_sd_configs) and the operator's relabellings, written
// against kubernetes_sd's labels, work unchanged.
import type { V1Endpoints, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';

export interface TargetGroup {
  readonly targets: string[];
  readonly labels: Record<string, string>;
}

/** Prometheus's strutil.SanitizeLabelName. */
const sanitize = (k: string): string => k.replace(/[^a-zA-Z0-9_]/g, '_');

/** `<prefix>_label_<k>`, `_labelpresent_<k>`, and the same for annotations, as kubernetes_sd writes them. */
function metaLabels(
  prefix: string,
  labels: Record<string, string> | undefined,
  annotations: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) {
    out[`${prefix}_label_${sanitize(k)}`] = v;
    out[`${prefix}_labelpresent_${sanitize(k)}`] = 'true';
  }
  for (const [k, v] of Object.entries(annotations ?? {})) {
    out[`${prefix}_annotation_${sanitize(k)}`] = v;
    out[`${prefix}_annotationpresent_${sanitize(k)}`] = 'true';
  }
  return out;
}

const hostPort = (host: string, port: number | string): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

export function nodeTargets(node: V1Node): TargetGroup[] {
  const name = node.metadata?.name ?? '';
  const addrs = node.status?.addresses ?? [];
  // As kubernetes_sd's nodeAddress: InternalIP, then InternalDNS, ExternalIP, ExternalDNS, Hostname.
  const order = ['InternalIP', 'InternalDNS', 'ExternalIP', 'ExternalDNS', 'LegacyHostIP', 'Hostname'];
  const addr = order.map((t) => addrs.find((a) => a.type === t)?.address).find((a) => a);
  if (!addr) return [];
  const labels: Record<string, string> = {
    __meta_kubernetes_node_name: name,
    __meta_kubernetes_node_provider_id: node.spec?.providerID ?? '',
    instance: name,
    ...metaLabels('__meta_kubernetes_node', node.metadata?.labels, node.metadata?.annotations),
  };
  for (const a of addrs) labels[`__meta_kubernetes_node_address_${a.type}`] ??= a.address;
  return [{ targets: [hostPort(addr, node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250)], labels }];
}

function podLabels(pod: V1Pod): Record<string, string> {
  const ctl = pod.metadata?.ownerReferences?.find((o) => o.controller);
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'unknown';
  return {
    __meta_kubernetes_namespace: pod.metadata?.namespace ?? '',
    __meta_kubernetes_pod_name: pod.metadata?.name ?? '',
    __meta_kubernetes_pod_ip: pod.status?.podIP ?? '',
    __meta_kubernetes_pod_ready: ready.toLowerCase(),
    __meta_kubernetes_pod_phase: pod.status?.phase ?? '',
    __meta_kubernetes_pod_node_name: pod.spec?.nodeName ?? '',
    __meta_kubernetes_pod_host_ip: pod.status?.hostIP ?? '',
    __meta_kubernetes_pod_uid: pod.metadata?.uid ?? '',
    ...(ctl
      ? { __meta_kubernetes_pod_controller_kind: ctl.kind, __meta_kubernetes_pod_controller_name: ctl.name }
      : {}),
    ...metaLabels('__meta_kubernetes_pod', pod.metadata?.labels, pod.metadata?.annotations),
  };
}

/** One target per container port (per container without ports, at the pod IP), as role pod. */
export function podTargets(pod: V1Pod): TargetGroup[] {
  const ip = pod.status?.podIP;
  if (!ip) return [];
  const base = podLabels(pod);
  const out: TargetGroup[] = [];
  const containers = [
    ...(pod.spec?.initContainers ?? []).map((c) => ({ c, init: true })),
    ...(pod.spec?.containers ?? []).map((c) => ({ c, init: false })),
  ];
  for (const { c, init } of containers) {
    const cl = {
      ...base,
      __meta_kubernetes_pod_container_name: c.name,
      __meta_kubernetes_pod_container_image: c.image ?? '',
      __meta_kubernetes_pod_container_init: String(init),
    };
    if (!c.ports?.length) {
      if (!init) out.push({ targets: [ip], labels: cl });
      continue;
    }
    for (const p of c.ports) {
      out.push({
        targets: [hostPort(ip, p.containerPort)],
        labels: {
          ...cl,
          __meta_kubernetes_pod_container_port_name: p.name ?? '',
          __meta_kubernetes_pod_container_port_number: String(p.containerPort),
          __meta_kubernetes_pod_container_port_protocol: p.protocol ?? 'TCP',
        },
      });
    }
  }
  return out;
}

function serviceLabels(svc: V1Service | undefined): Record<string, string> {
  if (!svc) return {};
  return {
    __meta_kubernetes_service_name: svc.metadata?.name ?? '',
    ...metaLabels('__meta_kubernetes_service', svc.metadata?.labels, svc.metadata?.annotations),
  };
}

/**
 * Role endpoints: a target per address and port (ready and not-ready addresses), with the
 * service's labels and, for addresses backed by a pod, the pod's labels and the container that
 * exposes the port.
 */
export function endpointsTargets(
  ep: V1Endpoints,
  svc: V1Service | undefined,
  pod: (namespace: string, name: string) => V1Pod | undefined,
): TargetGroup[] {
  const ns = ep.metadata?.namespace ?? '';
  const base = {
    __meta_kubernetes_namespace: ns,
    __meta_kubernetes_endpoints_name: ep.metadata?.name ?? '',
    ...metaLabels('__meta_kubernetes_endpoints', ep.metadata?.labels, ep.metadata?.annotations),
    ...serviceLabels(svc),
  };
  const out: TargetGroup[] = [];
  for (const subset of ep.subsets ?? []) {
    const addresses = [
      ...(subset.addresses ?? []).map((a) => ({ a, ready: 'true' })),
      ...(subset.notReadyAddresses ?? []).map((a) => ({ a, ready: 'false' })),
    ];
    for (const port of subset.ports ?? []) {
      for (const { a, ready } of addresses) {
        const labels: Record<string, string> = {
          ...base,
          __meta_kubernetes_endpoint_port_name: port.name ?? '',
          __meta_kubernetes_endpoint_port_protocol: port.protocol ?? 'TCP',
          __meta_kubernetes_endpoint_ready: ready,
          ...(a.hostname ? { __meta_kubernetes_endpoint_hostname: a.hostname } : {}),
          ...(a.nodeName ? { __meta_kubernetes_endpoint_node_name: a.nodeName } : {}),
          ...(a.targetRef
            ? {
                __meta_kubernetes_endpoint_address_target_kind: a.targetRef.kind ?? '',
                __meta_kubernetes_endpoint_address_target_name: a.targetRef.name ?? '',
              }
            : {}),
        };
        const p =
          a.targetRef?.kind === 'Pod' && a.targetRef.name
            ? pod(a.targetRef.namespace ?? ns, a.targetRef.name)
            : undefined;
        if (p) {
          Object.assign(labels, podLabels(p));
          const match = (p.spec?.containers ?? [])
            .flatMap((c) => (c.ports ?? []).map((cp) => ({ c, cp })))
            .find(({ cp }) => cp.containerPort === port.port && (cp.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
          if (match) {
            Object.assign(labels, {
              __meta_kubernetes_pod_container_name: match.c.name,
              __meta_kubernetes_pod_container_image: match.c.image ?? '',
              __meta_kubernetes_pod_container_init: 'false',
              __meta_kubernetes_pod_container_port_name: match.cp.name ?? '',
              __meta_kubernetes_pod_container_port_number: String(match.cp.containerPort),
              __meta_kubernetes_pod_container_port_protocol: match.cp.protocol ?? 'TCP',
            });
          }
        }
        out.push({ targets: [hostPort(a.ip, port.port)], labels });
      }
    }
  }
  return out;
}
