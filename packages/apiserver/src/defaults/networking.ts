// Defaults of networking.k8s.io/v1 (NetworkPolicy, IngressClass) and discovery.k8s.io/v1
// (EndpointSlice). Ingress has none in v1: pathType is required, not defaulted.
import { hasItems, rec, recs, setDefault, type Obj } from './util.js';

export function defaultNetworkPolicy(np: Obj): void {
  const spec = rec(np, 'spec');
  if (!spec) return;
  if (!hasItems(spec, 'policyTypes')) spec.policyTypes = hasItems(spec, 'egress') ? ['Ingress', 'Egress'] : ['Ingress'];
  for (const rule of [...recs(spec, 'ingress'), ...recs(spec, 'egress')]) {
    for (const port of recs(rule, 'ports')) setDefault(port, 'protocol', 'TCP');
  }
}

export function defaultIngressClass(ic: Obj): void {
  const spec = rec(ic, 'spec');
  const params = spec ? rec(spec, 'parameters') : undefined;
  if (params) setDefault(params, 'scope', 'Cluster');
}

export function defaultEndpointSlice(slice: Obj): void {
  for (const port of recs(slice, 'ports')) {
    setDefault(port, 'name', '');
    setDefault(port, 'protocol', 'TCP');
  }
}
