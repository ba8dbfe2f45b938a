// The HTTP SD's targets carry kubernetes_sd's labels, so the operator's relabellings select them.
import { describe, expect, it } from 'vitest';
import type { V1Endpoints, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { endpointsTargets, nodeTargets, podTargets } from './targets.js';

const pod: V1Pod = {
  metadata: {
    namespace: 'mon',
    name: 'ksm-0',
    uid: 'u',
    labels: { 'app.kubernetes.io/name': 'ksm' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ksm-6f', uid: 'r', controller: true }],
  },
  spec: {
    nodeName: 'node-1',
    containers: [{ name: 'ksm', image: 'wharf:1', ports: [{ name: 'http', containerPort: 8080 }] }],
  },
  status: {
    phase: 'Running',
    podIP: '10.88.0.7',
    hostIP: '127.0.0.1',
    conditions: [{ type: 'Ready', status: 'True' }],
  },
};

describe('kubernetes_sd targets over HTTP SD', () => {
  it('role endpoints: a target per address and port with service, endpoint and pod labels', () => {
    const svc: V1Service = { metadata: { namespace: 'mon', name: 'ksm', labels: { 'app.kubernetes.io/name': 'ksm' } } };
    const ep: V1Endpoints = {
      metadata: { namespace: 'mon', name: 'ksm' },
      subsets: [
        {
          addresses: [
            { ip: '10.88.0.7', nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'ksm-0', namespace: 'mon' } },
          ],
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ],
    };
    const [g] = endpointsTargets(ep, svc, (ns, name) => (ns === 'mon' && name === 'ksm-0' ? pod : undefined));
    expect(g?.targets).toEqual(['10.88.0.7:8080']);
    expect(g?.labels).toMatchObject({
      __meta_kubernetes_namespace: 'mon',
      __meta_kubernetes_service_name: 'ksm',
      __meta_kubernetes_service_label_app_kubernetes_io_name: 'ksm',
      __meta_kubernetes_service_labelpresent_app_kubernetes_io_name: 'true',
      __meta_kubernetes_endpoint_port_name: 'http',
      __meta_kubernetes_endpoint_ready: 'true',
      __meta_kubernetes_endpoint_address_target_kind: 'Pod',
      __meta_kubernetes_endpoint_address_target_name: 'ksm-0',
      __meta_kubernetes_pod_name: 'ksm-0',
      __meta_kubernetes_pod_container_name: 'ksm',
      __meta_kubernetes_pod_container_port_number: '8080',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_controller_kind: 'ReplicaSet',
    });
  });

  it('role pod: a target per container port; role node: the InternalIP at the kubelet port', () => {
    expect(podTargets(pod)).toEqual([
      expect.objectContaining({
        targets: ['10.88.0.7:8080'],
        labels: expect.objectContaining({
          __meta_kubernetes_pod_container_port_name: 'http',
          __meta_kubernetes_pod_ready: 'true',
        }),
      }),
    ]);
    expect(podTargets({ ...pod, status: {} })).toEqual([]);
    const node: V1Node = {
      metadata: { name: 'node-1', labels: { zone: 'a' } },
      status: {
        addresses: [
          { type: 'Hostname', address: 'h' },
          { type: 'InternalIP', address: '10.0.0.5' },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      },
    };
    expect(nodeTargets(node)).toEqual([
      {
        targets: ['10.0.0.5:10250'],
        labels: expect.objectContaining({
          __meta_kubernetes_node_name: 'node-1',
          __meta_kubernetes_node_label_zone: 'a',
          __meta_kubernetes_node_address_InternalIP: '10.0.0.5',
          instance: 'node-1',
        }),
      },
    ]);
  });
});
