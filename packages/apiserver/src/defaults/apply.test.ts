import type { KubeObject } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { applyDefaults } from './apply.js';

/** Parses the group and version from apiVersion and applies the defaults, returning the object. */
function defaulted(obj: KubeObject, operation: 'create' | 'update' = 'create'): KubeObject {
  const apiVersion = String(obj.apiVersion);
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  applyDefaults(group, version, String(obj.kind), obj, operation);
  return obj;
}

/** The spec real `kubectl get -o yaml` shows for a pod template's defaults around one container. */
const templateSpecDefaults = {
  dnsPolicy: 'ClusterFirst',
  restartPolicy: 'Always',
  schedulerName: 'default-scheduler',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
};

const containerDefaults = {
  resources: {},
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
};

describe('Deployment', () => {
  it('gives the nginx-deployment from the Kubernetes docs exactly the defaults a real cluster shows', () => {
    const d = defaulted({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nginx-deployment', labels: { app: 'nginx' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'nginx' } },
        template: {
          metadata: { labels: { app: 'nginx' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
        },
      },
    });
    expect(d).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nginx-deployment', labels: { app: 'nginx' } },
      spec: {
        progressDeadlineSeconds: 600,
        replicas: 3,
        revisionHistoryLimit: 10,
        selector: { matchLabels: { app: 'nginx' } },
        strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
        template: {
          metadata: { labels: { app: 'nginx' } },
          spec: {
            containers: [
              {
                image: 'nginx:1.14.2',
                imagePullPolicy: 'IfNotPresent',
                name: 'nginx',
                ports: [{ containerPort: 80, protocol: 'TCP' }],
                ...containerDefaults,
              },
            ],
            ...templateSpecDefaults,
          },
        },
      },
    });
  });

  it('keeps what the user set and only fills replicas when absent', () => {
    const d = defaulted({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { strategy: { type: 'Recreate' }, revisionHistoryLimit: 0, template: { spec: { containers: [] } } },
    });
    const spec = d.spec as Record<string, unknown>;
    expect(spec.strategy).toEqual({ type: 'Recreate' });
    expect(spec.revisionHistoryLimit).toBe(0);
    expect(spec.replicas).toBe(1);
  });

  it('does not give template pods the Pod-only defaults', () => {
    const d = defaulted({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { template: { spec: { containers: [] } } },
    });
    const podSpec =
      ((d.spec as Record<string, unknown>).template as Record<string, Record<string, unknown>>).spec ?? {};
    expect(podSpec.enableServiceLinks).toBeUndefined();
    expect(podSpec.priority).toBeUndefined();
    expect(podSpec.serviceAccountName).toBeUndefined();
  });
});

describe('Pod', () => {
  it('defaults a pod with a :latest image and a tagged image', () => {
    const pod = defaulted({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'two', namespace: 'default' },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:latest', resources: { limits: { cpu: '0.5', memory: '1024Mi' } } },
          {
            name: 'cache',
            image: 'redis:7.2',
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
          },
        ],
      },
    });
    expect(pod.spec).toEqual({
      containers: [
        {
          name: 'web',
          image: 'nginx:latest',
          imagePullPolicy: 'Always',
          resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
        {
          name: 'cache',
          image: 'redis:7.2',
          imagePullPolicy: 'IfNotPresent',
          env: [{ name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
          ...containerDefaults,
        },
      ],
      ...templateSpecDefaults,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      serviceAccount: 'default',
      serviceAccountName: 'default',
    });
  });

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v2', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
    ['nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'Always'],
  ])('pulls %s with policy %s', (image, policy) => {
    const pod = defaulted({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'c', image }] } });
    const [c] = (pod.spec as { containers: Record<string, unknown>[] }).containers;
    expect(c?.imagePullPolicy).toBe(policy);
  });

  it('defaults probes, volumes and host-network ports', () => {
    const pod = defaulted({
      apiVersion: 'v1',
      kind: 'Pod',
      spec: {
        hostNetwork: true,
        containers: [
          {
            name: 'c',
            image: 'app:1',
            ports: [{ containerPort: 8080 }],
            livenessProbe: { httpGet: { port: 8080 } },
            readinessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
          },
        ],
        volumes: [
          { name: 'scratch' },
          { name: 'cfg', configMap: { name: 'cfg' } },
          { name: 'sec', secret: { secretName: 's' } },
          { name: 'host', hostPath: { path: '/data' } },
          { name: 'tmp', emptyDir: { sizeLimit: '1024Mi' } },
        ],
      },
    });
    const spec = pod.spec as { containers: Record<string, unknown>[]; volumes: unknown[] };
    expect(spec.containers[0]?.ports).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: 'TCP' }]);
    expect(spec.containers[0]?.livenessProbe).toEqual({
      httpGet: { path: '/', port: 8080, scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(spec.containers[0]?.readinessProbe).toMatchObject({ grpc: { port: 9000, service: '' }, periodSeconds: 5 });
    expect(spec.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
      { name: 'sec', secret: { secretName: 's', defaultMode: 420 } },
      { name: 'host', hostPath: { path: '/data', type: '' } },
      { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
    ]);
  });

  it('resolves system priority classes and keeps a chosen service account', () => {
    const pod = defaulted({
      apiVersion: 'v1',
      kind: 'Pod',
      spec: { priorityClassName: 'system-node-critical', serviceAccountName: 'builder', containers: [] },
    });
    expect(pod.spec).toMatchObject({ priority: 2000001000, serviceAccountName: 'builder', serviceAccount: 'builder' });
  });
});

describe('Service', () => {
  it('defaults a ClusterIP service the way a real cluster shows it', () => {
    const svc = defaulted({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'my-service' },
      spec: {
        selector: { 'app.kubernetes.io/name': 'MyApp' },
        ports: [
          { port: 80, targetPort: 9376 },
          { name: 'metrics', port: 9090 },
        ],
      },
    });
    expect(svc).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'my-service' },
      spec: {
        internalTrafficPolicy: 'Cluster',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [
          { port: 80, protocol: 'TCP', targetPort: 9376 },
          { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090 },
        ],
        selector: { 'app.kubernetes.io/name': 'MyApp' },
        sessionAffinity: 'None',
        type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    });
  });

  it('adds external traffic policy and node-port allocation for LoadBalancer services', () => {
    const svc = defaulted({
      apiVersion: 'v1',
      kind: 'Service',
      spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 443 }] },
    });
    expect(svc.spec).toMatchObject({
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
    });
  });

  it('leaves IP fields off ExternalName services and marks selector-less headless ones dual-stack', () => {
    const ext = defaulted({
      apiVersion: 'v1',
      kind: 'Service',
      spec: { type: 'ExternalName', externalName: 'example.com' },
    });
    expect(ext.spec).toEqual({ type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
    const headless = defaulted({ apiVersion: 'v1', kind: 'Service', spec: { clusterIP: 'None' } });
    expect(headless.spec).toMatchObject({ ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4'] });
  });
});

describe('CronJob and Job', () => {
  it('defaults a CronJob and the pod template in its job template, but not the JobSpec', () => {
    const cj = defaulted({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'hello' },
      spec: {
        schedule: '* * * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                containers: [{ name: 'hello', image: 'busybox:1.28', command: ['/bin/sh', '-c', 'date'] }],
                restartPolicy: 'OnFailure',
              },
            },
          },
        },
      },
    });
    expect(cj.spec).toEqual({
      concurrencyPolicy: 'Allow',
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  command: ['/bin/sh', '-c', 'date'],
                  image: 'busybox:1.28',
                  imagePullPolicy: 'IfNotPresent',
                  name: 'hello',
                  ...containerDefaults,
                },
              ],
              ...templateSpecDefaults,
              restartPolicy: 'OnFailure',
            },
          },
        },
      },
      schedule: '* * * * *',
      successfulJobsHistoryLimit: 3,
      suspend: false,
    });
  });

  it('defaults a Job and generates its selector and labels from its uid on create', () => {
    const job = defaulted({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi', uid: '8c1f0e5a-0000-4000-8000-000000000001' },
      spec: {
        template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34.0' }], restartPolicy: 'Never' } },
        backoffLimit: 4,
      },
    });
    const uid = '8c1f0e5a-0000-4000-8000-000000000001';
    const labels = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': uid,
      'job-name': 'pi',
    };
    expect(job.metadata?.labels).toEqual(labels);
    expect(job.spec).toMatchObject({
      backoffLimit: 4,
      completionMode: 'NonIndexed',
      completions: 1,
      parallelism: 1,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      suspend: false,
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', dnsPolicy: 'ClusterFirst' } },
    });
    expect((job.spec as Record<string, unknown>).manualSelector).toBeUndefined();
  });

  it('defaults only parallelism when completions is given', () => {
    const job = defaulted({
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: { completions: 5, template: { spec: { containers: [] } } },
    });
    expect(job.spec).toMatchObject({ completions: 5, parallelism: 1, backoffLimit: 6 });
  });
});

describe('Namespace', () => {
  it('labels the namespace with its name, starts it Active and adds the kubernetes finalizer', () => {
    const ns = defaulted({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    expect(ns).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });

  it('does not put the finalizer back on update (the namespace controller removes it to finish deletion)', () => {
    const ns = defaulted(
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'gone', labels: { 'kubernetes.io/metadata.name': 'x' } },
        spec: { finalizers: [] },
        status: { phase: 'Terminating' },
      },
      'update',
    );
    expect(ns.spec).toEqual({ finalizers: [] });
    expect(ns.status).toEqual({ phase: 'Terminating' });
    expect(ns.metadata?.labels).toEqual({ 'kubernetes.io/metadata.name': 'gone' });
  });
});

describe('applyDefaults', () => {
  it('leaves kinds without defaults untouched', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
    applyDefaults('', 'v1', 'ConfigMap', cm);
    expect(cm).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } });
    const cr = { apiVersion: 'example.com/v1', kind: 'Widget', spec: {} };
    applyDefaults('example.com', 'v1', 'Widget', cr);
    expect(cr).toEqual({ apiVersion: 'example.com/v1', kind: 'Widget', spec: {} });
  });

  it('is idempotent: defaulting a defaulted object changes nothing', () => {
    const make = (): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        template: { spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: 1 } } }] } },
        volumeClaimTemplates: [
          {
            metadata: { name: 'www' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    });
    const once = defaulted(make());
    const twice = defaulted(structuredClone(once));
    expect(twice).toEqual(once);
  });
});
