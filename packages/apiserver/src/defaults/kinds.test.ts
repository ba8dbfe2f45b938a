import type { KubeObject } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { applyDefaults } from './apply.js';
import { admitServiceAccount } from '../kinds/pod/serviceaccount.js';

function defaulted(group: string, version: string, kind: string, obj: KubeObject): KubeObject {
  applyDefaults(group, version, kind, obj);
  return obj;
}

describe('image volumes', () => {
  it('default the pull policy as a container with the same image would', () => {
    const pod = defaulted('', 'v1', 'Pod', {
      spec: {
        containers: [],
        volumes: [
          { name: 'tagged', image: { reference: 'site:1' } },
          { name: 'latest', image: { reference: 'site:latest' } },
          { name: 'untagged', image: { reference: 'registry.local:5000/site' } },
          { name: 'kept', image: { reference: 'site:latest', pullPolicy: 'Never' } },
        ],
      },
    });
    expect(
      (pod.spec as { volumes: { image: { pullPolicy: string } }[] }).volumes.map((v) => v.image.pullPolicy),
    ).toEqual(['IfNotPresent', 'Always', 'Always', 'Never']);
  });
});

describe('apps workloads', () => {
  it('defaults a StatefulSet and its volume claim templates', () => {
    const sts = defaulted('apps', 'v1', 'StatefulSet', {
      spec: {
        serviceName: 'nginx',
        template: { spec: { containers: [] } },
        volumeClaimTemplates: [
          {
            metadata: { name: 'www' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } },
          },
        ],
      },
    });
    expect(sts.spec).toMatchObject({
      podManagementPolicy: 'OrderedReady',
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      replicas: 1,
      revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'www' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '1Gi' } },
            volumeMode: 'Filesystem',
          },
          status: { phase: 'Pending' },
        },
      ],
    });
  });

  it('defaults a DaemonSet rolling update to one unavailable and no surge', () => {
    const ds = defaulted('apps', 'v1', 'DaemonSet', { spec: { template: { spec: { containers: [] } } } });
    expect(ds.spec).toMatchObject({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    });
  });

  it('copies template labels into a ReplicationController selector and labels', () => {
    const rc = defaulted('', 'v1', 'ReplicationController', {
      metadata: { name: 'rc' },
      spec: { template: { metadata: { labels: { app: 'a' } }, spec: { containers: [] } } },
    });
    expect(rc.metadata?.labels).toEqual({ app: 'a' });
    expect(rc.spec).toMatchObject({ replicas: 1, selector: { app: 'a' } });
  });
});

describe('core kinds', () => {
  it('defaults Secret type, PV and PVC modes and phases', () => {
    expect(defaulted('', 'v1', 'Secret', { data: {} })).toMatchObject({ type: 'Opaque' });
    expect(defaulted('', 'v1', 'Secret', { data: { a: 'YQ==', b: 'Yg==' }, stringData: { b: 'β', c: 'c' } })).toEqual({
      type: 'Opaque',
      data: { a: 'YQ==', b: 'zrI=', c: 'Yw==' },
    });
    const pv = defaulted('', 'v1', 'PersistentVolume', {
      spec: { capacity: { storage: '10Gi' }, hostPath: { path: '/mnt' } },
    });
    expect(pv).toMatchObject({
      spec: { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', hostPath: { path: '/mnt', type: '' } },
      status: { phase: 'Pending' },
    });
    const pvc = defaulted('', 'v1', 'PersistentVolumeClaim', {
      spec: { resources: { requests: { storage: '0.5Gi' } } },
    });
    expect(pvc).toEqual({
      spec: { resources: { requests: { storage: '512Mi' } }, volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
  });

  it('fills Node allocatable from capacity and Endpoints port protocols', () => {
    const node = defaulted('', 'v1', 'Node', { status: { capacity: { cpu: '4', memory: '8192Mi', pods: '110' } } });
    expect(node.status).toEqual({
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    });
    const ep = defaulted('', 'v1', 'Endpoints', {
      subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }],
    });
    expect(ep.subsets).toEqual([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
  });

  it('fills LimitRange container defaults from max, default and min', () => {
    const lr = defaulted('', 'v1', 'LimitRange', {
      spec: {
        limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' }, default: { memory: '512Mi' } }],
      },
    });
    expect(lr.spec).toEqual({
      limits: [
        {
          type: 'Container',
          max: { cpu: '2' },
          min: { memory: '64Mi' },
          default: { memory: '512Mi', cpu: '2' },
          defaultRequest: { memory: '512Mi', cpu: '2' },
        },
      ],
    });
  });
});

describe('other groups', () => {
  it('defaults NetworkPolicy types from its rules and port protocols', () => {
    const np = defaulted('networking.k8s.io', 'v1', 'NetworkPolicy', {
      spec: {
        podSelector: {},
        ingress: [{ ports: [{ port: 80 }] }],
        egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
      },
    });
    expect(np.spec).toEqual({
      podSelector: {},
      ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }],
      egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
      policyTypes: ['Ingress', 'Egress'],
    });
    const ingressOnly = defaulted('networking.k8s.io', 'v1', 'NetworkPolicy', { spec: { podSelector: {} } });
    expect(ingressOnly.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  it('sets binding apiGroups by subject kind', () => {
    const rb = defaulted('rbac.authorization.k8s.io', 'v1', 'RoleBinding', {
      roleRef: { kind: 'Role', name: 'reader' },
      subjects: [
        { kind: 'User', name: 'jane' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', name: 'ci', namespace: 'default' },
      ],
    });
    expect(rb).toEqual({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [
        { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'ServiceAccount', name: 'ci', namespace: 'default' },
      ],
    });
  });

  it('defaults an HPA v2 to 80% CPU and fills behavior rules only when behavior is given', () => {
    const hpa = defaulted('autoscaling', 'v2', 'HorizontalPodAutoscaler', {
      spec: { maxReplicas: 5, scaleTargetRef: { kind: 'Deployment', name: 'web' } },
    });
    expect(hpa.spec).toEqual({
      maxReplicas: 5,
      minReplicas: 1,
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      ],
    });
    const tuned = defaulted('autoscaling', 'v2', 'HorizontalPodAutoscaler', {
      spec: { maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } },
    });
    expect((tuned.spec as Record<string, unknown>).behavior).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: {
        stabilizationWindowSeconds: 60,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      },
    });
  });

  it('defaults StorageClass, EndpointSlice ports and CRD names and conversion', () => {
    expect(defaulted('storage.k8s.io', 'v1', 'StorageClass', { provisioner: 'x' })).toEqual({
      provisioner: 'x',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    });
    const slice = defaulted('discovery.k8s.io', 'v1', 'EndpointSlice', { addressType: 'IPv4', ports: [{ port: 80 }] });
    expect(slice.ports).toEqual([{ port: 80, name: '', protocol: 'TCP' }]);
    const crd = defaulted('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', {
      spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [] },
    });
    expect(crd.spec).toEqual({
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
      scope: 'Namespaced',
      versions: [],
      conversion: { strategy: 'None' },
    });
  });
});

describe('admitServiceAccount', () => {
  it('mounts the projected token volume in every container when asked', () => {
    const pod: KubeObject = { spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'init' }] } };
    admitServiceAccount(pod, { mountToken: true, suffix: () => 'abcde' });
    const spec = pod.spec as {
      serviceAccountName: string;
      volumes: { name: string }[];
      containers: { volumeMounts: unknown[] }[];
    };
    expect(spec.serviceAccountName).toBe('default');
    expect(spec.volumes.map((v) => v.name)).toEqual(['kube-api-access-abcde']);
    expect(spec.containers[0]?.volumeMounts).toEqual([
      { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: 'kube-api-access-abcde', readOnly: true },
    ]);
  });

  it('skips the token when the pod opts out', () => {
    const pod: KubeObject = { spec: { automountServiceAccountToken: false, containers: [{ name: 'a' }] } };
    admitServiceAccount(pod, { mountToken: true });
    expect((pod.spec as Record<string, unknown>).volumes).toBeUndefined();
  });
});
