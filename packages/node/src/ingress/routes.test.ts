import type { V1EndpointSlice, V1Ingress, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { backendEndpoints, buildRoutes, hostName, isOurs, matchRoute, pathMatches } from './routes.js';

const be = (name: string, port: number | string = 80) => ({
  service: { name, port: typeof port === 'number' ? { number: port } : { name: port } },
});
const ing = (name: string, spec: V1Ingress['spec'], created = '2024-01-01T00:00:00Z', ns = 'default'): V1Ingress => ({
  metadata: { name, namespace: ns, creationTimestamp: created as unknown as Date },
  spec,
});

const table = buildRoutes([
  ing('web', {
    rules: [
      {
        host: 'web.localhost',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: be('web') },
            { path: '/api', pathType: 'Prefix', backend: be('api') },
            { path: '/api/v2/', pathType: 'Prefix', backend: be('api2') },
            { path: '/api', pathType: 'Exact', backend: be('api-exact') },
          ],
        },
      },
      {
        host: '*.apps.localhost',
        http: { paths: [{ path: '/', pathType: 'ImplementationSpecific', backend: be('wild') }] },
      },
      { http: { paths: [{ path: '/any', pathType: 'Prefix', backend: be('anyhost') }] } },
    ],
  }),
  ing(
    'fallback',
    {
      defaultBackend: be('default-svc'),
      rules: [{ host: 'web.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('newer') }] } }],
    },
    '2024-02-01T00:00:00Z',
  ),
]);
const svc = (host: string, url: string): string | undefined => matchRoute(table, host, url)?.service;

describe('ingress routes', () => {
  it('matches hosts exactly, case-insensitively and without the port', () => {
    expect(svc('web.localhost', '/')).toBe('web');
    expect(svc('WEB.localhost:8080', '/index.html')).toBe('web');
    expect(hostName('[::1]:80')).toBe('[::1]');
  });

  it('picks the longest matching path, Exact before Prefix, by whole path elements', () => {
    expect(svc('web.localhost', '/api')).toBe('api-exact');
    expect(svc('web.localhost', '/api/')).toBe('api');
    expect(svc('web.localhost', '/api/users?x=1')).toBe('api');
    expect(svc('web.localhost', '/apixyz')).toBe('web');
    expect(svc('web.localhost', '/api/v2')).toBe('api2');
    expect(svc('web.localhost', '/api/v2/x')).toBe('api2');
    expect(pathMatches({ path: '/foo/', type: 'Prefix' }, '/foo')).toBe(true);
    expect(pathMatches({ path: '/foo', type: 'Exact' }, '/foo/')).toBe(false);
  });

  it('matches a wildcard host for exactly one label; ImplementationSpecific acts as Prefix', () => {
    expect(svc('shop.apps.localhost', '/x')).toBe('wild');
    expect(svc('a.shop.apps.localhost', '/x')).toBe('default-svc');
    expect(svc('apps.localhost', '/x')).toBe('default-svc');
  });

  it('falls back to rules without a host, then to the default backend; the oldest Ingress wins a conflict', () => {
    expect(svc('other.localhost', '/any/thing')).toBe('anyhost');
    expect(svc('other.localhost', '/')).toBe('default-svc');
    expect(
      buildRoutes([
        ing('x', { rules: [{ host: 'a', http: { paths: [{ path: '/', pathType: 'Prefix', backend: be('x') }] } }] }),
      ]).defaultBackend,
    ).toBeUndefined();
    expect(matchRoute(buildRoutes([]), 'a', '/')).toBeUndefined();
  });

  it('collects TLS entries with their namespace', () => {
    const t = buildRoutes([
      ing('s', { tls: [{ hosts: ['Secure.localhost'], secretName: 'cert' }] }, undefined, 'shop'),
    ]);
    expect(t.tls).toEqual([{ namespace: 'shop', secretName: 'cert', hosts: ['secure.localhost'] }]);
  });

  it('serves Ingresses of its class, and those without a class when it is the default', () => {
    expect(isOurs(ing('a', { ingressClassName: 'wharf' }), 'wharf', false)).toBe(true);
    expect(isOurs(ing('a', { ingressClassName: 'nginx' }), 'wharf', true)).toBe(false);
    expect(isOurs(ing('a', {}), 'wharf', true)).toBe(true);
    expect(isOurs(ing('a', {}), 'wharf', false)).toBe(false);
    expect(isOurs({ metadata: { annotations: { 'kubernetes.io/ingress.class': 'wharf' } } }, 'wharf', false)).toBe(
      true,
    );
  });

  it('resolves a backend to the ready endpoints of the service port, by number or name', () => {
    const services: V1Service[] = [
      {
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          ports: [
            { name: 'http', port: 80, targetPort: 8080 },
            { name: 'admin', port: 81 },
          ],
        },
      },
      { metadata: { name: 'plain', namespace: 'default' }, spec: { ports: [{ port: 80 }] } },
    ];
    const slices: V1EndpointSlice[] = [
      {
        addressType: 'IPv4',
        metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'admin', port: 9090, protocol: 'TCP' },
        ],
        endpoints: [
          { addresses: ['10.64.0.2'], conditions: { ready: true } },
          { addresses: ['10.64.0.3'], conditions: { ready: false } },
          { addresses: ['10.64.0.4'] },
        ],
      },
      {
        addressType: 'IPv4',
        metadata: { name: 'plain-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'plain' } },
        ports: [{ port: 8000 }],
        endpoints: [{ addresses: ['10.64.0.9'] }],
      },
    ];
    const get = (ns: string, name: string): V1Service | undefined =>
      services.find((s) => s.metadata?.namespace === ns && s.metadata.name === name);
    const b = { namespace: 'default', ingress: 'default/x' };
    expect(backendEndpoints({ ...b, service: 'web', port: 80 }, get, slices)).toEqual([
      { ip: '10.64.0.2', port: 8080 },
      { ip: '10.64.0.4', port: 8080 },
    ]);
    expect(backendEndpoints({ ...b, service: 'web', port: 'admin' }, get, slices)).toEqual([
      { ip: '10.64.0.2', port: 9090 },
      { ip: '10.64.0.4', port: 9090 },
    ]);
    expect(backendEndpoints({ ...b, service: 'plain', port: 80 }, get, slices)).toEqual([
      { ip: '10.64.0.9', port: 8000 },
    ]);
    expect(backendEndpoints({ ...b, service: 'web', port: 82 }, get, slices)).toEqual([]);
    expect(backendEndpoints({ ...b, service: 'missing', port: 80 }, get, slices)).toEqual([]);
  });
});
