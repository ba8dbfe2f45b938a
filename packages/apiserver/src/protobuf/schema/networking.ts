// networking.k8s.io/v1 messages (k8s.io/api/networking/v1/types.go): Ingress and IngressClass.
import type { SchemaTable } from './types.js';

export const networking: SchemaTable = {
  'networking.Ingress': {
    metadata: [1, 'meta.ObjectMeta'],
    spec: [2, 'networking.IngressSpec'],
    status: [3, 'networking.IngressStatus'],
  },
  'networking.IngressSpec': {
    ingressClassName: [4, '*string'],
    defaultBackend: [1, 'networking.IngressBackend'],
    tls: [2, '[]networking.IngressTLS'],
    rules: [3, '[]networking.IngressRule'],
  },
  'networking.IngressTLS': { hosts: [1, '[]string'], secretName: [2, 'string'] },
  'networking.IngressRule': { host: [1, 'string'], '...ingressRuleValue': [2, 'networking.IngressRuleValue'] },
  'networking.IngressRuleValue': { http: [1, 'networking.HTTPIngressRuleValue'] },
  'networking.HTTPIngressRuleValue': { paths: [1, '[]networking.HTTPIngressPath'] },
  'networking.HTTPIngressPath': {
    path: [1, 'string'],
    pathType: [3, '*string'],
    backend: [2, 'networking.IngressBackend'],
  },
  'networking.IngressBackend': {
    service: [4, 'networking.IngressServiceBackend'],
    resource: [3, 'core.TypedLocalObjectReference'],
  },
  'networking.IngressServiceBackend': { name: [1, '*string'], port: [2, 'networking.ServiceBackendPort'] },
  'networking.ServiceBackendPort': { name: [1, 'string'], number: [2, 'int32'] },
  'networking.IngressStatus': { loadBalancer: [1, 'networking.IngressLoadBalancerStatus'] },
  'networking.IngressLoadBalancerStatus': { ingress: [1, '[]networking.IngressLoadBalancerIngress'] },
  'networking.IngressLoadBalancerIngress': {
    ip: [1, 'string'],
    hostname: [2, 'string'],
    ports: [4, '[]core.PortStatus'],
  },
  'networking.IngressClass': { metadata: [1, 'meta.ObjectMeta'], spec: [2, 'networking.IngressClassSpec'] },
  'networking.IngressClassSpec': {
    controller: [1, 'string'],
    parameters: [2, 'networking.IngressClassParametersReference'],
  },
  'networking.IngressClassParametersReference': {
    apiGroup: [1, '*string'],
    kind: [2, '*string'],
    name: [3, '*string'],
    scope: [4, '*string'],
    namespace: [5, '*string'],
  },
};
