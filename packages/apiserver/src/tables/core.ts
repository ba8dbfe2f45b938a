// Printers for core/v1 kinds other than pods, events and volumes: services, endpoints, nodes,
// namespaces, configmaps, secrets, service accounts, replication controllers, pod templates and
// resource quotas. Cells follow k8s.io/kubernetes/pkg/printers/internalversion (1.32).

import type { KubeObject } from '@wharf/api';
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, ageOf, col, nameOf, wide } from './columns.js';
import type { Printer } from './columns.js';
import { DESC } from './descriptions.js';
import {
  arr,
  containerCells,
  formatLabels,
  get,
  listWithMore,
  loadBalancerIngress,
  num,
  rec,
  scalarString,
  str,
} from './format.js';

// ---- services ----

function serviceExternalIP(svc: KubeObject, type: string): string {
  const externalIPs = arr(get(svc, 'spec', 'externalIPs')).map((ip) => str(ip));
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      // The server prints wide cells, so the load-balancer list is never truncated here.
      const lb = loadBalancerIngress(get(svc, 'status', 'loadBalancer'));
      if (externalIPs.length > 0) return [...(lb === '' ? [] : lb.split(',')), ...externalIPs].join(',');
      return lb !== '' ? lb : '<pending>';
    }
    case 'ExternalName':
      return str(get(svc, 'spec', 'externalName'));
    default:
      return '<unknown>';
  }
}

/** "80/TCP,443:30443/TCP". */
export function servicePorts(ports: unknown): string {
  return arr(ports)
    .map((p) => {
      const protocol = str(get(p, 'protocol'), 'TCP');
      const nodePort = num(get(p, 'nodePort'));
      const port = num(get(p, 'port'));
      return nodePort > 0 ? `${port}:${nodePort}/${protocol}` : `${port}/${protocol}`;
    })
    .join(',');
}

export const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Type', 'string', DESC.svcType),
    col('Cluster-IP', 'string', DESC.svcClusterIP),
    col('External-IP', 'string', DESC.svcExternalIPs),
    col('Port(s)', 'string', DESC.svcPorts),
    AGE_COLUMN,
    wide('Selector', 'string', DESC.svcSelector),
  ],
  cells(svc, ctx) {
    const type = str(get(svc, 'spec', 'type'), 'ClusterIP');
    const clusterIP = str(arr(get(svc, 'spec', 'clusterIPs'))[0]) || str(get(svc, 'spec', 'clusterIP')) || '<none>';
    const ports = servicePorts(get(svc, 'spec', 'ports')) || '<none>';
    return [
      nameOf(svc),
      type,
      clusterIP,
      serviceExternalIP(svc, type),
      ports,
      ageOf(svc, ctx),
      formatLabels(get(svc, 'spec', 'selector')),
    ];
  },
};

// ---- endpoints ----

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** "10.0.0.1:80,10.0.0.2:80 + 3 more...", "<none>" without subsets. */
export function formatEndpoints(subsets: unknown): string {
  const list = arr(subsets);
  if (list.length === 0) return '<none>';
  const entries: string[] = [];
  for (const ss of list) {
    const ips = arr(get(ss, 'addresses')).map((a) => str(get(a, 'ip')));
    const ports = arr(get(ss, 'ports'));
    if (ports.length === 0) {
      entries.push(...ips); // headless services may have no ports
      continue;
    }
    for (const port of ports) entries.push(...ips.map((ip) => hostPort(ip, num(get(port, 'port')))));
  }
  return listWithMore(entries, 3, '');
}

export const endpointsPrinter: Printer = {
  columns: [NAME_COLUMN, col('Endpoints', 'string', DESC.endpointsSubsets), AGE_COLUMN],
  cells: (ep, ctx) => [nameOf(ep), formatEndpoints(get(ep, 'subsets')), ageOf(ep, ctx)],
};

// ---- nodes ----

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** Roles from node-role.kubernetes.io/<role> and kubernetes.io/role=<role> labels, sorted. */
export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata?.labels ?? {})) {
    if (key.startsWith(NODE_ROLE_PREFIX)) {
      const role = key.slice(NODE_ROLE_PREFIX.length);
      if (role !== '') roles.add(role);
    } else if (key === NODE_ROLE_LABEL && value !== '') {
      roles.add(value);
    }
  }
  return [...roles].sort();
}

/** "Ready", "NotReady", "Unknown", plus ",SchedulingDisabled" when cordoned. */
export function nodeStatus(node: KubeObject): string {
  const status: string[] = [];
  // The last Ready condition wins, as the printer builds a map keyed by type.
  const ready = arr(get(node, 'status', 'conditions'))
    .filter((c) => get(c, 'type') === 'Ready')
    .at(-1);
  if (ready !== undefined) status.push(get(ready, 'status') === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (get(node, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(node: KubeObject, type: string): string {
  const address = arr(get(node, 'status', 'addresses')).find((a) => get(a, 'type') === type);
  return address === undefined ? '<none>' : str(get(address, 'address'));
}

export const nodePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    col('Version', 'string', DESC.kubeletVersion),
    wide('Internal-IP', 'string', DESC.nodeAddresses),
    wide('External-IP', 'string', DESC.nodeAddresses),
    wide('OS-Image', 'string', DESC.osImage),
    wide('Kernel-Version', 'string', DESC.kernelVersion),
    wide('Container-Runtime', 'string', DESC.containerRuntimeVersion),
  ],
  cells(node, ctx) {
    const info = get(node, 'status', 'nodeInfo');
    const roles = nodeRoles(node);
    return [
      nameOf(node),
      nodeStatus(node),
      roles.length > 0 ? roles.join(',') : '<none>',
      ageOf(node, ctx),
      str(get(info, 'kubeletVersion')),
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      str(get(info, 'osImage')) || '<unknown>',
      str(get(info, 'kernelVersion')) || '<unknown>',
      str(get(info, 'containerRuntimeVersion')) || '<unknown>',
    ];
  },
};

// ---- small kinds ----

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  // The API defaults status.phase to Active on create.
  cells: (ns, ctx) => [nameOf(ns), str(get(ns, 'status', 'phase'), 'Active'), ageOf(ns, ctx)],
};

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, col('Data', 'string', DESC.configMapData), AGE_COLUMN],
  cells: (cm, ctx) => [
    nameOf(cm),
    Object.keys(rec(get(cm, 'data'))).length + Object.keys(rec(get(cm, 'binaryData'))).length,
    ageOf(cm, ctx),
  ],
};

export const secretPrinter: Printer = {
  columns: [NAME_COLUMN, col('Type', 'string', DESC.secretType), col('Data', 'string', DESC.secretData), AGE_COLUMN],
  cells: (s, ctx) => [
    nameOf(s),
    str(get(s, 'type'), 'Opaque'),
    // stringData is merged into data on write; count it too in case the caller did not.
    new Set([...Object.keys(rec(get(s, 'data'))), ...Object.keys(rec(get(s, 'stringData')))]).size,
    ageOf(s, ctx),
  ],
};

export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, col('Secrets', 'string', DESC.saSecrets), AGE_COLUMN],
  cells: (sa, ctx) => [nameOf(sa), arr(get(sa, 'secrets')).length, ageOf(sa, ctx)],
};

export const replicationControllerPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', DESC.rcSpecReplicas),
    col('Current', 'integer', DESC.rcStatusReplicas),
    col('Ready', 'integer', DESC.rcReadyReplicas),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wide('Selector', 'string', DESC.rcSelector),
  ],
  cells(rc, ctx) {
    const [names, images] = containerCells(get(rc, 'spec', 'template', 'spec'));
    return [
      nameOf(rc),
      num(get(rc, 'spec', 'replicas'), 1),
      num(get(rc, 'status', 'replicas')),
      num(get(rc, 'status', 'readyReplicas')),
      ageOf(rc, ctx),
      names,
      images,
      formatLabels(get(rc, 'spec', 'selector')),
    ];
  },
};

export const podTemplatePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Containers', 'string', 'Names of each container in the template.'),
    col('Images', 'string', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  cells(pt) {
    const [names, images] = containerCells(get(pt, 'template', 'spec'));
    return [nameOf(pt), names, images, formatLabels(get(pt, 'template', 'metadata', 'labels'))];
  },
};

/** "cpu: 100m/1, pods: 2/10" for requests; resources named limits.* go to the second cell. */
export function quotaCells(quota: KubeObject): [requests: string, limits: string] {
  const hard = rec(get(quota, 'status', 'hard'));
  const used = rec(get(quota, 'status', 'used'));
  const requests: string[] = [];
  const limits: string[] = [];
  for (const resource of Object.keys(hard).sort()) {
    const text = `${resource}: ${scalarString(used[resource], '0')}/${scalarString(hard[resource], '0')}`;
    const pieces = resource.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(text);
  }
  return [requests.join(', '), limits.join(', ')];
}

export const resourceQuotaPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col(
      'Limit',
      'string',
      'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    ),
    AGE_COLUMN,
  ],
  cells(q, ctx) {
    const [requests, limits] = quotaCells(q);
    return [nameOf(q), requests, limits, ageOf(q, ctx)];
  },
};
