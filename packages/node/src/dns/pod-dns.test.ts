import { describe, expect, it } from 'vitest';
import { parseResolvConf, podCidrGateway, podDnsConfig } from './pod-dns.js';

const host = parseResolvConf(
  '# host\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example\noptions edns0\n',
);
const cluster = { server: '10.64.0.1', domain: 'cluster.local' };

describe('pod resolv.conf', () => {
  it('ClusterFirst (the default): the cluster server, the namespace search path and ndots:5', () => {
    expect(podDnsConfig({ containers: [] }, 'shop', cluster, host)).toEqual({
      servers: ['10.64.0.1'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
      options: ['ndots:5'],
    });
  });

  it('merges dnsConfig: servers and searches appended, options overriding by name', () => {
    const c = podDnsConfig(
      {
        containers: [],
        dnsConfig: {
          nameservers: ['10.0.0.9'],
          searches: ['x.example'],
          options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
        },
      },
      'a',
      cluster,
      host,
    );
    expect(c).toEqual({
      servers: ['10.64.0.1', '10.0.0.9'],
      searches: ['a.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'x.example'],
      options: ['ndots:2', 'edns0'],
    });
  });

  it('Default (and ClusterFirst without a cluster DNS or on the host network) keeps the host file', () => {
    expect(podDnsConfig({ containers: [], dnsPolicy: 'Default' }, 'a', cluster, host)).toBeUndefined();
    expect(podDnsConfig({ containers: [] }, 'a', undefined, host)).toBeUndefined();
    expect(podDnsConfig({ containers: [], hostNetwork: true }, 'a', cluster, host)).toBeUndefined();
    expect(
      podDnsConfig({ containers: [], dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }, 'a', cluster, host)
        ?.servers,
    ).toEqual(['10.64.0.1']);
    expect(
      podDnsConfig({ containers: [], dnsPolicy: 'Default', dnsConfig: { searches: ['y'] } }, 'a', cluster, host),
    ).toEqual({
      servers: ['192.0.2.53', '192.0.2.54'],
      searches: ['corp.example', 'y'],
      options: ['edns0'],
    });
  });

  it('None: dnsConfig alone', () => {
    expect(
      podDnsConfig(
        {
          containers: [],
          dnsPolicy: 'None',
          dnsConfig: { nameservers: ['1.2.3.4'], options: [{ name: 'ndots', value: '1' }] },
        },
        'a',
        cluster,
        host,
      ),
    ).toEqual({
      servers: ['1.2.3.4'],
      searches: [],
      options: ['ndots:1'],
    });
  });

  it('the gateway of a pod CIDR', () => {
    expect(podCidrGateway('10.64.3.0/24')).toBe('10.64.3.1');
    expect(podCidrGateway('10.64.3.77/24')).toBe('10.64.3.1');
    expect(() => podCidrGateway('fd00::/64')).toThrow(/'podCIDR'/);
  });
});
