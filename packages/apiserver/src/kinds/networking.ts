// networking.k8s.io/v1 (Ingress, IngressClass, NetworkPolicy) and discovery.k8s.io/v1
// (EndpointSlice): defaults and table columns.
import { defaultEndpointSlice, defaultIngressClass, defaultNetworkPolicy } from '../defaults/networking.js';
import {
  endpointSlicePrinter,
  ingressClassPrinter,
  ingressPrinter,
  networkPolicyPrinter,
} from '../tables/networking.js';
import type { KindStrategy } from './strategy.js';

const group = 'networking.k8s.io';

export const ingressStrategy: KindStrategy = { group, kind: 'Ingress', resource: 'ingresses', printer: ingressPrinter };

export const ingressClassStrategy: KindStrategy = {
  group,
  kind: 'IngressClass',
  resource: 'ingressclasses',
  defaults: defaultIngressClass,
  printer: ingressClassPrinter,
};

export const networkPolicyStrategy: KindStrategy = {
  group,
  kind: 'NetworkPolicy',
  resource: 'networkpolicies',
  defaults: defaultNetworkPolicy,
  printer: networkPolicyPrinter,
};

export const endpointSliceStrategy: KindStrategy = {
  group: 'discovery.k8s.io',
  kind: 'EndpointSlice',
  resource: 'endpointslices',
  defaults: defaultEndpointSlice,
  printer: endpointSlicePrinter,
};
