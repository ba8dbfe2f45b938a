import { randomBytes } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { answerQuery } from './answer.js';
import { buildRecords, reverseName } from './records.js';

const services: V1Service[] = [
  {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      clusterIP: '10.96.0.20',
      clusterIPs: ['10.96.0.20'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { port: 81 }],
    },
  },
  { metadata: { name: 'db', namespace: 'prod' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } },
  { metadata: { name: 'empty', namespace: 'prod' }, spec: { clusterIP: 'None' } },
  { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.org.' } },
];
const slices: V1EndpointSlice[] = [
  {
    addressType: 'IPv4',
    metadata: { name: 'db-abc', namespace: 'prod', labels: { 'kubernetes.io/service-name': 'db' } },
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.64.0.5'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.64.0.6'], conditions: { ready: true } },
      { addresses: ['10.64.0.7'], hostname: 'db-2', conditions: { ready: false } },
    ],
  },
];
const records = buildRecords(services, slices, 'cluster.local');

function ask(name: string, type: string, transport: 'udp' | 'tcp' = 'udp'): dnsPacket.DecodedPacket {
  const q = dnsPacket.encode({
    id: 4242,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A', class: 'IN' }],
  });
  const out = answerQuery(q, records, { transport });
  if (!out) throw new Error('no answer');
  return dnsPacket.decode(out);
}
const rcode = (p: dnsPacket.DecodedPacket): string => (p as unknown as { rcode: string }).rcode;
const data = (p: dnsPacket.DecodedPacket): unknown[] => (p.answers ?? []).map((a) => (a as { data: unknown }).data);

describe('cluster DNS answers', () => {
  it('answers a ClusterIP service with its cluster IP, authoritatively, whatever the case', () => {
    const p = ask('Web.Default.svc.cluster.local', 'A');
    expect(p.id).toBe(4242);
    expect(p.flag_aa).toBe(true);
    expect(rcode(p)).toBe('NOERROR');
    expect(p.answers).toEqual([
      expect.objectContaining({ name: 'Web.Default.svc.cluster.local', type: 'A', ttl: 5, data: '10.96.0.20' }),
    ]);
  });

  it('answers SRV for named ports only, with the target address in the additional section', () => {
    const p = ask('_http._tcp.web.default.svc.cluster.local', 'SRV');
    expect(data(p)).toEqual([{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
    expect(p.additionals).toEqual([
      expect.objectContaining({ name: 'web.default.svc.cluster.local', type: 'A', data: '10.96.0.20' }),
    ]);
    expect(rcode(ask('_81._tcp.web.default.svc.cluster.local', 'SRV'))).toBe('NXDOMAIN');
  });

  it('answers a headless service with its ready endpoints and each endpoint by hostname', () => {
    expect(data(ask('db.prod.svc.cluster.local', 'A')).sort()).toEqual(['10.64.0.5', '10.64.0.6']);
    expect(data(ask('db-0.db.prod.svc.cluster.local', 'A'))).toEqual(['10.64.0.5']);
    expect(data(ask('10-64-0-6.db.prod.svc.cluster.local', 'A'))).toEqual(['10.64.0.6']);
    expect(rcode(ask('db-2.db.prod.svc.cluster.local', 'A'))).toBe('NXDOMAIN');
    const srv = ask('_pg._tcp.db.prod.svc.cluster.local', 'SRV');
    expect(data(srv)).toEqual(
      expect.arrayContaining([
        { priority: 0, weight: 100, port: 5432, target: 'db-0.db.prod.svc.cluster.local' },
        { priority: 0, weight: 100, port: 5432, target: '10-64-0-6.db.prod.svc.cluster.local' },
      ]),
    );
    expect(srv.answers).toHaveLength(2);
  });

  it('answers NODATA (not NXDOMAIN) for a name that exists without records of the asked type', () => {
    for (const [name, type] of [
      ['web.default.svc.cluster.local', 'AAAA'],
      ['empty.prod.svc.cluster.local', 'A'],
      ['prod.svc.cluster.local', 'A'],
      ['svc.cluster.local', 'A'],
    ] as const) {
      const p = ask(name, type);
      expect(rcode(p), name).toBe('NOERROR');
      expect(p.answers, name).toEqual([]);
      expect(p.authorities?.[0]?.type, name).toBe('SOA');
    }
  });

  it('answers NXDOMAIN with the SOA for unknown names in the zone, REFUSED outside it', () => {
    const nx = ask('nope.default.svc.cluster.local', 'A');
    expect(rcode(nx)).toBe('NXDOMAIN');
    expect(nx.authorities?.[0]).toEqual(expect.objectContaining({ type: 'SOA', name: 'cluster.local' }));
    const out = ask('example.com', 'A');
    expect(rcode(out)).toBe('REFUSED');
    expect(out.flag_aa).toBe(false);
  });

  it('answers CNAME for ExternalName services', () => {
    expect(ask('ext.default.svc.cluster.local', 'A').answers).toEqual([
      expect.objectContaining({ type: 'CNAME', data: 'example.org' }),
    ]);
  });

  it('answers pod names <a-b-c-d>.<ns>.pod.<zone>', () => {
    expect(data(ask('10-64-1-9.default.pod.cluster.local', 'A'))).toEqual(['10.64.1.9']);
    expect(rcode(ask('10-64-1-999.default.pod.cluster.local', 'A'))).toBe('NXDOMAIN');
  });

  it('answers PTR for cluster IPs and endpoints', () => {
    expect(data(ask(reverseName('10.96.0.20')!, 'PTR'))).toEqual(['web.default.svc.cluster.local']);
    expect(data(ask('5.0.64.10.in-addr.arpa', 'PTR'))).toEqual(['db-0.db.prod.svc.cluster.local']);
    expect(reverseName('fd00::1')).toBe(`1.${'0.'.repeat(29)}d.f.ip6.arpa`);
  });

  it('truncates UDP answers over 512 bytes but not TCP ones', () => {
    const many: V1EndpointSlice = {
      addressType: 'IPv4',
      metadata: { name: 'big-1', namespace: 'x', labels: { 'kubernetes.io/service-name': 'big' } },
      endpoints: Array.from({ length: 60 }, (_, i) => ({ addresses: [`10.64.2.${i + 1}`] })),
    };
    const r = buildRecords([{ metadata: { name: 'big', namespace: 'x' }, spec: { clusterIP: 'None' } }], [many]);
    const q = dnsPacket.encode({ id: 1, type: 'query', questions: [{ name: 'big.x.svc.cluster.local', type: 'A' }] });
    const udp = dnsPacket.decode(answerQuery(q, r, { transport: 'udp' })!);
    expect(udp.flag_tc).toBe(true);
    expect(udp.answers).toEqual([]);
    expect(dnsPacket.decode(answerQuery(q, r, { transport: 'tcp' })!).answers).toHaveLength(60);
  });

  it('never throws on malformed input: FORMERR when the header is readable, nothing otherwise', () => {
    expect(answerQuery(Buffer.from([1, 2, 3]), records, { transport: 'udp' })).toBeUndefined();
    const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
    const p = dnsPacket.decode(answerQuery(garbage, records, { transport: 'udp' })!);
    expect(p.id).toBe(0x1234);
    expect(rcode(p)).toBe('FORMERR');
    // a response is never answered (no loops between servers)
    expect(
      answerQuery(dnsPacket.encode({ id: 1, type: 'response', questions: [{ name: 'a', type: 'A' }] }), records, {
        transport: 'udp',
      }),
    ).toBeUndefined();
    for (let i = 0; i < 500; i++) {
      const b = randomBytes(12 + (i % 80));
      b[2] = b[2]! & 0x7f;
      expect(() => answerQuery(b, records, { transport: i % 2 ? 'udp' : 'tcp' })).not.toThrow();
    }
  });
});
