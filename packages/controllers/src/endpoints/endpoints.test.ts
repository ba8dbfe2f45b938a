import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { desiredEndpoints, reconcileEndpoints } from './endpoints.js';
import { reconcileEndpointSlices } from './slices.js';

const svc: V1Service = {
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels: { app: 'web' } },
  spec: {
    selector: { app: 'web' },
    clusterIP: '10.96.0.10',
    ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
  },
};

function pod(
  name: string,
  ip: string | undefined,
  opts: {
    ready?: boolean;
    node?: string;
    terminating?: boolean;
    phase?: string;
    port?: number;
    portName?: string;
    hostname?: string;
    labels?: Record<string, string>;
  } = {},
): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `${name}-uid`,
      labels: opts.labels ?? { app: 'web' },
      ...(opts.terminating ? { deletionTimestamp: new Date(0) } : {}),
    },
    spec: {
      containers: [{ name: 'c', ports: [{ name: opts.portName ?? 'http', containerPort: opts.port ?? 8080 }] }],
      ...(opts.node ? { nodeName: opts.node } : {}),
      ...(opts.hostname ? { hostname: opts.hostname, subdomain: 'web' } : {}),
    },
    status: {
      phase: opts.phase ?? 'Running',
      ...(ip ? { podIP: ip } : {}),
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  };
}

const zones: Record<string, string> = { n1: 'a', n2: 'b' };
const zoneOf = (n: string): string | undefined => zones[n];

describe('desiredEndpoints', () => {
  it('lists ready pods in addresses, not-ready ones apart, and leaves out terminating, finished, IP-less and unselected pods', () => {
    const ep = desiredEndpoints(svc, [
      pod('b', '10.0.0.10', { node: 'n2' }),
      pod('a', '10.0.0.9', { node: 'n1', hostname: 'a' }),
      pod('nr', '10.0.0.3', { ready: false }),
      pod('term', '10.0.0.4', { terminating: true }),
      pod('done', '10.0.0.5', { phase: 'Succeeded' }),
      pod('noip', undefined),
      pod('other', '10.0.0.6', { labels: { app: 'db' } }),
    ]);
    expect(ep.metadata?.labels).toEqual({ app: 'web' });
    expect(ep.subsets).toEqual([
      {
        addresses: [
          {
            ip: '10.0.0.9',
            hostname: 'a',
            nodeName: 'n1',
            targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'a-uid' },
          },
          {
            ip: '10.0.0.10',
            nodeName: 'n2',
            targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'b-uid' },
          },
        ],
        notReadyAddresses: [
          { ip: '10.0.0.3', targetRef: { kind: 'Pod', namespace: 'default', name: 'nr', uid: 'nr-uid' } },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('resolves a named targetPort per pod into separate subsets and skips pods without it', () => {
    const ep = desiredEndpoints(svc, [
      pod('a', '10.0.0.1'),
      pod('b', '10.0.0.2', { port: 9090 }),
      pod('c', '10.0.0.3', { portName: 'metrics' }),
    ]);
    expect(ep.subsets?.map((s) => [s.addresses?.map((a) => a.ip), s.ports?.[0]?.port])).toEqual([
      [['10.0.0.1'], 8080],
      [['10.0.0.2'], 9090],
    ]);
  });

  it('publishes not-ready and terminating pods as ready with publishNotReadyAddresses', () => {
    const ep = desiredEndpoints({ ...svc, spec: { ...svc.spec, publishNotReadyAddresses: true } }, [
      pod('nr', '10.0.0.3', { ready: false }),
      pod('t', '10.0.0.4', { terminating: true }),
    ]);
    expect(ep.subsets?.[0]?.addresses?.map((a) => a.ip)).toEqual(['10.0.0.3', '10.0.0.4']);
    expect(ep.subsets?.[0]?.notReadyAddresses).toBeUndefined();
  });

  it('skips the write when nothing changed', () => {
    const pods = [pod('a', '10.0.0.1')];
    const first = reconcileEndpoints(svc, pods, undefined);
    expect(first.type).toBe('create');
    const stored = {
      ...(first.type === 'create' ? first.endpoints : {}),
      metadata: { name: 'web', namespace: 'default', resourceVersion: '5', labels: { app: 'web' } },
    };
    expect(reconcileEndpoints(svc, pods, stored)).toEqual({ type: 'none' });
    const next = reconcileEndpoints(svc, [pod('a', '10.0.0.1', { ready: false })], stored);
    expect(next).toMatchObject({
      type: 'update',
      endpoints: { metadata: { resourceVersion: '5' }, subsets: [{ notReadyAddresses: [{ ip: '10.0.0.1' }] }] },
    });
  });
});

describe('reconcileEndpointSlices', () => {
  it('creates one slice with conditions, node, zone, hostname, labels and owner', () => {
    const actions = reconcileEndpointSlices(svc, {
      pods: [
        pod('a', '10.0.0.1', { node: 'n1', hostname: 'a' }),
        pod('nr', '10.0.0.2', { node: 'n2', ready: false }),
        pod('t', '10.0.0.3', { node: 'n2', terminating: true }),
      ],
      zoneOf,
      existing: [],
    });
    expect(actions).toHaveLength(1);
    const a = actions[0];
    expect(a?.type).toBe('create');
    const slice = (a as { slice: V1EndpointSlice }).slice;
    expect(slice.metadata?.name).toMatch(/^web-[0-9a-f]{5}$/);
    expect(slice.metadata?.labels).toEqual({
      app: 'web',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(slice.metadata?.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true },
    ]);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints).toEqual([
      {
        addresses: ['10.0.0.1'],
        conditions: { ready: true, serving: true, terminating: false },
        hostname: 'a',
        nodeName: 'n1',
        zone: 'a',
        targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'a-uid' },
      },
      {
        addresses: ['10.0.0.2'],
        conditions: { ready: false, serving: false, terminating: false },
        nodeName: 'n2',
        zone: 'b',
        targetRef: { kind: 'Pod', namespace: 'default', name: 'nr', uid: 'nr-uid' },
      },
      {
        addresses: ['10.0.0.3'],
        conditions: { ready: false, serving: true, terminating: true },
        nodeName: 'n2',
        zone: 'b',
        targetRef: { kind: 'Pod', namespace: 'default', name: 't', uid: 't-uid' },
      },
    ]);
  });

  it('updates in place, keeps a placeholder when empty, splits by port set and size, deletes leftovers', () => {
    const first = reconcileEndpointSlices(svc, { pods: [pod('a', '10.0.0.1')], zoneOf, existing: [] });
    const stored = {
      ...(first[0] as { slice: V1EndpointSlice }).slice,
      metadata: { ...(first[0] as { slice: V1EndpointSlice }).slice.metadata, resourceVersion: '3' },
    };
    expect(reconcileEndpointSlices(svc, { pods: [pod('a', '10.0.0.1')], zoneOf, existing: [stored] })).toEqual([]);

    const notReady = reconcileEndpointSlices(svc, {
      pods: [pod('a', '10.0.0.1', { ready: false })],
      zoneOf,
      existing: [stored],
    });
    expect(notReady).toMatchObject([
      {
        type: 'update',
        slice: {
          metadata: { name: stored.metadata?.name, resourceVersion: '3' },
          endpoints: [{ conditions: { ready: false } }],
        },
      },
    ]);

    const empty = reconcileEndpointSlices(svc, { pods: [], zoneOf, existing: [stored] });
    expect(empty).toMatchObject([{ type: 'update', slice: { endpoints: [] } }]);
    expect((empty[0] as { slice: V1EndpointSlice }).slice.ports).toBeUndefined();

    const many = Array.from({ length: 5 }, (_, i) => pod(`p${i}`, `10.0.1.${i + 1}`)).concat(
      pod('q', '10.0.2.1', { port: 9090 }),
    );
    const split = reconcileEndpointSlices(svc, { pods: many, zoneOf, existing: [stored], maxEndpointsPerSlice: 2 });
    expect(split.map((a) => a.type).sort()).toEqual(['create', 'create', 'create', 'update']);
    const sizes = split.map((a) => (a as { slice: V1EndpointSlice }).slice.endpoints.length);
    expect(sizes.sort()).toEqual([1, 1, 2, 2]);

    const other: V1EndpointSlice = { ...stored, metadata: { ...stored.metadata, name: 'web-extra' } };
    expect(reconcileEndpointSlices(svc, { pods: [pod('a', '10.0.0.1')], zoneOf, existing: [stored, other] })).toEqual([
      { type: 'delete', name: 'web-extra' },
    ]);
  });
});
