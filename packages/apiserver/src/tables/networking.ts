// Printers for networking.k8s.io/v1 (ingresses, ingress classes, network policies) and
// discovery.k8s.io/v1 endpoint slices. Cells follow
// k8s.io/kubernetes/pkg/printers/internalversion (1.32).

import { AGE_COLUMN, NAME_COLUMN, ageOf, col, nameOf } from './columns.js';
import type { Printer } from './columns.js';
import { DESC } from './descriptions.js';
import { arr, formatLabelSelector, get, listWithMore, loadBalancerIngress, str } from './format.js';

/** Up to three rule hosts, "*" when no rule names a host. */
export function ingressHosts(rules: unknown): string {
  const list = arr(rules);
  const hosts: string[] = [];
  let more = false;
  for (const rule of list) {
    if (hosts.length === 3) more = true;
    const host = str(get(rule, 'host'));
    if (!more && host !== '') hosts.push(host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${list.length - 3} more...` : hosts.join(',');
}

export const ingressPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  cells: (ing, ctx) => [
    nameOf(ing),
    str(get(ing, 'spec', 'ingressClassName'), '<none>'),
    ingressHosts(get(ing, 'spec', 'rules')),
    loadBalancerIngress(get(ing, 'status', 'loadBalancer')),
    arr(get(ing, 'spec', 'tls')).length > 0 ? '80, 443' : '80',
    ageOf(ing, ctx),
  ],
};

export const ingressClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  cells(ic, ctx) {
    const params = get(ic, 'spec', 'parameters');
    let parameters = '<none>';
    if (params !== undefined && params !== null) {
      const apiGroup = get(params, 'apiGroup');
      const kind = str(get(params, 'kind'));
      parameters = `${typeof apiGroup === 'string' ? `${kind}.${apiGroup}` : kind}/${str(get(params, 'name'))}`;
    }
    return [nameOf(ic), str(get(ic, 'spec', 'controller')), parameters, ageOf(ic, ctx)];
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [NAME_COLUMN, col('Pod-Selector', 'string', DESC.netpolPodSelector), AGE_COLUMN],
  cells: (np, ctx) => [nameOf(np), formatLabelSelector(get(np, 'spec', 'podSelector') ?? {}), ageOf(np, ctx)],
};

/** Slice ports: the number, else the name, else "*". */
function slicePorts(ports: unknown): string {
  const list = arr(ports).map((p) => {
    const port = get(p, 'port');
    if (typeof port === 'number') return String(port);
    const name = get(p, 'name');
    return typeof name === 'string' ? name : '*';
  });
  return listWithMore(list);
}

export const endpointSlicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('AddressType', 'string', DESC.sliceAddressType),
    col('Ports', 'string', DESC.slicePorts),
    col('Endpoints', 'string', DESC.sliceEndpoints),
    AGE_COLUMN,
  ],
  cells(slice, ctx) {
    const addresses = arr(get(slice, 'endpoints')).flatMap((e) => arr(get(e, 'addresses')).map((a) => str(a)));
    return [
      nameOf(slice),
      str(get(slice, 'addressType')),
      slicePorts(get(slice, 'ports')),
      listWithMore(addresses),
      ageOf(slice, ctx),
    ];
  },
};
