// kube-state-metrics' families from objects as the API serves them: the names and labels the
// standard rules (KubePodCrashLooping, KubeNodeNotReady, replicas mismatch) select on.
import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1Node, V1Pod } from '@kubernetes/client-node';
import { podFamilies } from './pods.js';
import { nodeFamilies } from './cluster.js';
import { deploymentFamilies } from './workloads.js';
import { applicationFamilies, rollbackSamples } from './applications.js';
import type { Family } from './family.js';

const samples = <T>(families: readonly Family<T>[], name: string, obj: T) =>
  families.find((f) => f.name === name)?.samples(obj) ?? [];

const crashing: V1Pod = {
  metadata: {
    namespace: 'shop',
    name: 'web-1',
    uid: 'u1',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d', uid: 'r', controller: true }],
  },
  spec: {
    nodeName: 'node-1',
    containers: [
      {
        name: 'app',
        image: 'busybox:1',
        resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      },
    ],
  },
  status: {
    phase: 'Running',
    podIP: '10.88.0.5',
    hostIP: '10.0.0.1',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [
      {
        name: 'app',
        image: 'busybox:1',
        imageID: 'sha256:1',
        ready: false,
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error' } },
      },
    ],
  },
};

describe('kube-state-metrics families', () => {
  it('describes a crash-looping pod as the KubePodCrashLooping rule reads it', () => {
    expect(samples(podFamilies, 'kube_pod_container_status_waiting_reason', crashing)).toEqual([
      {
        labels: { namespace: 'shop', pod: 'web-1', uid: 'u1', container: 'app', reason: 'CrashLoopBackOff' },
        value: 1,
      },
    ]);
    expect(samples(podFamilies, 'kube_pod_container_status_restarts_total', crashing)[0]?.value).toBe(4);
    expect(samples(podFamilies, 'kube_pod_status_ready', crashing).filter((s) => s.value === 1)).toEqual([
      { labels: { namespace: 'shop', pod: 'web-1', uid: 'u1', condition: 'false' }, value: 1 },
    ]);
    expect(
      samples(podFamilies, 'kube_pod_status_phase', crashing)
        .filter((s) => s.value === 1)
        .map((s) => s.labels.phase),
    ).toEqual(['Running']);
    expect(samples(podFamilies, 'kube_pod_owner', crashing)[0]?.labels).toMatchObject({
      owner_kind: 'ReplicaSet',
      owner_name: 'web-7d',
      owner_is_controller: 'true',
    });
    expect(samples(podFamilies, 'kube_pod_info', crashing)[0]?.labels).toMatchObject({
      node: 'node-1',
      pod_ip: '10.88.0.5',
      created_by_kind: 'ReplicaSet',
    });
  });

  it('gives requests and limits in base units with resource and unit labels', () => {
    const req = samples(podFamilies, 'kube_pod_container_resource_requests', crashing);
    expect(req).toContainEqual({
      labels: {
        namespace: 'shop',
        pod: 'web-1',
        uid: 'u1',
        container: 'app',
        node: 'node-1',
        resource: 'cpu',
        unit: 'core',
      },
      value: 0.25,
    });
    expect(req).toContainEqual(
      expect.objectContaining({
        labels: expect.objectContaining({ resource: 'memory', unit: 'byte' }),
        value: 64 * 2 ** 20,
      }),
    );
    expect(samples(podFamilies, 'kube_pod_container_resource_limits', crashing)).toHaveLength(1);
  });

  it('reports node conditions as true/false/unknown series and unschedulable nodes', () => {
    const node: V1Node = {
      metadata: { name: 'node-1' },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }], allocatable: { cpu: '2', pods: '110' } },
    };
    expect(samples(nodeFamilies, 'kube_node_status_condition', node)).toEqual([
      { labels: { node: 'node-1', condition: 'Ready', status: 'true' }, value: 0 },
      { labels: { node: 'node-1', condition: 'Ready', status: 'false' }, value: 0 },
      { labels: { node: 'node-1', condition: 'Ready', status: 'unknown' }, value: 1 },
    ]);
    expect(samples(nodeFamilies, 'kube_node_spec_unschedulable', node)[0]?.value).toBe(1);
    expect(samples(nodeFamilies, 'kube_node_status_allocatable', node)).toContainEqual({
      labels: { node: 'node-1', resource: 'pods', unit: 'integer' },
      value: 110,
    });
  });

  it('defaults a Deployment without spec.replicas to 1, as the API does', () => {
    const d: V1Deployment = {
      metadata: { namespace: 'shop', name: 'web' },
      spec: { selector: {}, template: {} },
      status: { availableReplicas: 0 },
    };
    expect(samples(deploymentFamilies, 'kube_deployment_spec_replicas', d)).toEqual([
      { labels: { namespace: 'shop', deployment: 'web' }, value: 1 },
    ]);
    expect(samples(deploymentFamilies, 'kube_deployment_status_replicas_available', d)[0]?.value).toBe(0);
  });

  it('reports Applications per component, their revision, and counts rollbacks', () => {
    const app = {
      metadata: { namespace: 'shop', name: 'cart' },
      status: { revision: 3, components: [{ name: 'web', replicas: 2, readyReplicas: 1 }] },
    };
    expect(samples(applicationFamilies, 'wharf_application_component_replicas_ready', app)).toEqual([
      { labels: { namespace: 'shop', application: 'cart', component: 'web' }, value: 1 },
    ]);
    expect(samples(applicationFamilies, 'wharf_application_revision', app)[0]?.value).toBe(3);
    expect(
      rollbackSamples([
        { metadata: { namespace: 'shop' }, spec: { application: 'cart', cause: 'spec' } },
        { metadata: { namespace: 'shop' }, spec: { application: 'cart', cause: 'rollback to 1' } },
        {
          metadata: { namespace: 'shop' },
          spec: { application: 'cart', cause: 'config' },
          status: { phase: 'Failed' },
        },
      ]),
    ).toEqual([{ labels: { namespace: 'shop', application: 'cart' }, value: 2 }]);
  });
});
