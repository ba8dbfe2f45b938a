import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject, ResourceInfo } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { toTable } from './table.js';

const NOW = new Date('2024-05-01T12:00:00Z');

function table(group: string, resource: string, obj: Record<string, unknown>): { columns: string[]; cells: unknown[] } {
  const info = BUILTIN_RESOURCES.find((r) => r.group === group && r.resource === resource) as ResourceInfo;
  const t = toTable(
    info,
    [{ ...obj, metadata: { name: 'x', creationTimestamp: '2024-05-01T11:00:00Z' } } as KubeObject],
    { now: NOW },
  );
  return { columns: t.columnDefinitions.map((c) => c.name), cells: t.rows[0]?.cells ?? [] };
}

describe('ingresses', () => {
  it('print class, hosts, address and ports', () => {
    const t = table('networking.k8s.io', 'ingresses', {
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'shop.example.com' }, { host: 'api.example.com' }],
        tls: [{ hosts: ['shop.example.com'], secretName: 'tls' }],
      },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } },
    });
    expect(t.columns).toEqual(['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
    expect(t.cells).toEqual(['x', 'nginx', 'shop.example.com,api.example.com', '203.0.113.7', '80, 443', '60m']);
  });

  it('print * without hosts and count hosts past three', () => {
    expect(table('networking.k8s.io', 'ingresses', { spec: { rules: [{}] } }).cells.slice(1, 5)).toEqual([
      '<none>',
      '*',
      '',
      '80',
    ]);
    const many = { spec: { rules: ['a', 'b', 'c', 'd', 'e'].map((h) => ({ host: `${h}.example.com` })) } };
    expect(table('networking.k8s.io', 'ingresses', many).cells[2]).toBe(
      'a.example.com,b.example.com,c.example.com + 2 more...',
    );
  });
});

describe('ingress classes, network policies, endpoint slices', () => {
  it('ingress classes print controller and parameters', () => {
    const t = table('networking.k8s.io', 'ingressclasses', {
      spec: {
        controller: 'k8s.io/ingress-nginx',
        parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' },
      },
    });
    expect(t.columns).toEqual(['Name', 'Controller', 'Parameters', 'Age']);
    expect(t.cells).toEqual(['x', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/external-lb', '60m']);
    expect(table('networking.k8s.io', 'ingressclasses', { spec: { controller: 'c' } }).cells[2]).toBe('<none>');
  });

  it('network policies print the pod selector', () => {
    const t = table('networking.k8s.io', 'networkpolicies', { spec: { podSelector: { matchLabels: { role: 'db' } } } });
    expect(t.columns).toEqual(['Name', 'Pod-Selector', 'Age']);
    expect(t.cells).toEqual(['x', 'role=db', '60m']);
    expect(table('networking.k8s.io', 'networkpolicies', { spec: { podSelector: {} } }).cells[1]).toBe('<none>');
  });

  it('endpoint slices print address type, ports and addresses', () => {
    const t = table('discovery.k8s.io', 'endpointslices', {
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'metrics' }],
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }],
    });
    expect(t.columns).toEqual(['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    expect(t.cells).toEqual(['x', 'IPv4', '80,metrics', '10.0.0.1,10.0.0.2', '60m']);
    expect(table('discovery.k8s.io', 'endpointslices', { addressType: 'IPv4' }).cells.slice(2, 4)).toEqual([
      '<unset>',
      '<unset>',
    ]);
  });
});
