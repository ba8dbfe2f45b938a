// Cluster DNS against a real `wharf up` (no nodes), queried with a real resolver (Node's c-ares)
// over UDP, and over TCP with framed dns-packet queries. Pods are covered by e2e/dns.test.ts.
import { existsSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import dgram from 'node:dgram';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, WharfProcess } from '@wharf/testing';
import { ClusterDns } from './cluster-dns.js';

const cliBuilt = existsSync(fileURLToPath(new URL('../../../cli/dist/index.js', import.meta.url)));
if (!cliBuilt)
  console.warn('skipping cluster-dns.test.ts: needs a built CLI (npx tsc -b packages/cli packages/testing)');

function tcpQuery(port: number, name: string, type: 'A' | 'SRV'): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () =>
      s.write(dnsPacket.streamEncode({ id: 7, type: 'query', questions: [{ name, type }] })),
    );
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.end();
        resolve(dnsPacket.decode(buf.subarray(2)));
      }
    });
    s.on('error', reject);
    s.setTimeout(3000, () => s.destroy(new Error('timeout')));
  });
}

describe.skipIf(!cliBuilt)('ClusterDns (wharf up)', () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let dns: ClusterDns;
  const resolver = new Resolver({ timeout: 2000, tries: 2 });

  beforeAll(async () => {
    wharf = await WharfProcess.start();
    k = new Kubectl(wharf.kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    await k.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: default}
spec: {clusterIP: None, ports: [{name: pg, port: 5432}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-1, namespace: default, labels: {kubernetes.io/service-name: db}}
addressType: IPv4
ports: [{name: pg, port: 5432, protocol: TCP}]
endpoints:
- {addresses: ["10.99.0.5"], hostname: db-0, conditions: {ready: true}}
- {addresses: ["10.99.0.6"], hostname: db-1, conditions: {ready: false}}
`,
    });
    dns = new ClusterDns({ kubeConfig: kc, host: '127.0.0.1', port: 0 });
    await dns.start();
    resolver.setServers([`127.0.0.1:${dns.port}`]);
  }, 60_000);

  afterAll(async () => {
    await dns?.stop();
    await wharf?.stop();
  });

  it('answers A for a ClusterIP service and SRV for its named port', async () => {
    const ip = (await k.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(await resolver.resolve4('web.default.svc.cluster.local')).toEqual([ip]);
    expect(await resolver.resolveSrv('_http._tcp.web.default.svc.cluster.local')).toEqual([
      { name: 'web.default.svc.cluster.local', port: 80, priority: 0, weight: 100 },
    ]);
  });

  it('answers a headless service with its ready endpoints, and each by hostname', async () => {
    expect(await resolver.resolve4('db.default.svc.cluster.local')).toEqual(['10.99.0.5']);
    expect(await resolver.resolve4('db-0.db.default.svc.cluster.local')).toEqual(['10.99.0.5']);
    await expect(resolver.resolve4('db-1.db.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('follows changes: a new service and a deleted one', async () => {
    await k.ok(['create', 'service', 'clusterip', 'late', '--tcp=81:81']);
    await eventually(
      async () =>
        (await resolver.resolve4('late.default.svc.cluster.local').catch(() => undefined))?.length === 1 || undefined,
      5000,
      'late.default resolving',
    );
    await k.ok(['delete', 'service', 'late']);
    await eventually(
      async () =>
        (await resolver.resolve4('late.default.svc.cluster.local').catch((e: { code: string }) => e.code)) ===
        'ENOTFOUND'
          ? true
          : undefined,
      5000,
      'late.default gone',
    );
  });

  it('answers over TCP, and refuses names outside the cluster domain', async () => {
    const p = await tcpQuery(dns.port, '_pg._tcp.db.default.svc.cluster.local', 'SRV');
    expect(p.answers).toEqual([
      expect.objectContaining({
        type: 'SRV',
        data: expect.objectContaining({ port: 5432, target: 'db-0.db.default.svc.cluster.local' }),
      }),
    ]);
    await expect(resolver.resolve4('example.com')).rejects.toMatchObject({ code: 'EREFUSED' });
  });

  it('survives malformed packets on UDP and TCP', async () => {
    const sock = dgram.createSocket('udp4');
    for (const junk of [
      Buffer.alloc(0),
      Buffer.from([1]),
      Buffer.alloc(12, 0xff),
      Buffer.from('not a dns packet at all, just text'),
    ]) {
      await new Promise<void>((r) => sock.send(junk, dns.port, '127.0.0.1', () => r()));
    }
    sock.close();
    await new Promise<void>((resolve) => {
      const s = net.connect(dns.port, '127.0.0.1', () => s.end(Buffer.from([0, 5, 1, 2, 3, 4, 5, 0xff])));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    expect(await resolver.resolve4('db.default.svc.cluster.local')).toEqual(['10.99.0.5']);
  });
});
