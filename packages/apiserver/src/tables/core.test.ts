import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject, ResourceInfo } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { toTable } from './table.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const created = new Date(NOW.getTime() - 3 * 86_400_000).toISOString();

function info(resource: string): ResourceInfo {
  const found = BUILTIN_RESOURCES.find((r) => r.group === '' && r.resource === resource);
  if (found === undefined) throw new Error(`no core resource ${resource}`);
  return found;
}

function table(resource: string, obj: Record<string, unknown>): { columns: string[]; cells: unknown[] } {
  const metadata = { name: 'x', creationTimestamp: created, ...(obj.metadata as object | undefined) };
  const t = toTable(info(resource), [{ ...obj, metadata } as KubeObject], { now: NOW });
  return { columns: t.columnDefinitions.map((c) => c.name), cells: t.rows[0]?.cells ?? [] };
}

describe('services', () => {
  it('prints a ClusterIP service', () => {
    const t = table('services', {
      metadata: { name: 'web' },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        ports: [{ port: 80, protocol: 'TCP' }],
        selector: { app: 'web' },
      },
    });
    expect(t.columns).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    expect(t.cells).toEqual(['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP', '3d', 'app=web']);
  });

  it('prints node ports as port:nodePort/protocol', () => {
    const t = table('services', {
      spec: {
        type: 'NodePort',
        clusterIPs: ['10.96.1.1'],
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, nodePort: 30053, protocol: 'UDP' },
        ],
      },
    });
    expect(t.cells.slice(1, 5)).toEqual(['NodePort', '10.96.1.1', '<none>', '80:30080/TCP,53:30053/UDP']);
  });

  it('prints <pending> for a load balancer without ingress, its addresses once assigned', () => {
    const pending = table('services', {
      spec: { type: 'LoadBalancer', clusterIPs: ['10.96.1.2'], ports: [{ port: 443, nodePort: 31443 }] },
    });
    expect(pending.cells.slice(3, 5)).toEqual(['<pending>', '443:31443/TCP']);
    const assigned = table('services', {
      spec: { type: 'LoadBalancer', clusterIPs: ['10.96.1.2'], externalIPs: ['192.0.2.9'] },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.5' }, { hostname: 'lb.example.com' }] } },
    });
    expect(assigned.cells.slice(3, 5)).toEqual(['203.0.113.5,lb.example.com,192.0.2.9', '<none>']);
  });

  it('prints a headless and an ExternalName service', () => {
    expect(table('services', { spec: { clusterIP: 'None', clusterIPs: ['None'] } }).cells.slice(1, 6)).toEqual([
      'ClusterIP',
      'None',
      '<none>',
      '<none>',
      '3d',
    ]);
    const ext = table('services', { spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    expect(ext.cells.slice(1, 5)).toEqual(['ExternalName', '<none>', 'db.example.com', '<none>']);
  });
});

describe('endpoints', () => {
  it('lists ip:port pairs, three at most', () => {
    const addresses = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip }));
    const t = table('endpoints', { subsets: [{ addresses, ports: [{ port: 8080 }] }] });
    expect(t.columns).toEqual(['Name', 'Endpoints', 'Age']);
    expect(t.cells[1]).toBe('10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more...');
    expect(table('endpoints', {}).cells[1]).toBe('<none>');
    expect(table('endpoints', { subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }] }).cells[1]).toBe(
      '[fd00::1]:80',
    );
  });
});

describe('nodes', () => {
  const node = {
    metadata: {
      name: 'node-a',
      labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' },
    },
    spec: { unschedulable: true },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
      addresses: [
        { type: 'InternalIP', address: '192.168.1.10' },
        { type: 'Hostname', address: 'node-a' },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.0',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0-18-amd64',
        containerRuntimeVersion: 'containerd://1.7.13',
      },
    },
  };

  it('prints status with SchedulingDisabled, sorted roles and node info', () => {
    const t = table('nodes', node);
    expect(t.columns).toEqual([
      'Name',
      'Status',
      'Roles',
      'Age',
      'Version',
      'Internal-IP',
      'External-IP',
      'OS-Image',
      'Kernel-Version',
      'Container-Runtime',
    ]);
    expect(t.cells).toEqual([
      'node-a',
      'Ready,SchedulingDisabled',
      'control-plane,worker',
      '3d',
      'v1.32.0',
      '192.168.1.10',
      '<none>',
      'Debian GNU/Linux 12 (bookworm)',
      '6.1.0-18-amd64',
      'containerd://1.7.13',
    ]);
  });

  it('prints NotReady, Unknown and <none> roles', () => {
    expect(
      table('nodes', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }).cells.slice(1, 3),
    ).toEqual(['NotReady', '<none>']);
    expect(table('nodes', {}).cells.slice(1, 8)).toEqual([
      'Unknown',
      '<none>',
      '3d',
      '',
      '<none>',
      '<none>',
      '<unknown>',
    ]);
  });
});

describe('small core kinds', () => {
  it('namespaces print their phase', () => {
    expect(table('namespaces', { status: { phase: 'Terminating' } }).cells).toEqual(['x', 'Terminating', '3d']);
  });

  it('configmaps count data and binaryData keys', () => {
    const t = table('configmaps', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } });
    expect(t.columns).toEqual(['Name', 'Data', 'Age']);
    expect(t.cells).toEqual(['x', 3, '3d']);
  });

  it('secrets print type and key count', () => {
    const t = table('secrets', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'AA==', 'tls.key': 'AA==' } });
    expect(t.columns).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(t.cells).toEqual(['x', 'kubernetes.io/tls', 2, '3d']);
    expect(table('secrets', {}).cells.slice(1, 3)).toEqual(['Opaque', 0]);
  });

  it('service accounts count secrets', () => {
    expect(table('serviceaccounts', { secrets: [{ name: 't' }] }).cells).toEqual(['x', 1, '3d']);
  });

  it('replication controllers print desired/current/ready and the template', () => {
    const t = table('replicationcontrollers', {
      spec: {
        replicas: 3,
        selector: { app: 'web' },
        template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
      },
      status: { replicas: 3, readyReplicas: 2 },
    });
    expect(t.cells).toEqual(['x', 3, 3, 2, '3d', 'web', 'nginx:1.25', 'app=web']);
  });

  it('pod templates print containers and pod labels, without an age', () => {
    const t = table('podtemplates', {
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'a', image: 'i1' },
            { name: 'b', image: 'i2' },
          ],
        },
      },
    });
    expect(t.columns).toEqual(['Name', 'Containers', 'Images', 'Pod Labels']);
    expect(t.cells).toEqual(['x', 'a,b', 'i1,i2', 'app=web']);
  });

  it('resource quotas split requests and limits, sorted by resource', () => {
    const t = table('resourcequotas', {
      status: {
        hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '4Gi', 'limits.cpu': '4' },
        used: { pods: '3', 'requests.cpu': '500m', 'limits.cpu': '1' },
      },
    });
    expect(t.columns).toEqual(['Name', 'Request', 'Limit', 'Age']);
    expect(t.cells).toEqual(['x', 'pods: 3/10, requests.cpu: 500m/2', 'limits.cpu: 1/4, limits.memory: 0/4Gi', '3d']);
  });

  it('limit ranges have no printer and show Name and Created At', () => {
    const t = table('limitranges', {});
    expect(t.columns).toEqual(['Name', 'Created At']);
    expect(t.cells).toEqual(['x', '2024-04-28T12:00:00Z']);
  });
});
