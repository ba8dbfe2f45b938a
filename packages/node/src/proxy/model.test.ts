import { describe, expect, it } from 'vitest';
import { servicePorts, type EndpointSliceObject, type ServiceObject } from './model.js';

const svc = (name: string, spec: ServiceObject['spec'], namespace = 'default'): ServiceObject => ({
  metadata: { name, namespace },
  spec,
});
const slice = (
  service: string,
  endpoints: EndpointSliceObject['endpoints'],
  ports: EndpointSliceObject['ports'] = [{ port: 8080, protocol: 'TCP' }],
  extra: Partial<EndpointSliceObject> = {},
): EndpointSliceObject => ({
  metadata: { name: `${service}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  ports,
  endpoints,
  ...extra,
});
const ep = (
  ip: string,
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean } = { ready: true },
) => ({ addresses: [ip], conditions });

describe('servicePorts', () => {
  it('gives each port of a cluster-IP Service its ready endpoints, sorted and deduplicated', () => {
    const out = servicePorts(
      [svc('web', { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ port: 80, protocol: 'TCP' }] })],
      [
        slice('web', [ep('10.64.0.9'), ep('10.64.0.10'), ep('10.64.0.11', { ready: false })]),
        slice('web', [ep('10.64.0.9')]),
      ],
    );
    expect(out).toEqual([
      {
        id: 'default/web:',
        clusterIP: '10.96.0.10',
        port: 80,
        protocol: 'TCP',
        endpoints: [
          { ip: '10.64.0.9', port: 8080 },
          { ip: '10.64.0.10', port: 8080 },
        ],
      },
    ]);
  });

  it('skips headless and ExternalName Services', () => {
    const out = servicePorts(
      [
        svc('h', { clusterIP: 'None', ports: [{ port: 80 }] }),
        svc('x', { type: 'ExternalName', ports: [{ port: 80 }] }),
      ],
      [slice('h', [ep('10.64.0.9')])],
    );
    expect(out).toEqual([]);
  });

  it('matches slice ports by name and protocol, and treats a missing ready condition as ready', () => {
    const out = servicePorts(
      [
        svc('web', {
          clusterIP: '10.96.0.10',
          ports: [
            { name: 'http', port: 80 },
            { name: 'dns', port: 53, protocol: 'UDP' },
          ],
        }),
      ],
      [
        slice(
          'web',
          [{ addresses: ['10.64.0.9'] }],
          [
            { name: 'http', port: 8080, protocol: 'TCP' },
            { name: 'dns', port: 5353, protocol: 'UDP' },
          ],
        ),
      ],
    );
    expect(out.map((p) => [p.id, p.protocol, p.endpoints])).toEqual([
      ['default/web:dns', 'UDP', [{ ip: '10.64.0.9', port: 5353 }]],
      ['default/web:http', 'TCP', [{ ip: '10.64.0.9', port: 8080 }]],
    ]);
  });

  it('falls back to serving terminating endpoints only when none is ready', () => {
    const services = [svc('web', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] })];
    const term = ep('10.64.0.2', { ready: false, serving: true, terminating: true });
    expect(servicePorts(services, [slice('web', [term, ep('10.64.0.3')])])[0]?.endpoints).toEqual([
      { ip: '10.64.0.3', port: 8080 },
    ]);
    expect(servicePorts(services, [slice('web', [term])])[0]?.endpoints).toEqual([{ ip: '10.64.0.2', port: 8080 }]);
  });

  it('ignores slices of other namespaces, other Services and IPv6', () => {
    const out = servicePorts(
      [svc('web', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] })],
      [
        {
          ...slice('web', [ep('10.64.0.5')]),
          metadata: { namespace: 'other', labels: { 'kubernetes.io/service-name': 'web' } },
        },
        slice('api', [ep('10.64.0.6')]),
        slice('web', [{ addresses: ['fd00::1'], conditions: { ready: true } }], undefined, { addressType: 'IPv6' }),
      ],
    );
    expect(out[0]?.endpoints).toEqual([]);
  });

  it('carries node ports of NodePort Services and the ClientIP affinity timeout', () => {
    const [p] = servicePorts(
      [
        svc('web', {
          type: 'NodePort',
          clusterIP: '10.96.0.10',
          ports: [{ port: 80, nodePort: 30080 }],
          sessionAffinity: 'ClientIP',
        }),
      ],
      [],
    );
    expect(p).toMatchObject({ nodePort: 30080, affinitySeconds: 10800 });
    const [q] = servicePorts(
      [
        svc('web', {
          clusterIP: '10.96.0.10',
          ports: [{ port: 80, nodePort: 30080 }],
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        }),
      ],
      [],
    );
    expect(q?.nodePort).toBeUndefined();
    expect(q?.affinitySeconds).toBe(60);
  });
});
