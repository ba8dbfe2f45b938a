// The `kubernetes` Service in `default`: how workloads reach the API server, as kube-apiserver's
// endpoint reconciler publishes it. The Service takes the first address of the service range and
// port 443; its Endpoints and EndpointSlice (no selector, so no controller touches them) point at
// the address pods can reach the API on, once the embedding process knows it (`advertise`).
// Clients in pods find it through KUBERNETES_SERVICE_HOST/PORT, as @kubernetes/client-node's
// loadFromCluster() and Prometheus' in-cluster discovery do, and through kubernetes.default.svc.
import type { KubeObject } from '@wharf/api';
import { objectKey } from '../storage/index.js';
import type { ObjectApi } from './api.js';
import { internalContext } from './context.js';

/** The first address of the default service range (10.96.0.0/12); the allocator never hands it out. */
export const MASTER_SERVICE_IP = '10.96.0.1';
export const MASTER_SERVICE_PORT = 443;
const NAME = 'kubernetes';
const NS = 'default';
const LABELS = { component: 'apiserver', provider: 'kubernetes' };

export interface Advertised {
  /** An address of this host that pods can reach (a node bridge's gateway). */
  readonly address: string;
  /** The port the API server listens on there. */
  readonly port: number;
}

function masterService(targetPort: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: NAME, namespace: NS, labels: LABELS },
    spec: {
      type: 'ClusterIP',
      clusterIP: MASTER_SERVICE_IP,
      sessionAffinity: 'None',
      ports: [{ name: 'https', protocol: 'TCP', port: MASTER_SERVICE_PORT, targetPort }],
    },
  };
}

/** The API servers by port (API servers of one host share its address and differ by port), ports ascending. */
function byPort(members: readonly Advertised[]): [number, string[]][] {
  const ports = [...new Set(members.map((m) => m.port))].sort((a, b) => a - b);
  return ports.map((p) => [p, members.filter((m) => m.port === p).map((m) => m.address)]);
}

const httpsPort = (port: number): Record<string, unknown> => ({ name: 'https', port, protocol: 'TCP' });

/** One subset per port: a subset's addresses share its ports. */
function masterEndpoints(members: readonly Advertised[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: NAME, namespace: NS, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: byPort(members).map(([port, ips]) => ({ addresses: ips.map((ip) => ({ ip })), ports: [httpsPort(port)] })),
  } as KubeObject;
}

function masterSlice(name: string, port: number, addresses: readonly string[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: NS, labels: { 'kubernetes.io/service-name': NAME } },
    addressType: 'IPv4',
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports: [httpsPort(port)],
  };
}

/**
 * The `kubernetes` Service, Endpoints and EndpointSlices for the API servers `live` of those
 * `known` (a slice's endpoints share its ports, so one slice per known port: `kubernetes` for the
 * lowest, `kubernetes-<port>` for the others; a port whose API server is gone keeps an empty slice).
 */
export async function publishMasters(
  api: ObjectApi,
  known: readonly Advertised[],
  live: readonly Advertised[],
): Promise<void> {
  const ports = byPort(known).map(([p]) => p);
  const first = ports[0];
  if (first === undefined) return;
  const svc = masterService(first);
  const old = api.store.get(objectKey('', 'services', NS, NAME));
  // An update keeps the allocated clusterIP; only the port's target follows the API's port.
  const spec = old
    ? { ...(old as { spec?: Record<string, unknown> }).spec, ports: (svc as { spec: { ports: unknown } }).spec.ports }
    : (svc as { spec: unknown }).spec;
  await upsert(api, '', 'services', { ...svc, spec } as KubeObject, ['spec']);
  await upsert(api, '', 'endpoints', masterEndpoints(live), ['subsets']);
  for (const port of ports) {
    const addresses = live.filter((m) => m.port === port).map((m) => m.address);
    const slice = masterSlice(port === first ? NAME : `${NAME}-${port}`, port, addresses);
    await upsert(api, 'discovery.k8s.io', 'endpointslices', slice, ['endpoints', 'ports', 'addressType']);
  }
}

/** Creates `obj` or replaces its spec-like fields when they differ; `fields` are the ones compared. */
export async function upsert(
  api: ObjectApi,
  group: string,
  resource: string,
  obj: KubeObject,
  fields: readonly string[],
): Promise<void> {
  const served = api.registry.lookup(group, 'v1', resource);
  if (!served) return;
  const ns = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  const old = api.store.get(objectKey(group, resource, ns, name));
  if (!old) {
    await api.create(served, ns, obj, internalContext());
    return;
  }
  const record = old as unknown as Record<string, unknown>;
  const wanted = obj as Record<string, unknown>;
  if (fields.every((f) => JSON.stringify(record[f]) === JSON.stringify(wanted[f]))) return;
  const next: Record<string, unknown> = {
    ...record,
    metadata: { ...old.metadata, labels: { ...old.metadata.labels, ...obj.metadata?.labels } },
  };
  for (const f of fields) next[f] = wanted[f];
  await api.update(served, ns, name, next as KubeObject, internalContext());
}

/** At bootstrap: the Service exists (its target port follows the advertised one later). */
export async function ensureMasterService(api: ObjectApi): Promise<void> {
  const served = api.registry.lookup('', 'v1', 'services');
  if (served && !api.store.get(objectKey('', 'services', NS, NAME)))
    await api.create(served, NS, masterService(6443), internalContext());
}

/** Points the Service, its Endpoints and its EndpointSlice at where pods reach the one API server now. */
export function advertiseMaster(api: ObjectApi, a: Advertised): Promise<void> {
  return publishMasters(api, [a], [a]);
}
