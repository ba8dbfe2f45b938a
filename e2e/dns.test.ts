// Cluster DNS from inside real pods: a `wharf up` control plane, a node agent started here with
// the clusterDns option (as `wharf up` wires it), and a ClusterDns whose port iptables redirects
// from the node's bridge gateway. Busybox pods read their resolv.conf and resolve a ClusterIP
// Service by its short name through the search path, a headless Service's pods by hostname, and
// an SRV record. Needs root, runc and the CNI plugins (skipped with the reason otherwise).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterDns, ImagePullError, NodeAgent, PodRuntime, podCidrGateway, type ImageProvider } from '@wharf/node';
import { busyboxRootfs, eventually, httpGet, Kubectl, runcUnavailable, WharfProcess } from '@wharf/testing';

const skip = runcUnavailable();

const tag = randomBytes(3).toString('hex');
const nodeName = `dns-${tag}`;
const bridge = `wdn${tag}`;
const podCIDR = `10.215.${randomBytes(1)[0]! % 250}.0/24`;
const gateway = podCidrGateway(podCIDR);

describe.skipIf(skip !== '')(`cluster DNS in pods ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let runtime: PodRuntime;
  let agent: NodeAgent;
  let dns: ClusterDns;
  let stateDir: string;
  let rootfs: string;
  const kc = new KubeConfig();
  const images: ImageProvider = {
    async ensure(image) {
      if (image === 'busybox:1')
        return { rootfs, config: { cmd: ['sh'] }, imageID: 'wharf.local/busybox@sha256:test', pulled: false };
      throw new ImagePullError(image, 'not in the test image set');
    },
  };
  const logs = (pod: string): Promise<string> =>
    httpGet({ host: '127.0.0.1', port: agent.logsPort, path: `/containerLogs/default/${pod}/c` }).then((r) => r.text);
  const pod = (name: string, script: string, extra = ''): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, labels: {app: ${name}}}
spec:
  nodeName: ${nodeName}
  terminationGracePeriodSeconds: 1
  ${extra}
  containers: [{name: c, image: "busybox:1", command: ["sh", "-c", ${JSON.stringify(script)}]}]
`;

  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'wharf-dns-'));
    wharf = await WharfProcess.start();
    k = new Kubectl(wharf.kubeconfig);
    kc.loadFromFile(wharf.kubeconfig);
    dns = new ClusterDns({ kubeConfig: kc, port: 0, redirectFrom: [gateway] });
    await dns.start();
    runtime = new PodRuntime({ nodeName, stateDir, cni: { podCIDR, bridge } });
    agent = new NodeAgent({
      kubeConfig: kc,
      nodeName,
      podCIDR,
      runtime,
      images,
      stateDir,
      logsPort: 0,
      syncIntervalMs: 300,
      clusterDns: { server: gateway, domain: 'cluster.local' },
    });
    await agent.start();
  }, 120_000);

  afterAll(async () => {
    const step = async (fn: () => unknown): Promise<void> => {
      await Promise.race([
        Promise.resolve()
          .then(fn)
          .catch(() => undefined),
        new Promise((r) => setTimeout(r, 20_000)),
      ]);
    };
    await step(() => agent?.stop());
    await step(() => runtime?.reset());
    await step(() => dns?.stop());
    await step(() => wharf?.stop());
    await step(() => execFileSync('sh', ['-c', `ip link delete ${bridge} 2>/dev/null || true`]));
    for (const d of [stateDir, wharf?.dataDir]) if (d) await step(() => rm(d, { recursive: true, force: true }));
    // This test's redirect is gone (other Wharfs on the machine may keep theirs).
    expect(execFileSync('iptables', ['-w', '-t', 'nat', '-S']).toString()).not.toContain(
      `-d ${gateway}/32 -p udp -m udp --dport 53`,
    );
  }, 90_000);

  it('writes the ClusterFirst resolv.conf and resolves services by short and full name, headless pods and SRV', async () => {
    // The server pod of a headless service with a hostname; its EndpointSlice is written here
    // (as the EndpointSlice controller would) once the pod has an IP.
    await k.ok(['apply', '-f', '-'], {
      stdin: [
        pod('db', 'sleep 3600', 'hostname: db-0\n  subdomain: db'),
        `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: default}
spec: {clusterIP: None, selector: {app: db}, ports: [{name: pg, port: 5432}]}
`,
      ].join('\n'),
    });
    const dbIP = await eventually(
      async () => (await k.ok(['get', 'pod', 'db', '-o', 'jsonpath={.status.podIP}'])).trim() || undefined,
      30_000,
      'db pod IP',
    );
    const sliceExists =
      (await k.run(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=db', '-o', 'name'])).stdout.trim() !==
      '';
    if (!sliceExists) {
      await k.ok(['apply', '-f', '-'], {
        stdin: `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-test, namespace: default, labels: {kubernetes.io/service-name: db}}
addressType: IPv4
ports: [{name: pg, port: 5432, protocol: TCP}]
endpoints: [{addresses: ["${dbIP}"], hostname: db-0, conditions: {ready: true}}]
`,
      });
    }
    const webIP = (await k.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await eventually(
      () => (dns.current.names.get('db-0.db.default.svc.cluster.local')?.a.length ? true : undefined),
      10_000,
      'db-0 record',
    );

    const script = [
      'cat /etc/resolv.conf',
      'echo ---web; nslookup web',
      'echo ---full; nslookup web.default.svc.cluster.local',
      'echo ---db0; nslookup db-0.db.default.svc.cluster.local',
      'echo ---srv; nslookup -type=SRV _pg._tcp.db.default.svc.cluster.local',
      'echo ---missing; nslookup missing.default.svc.cluster.local',
      'echo ---done; sleep 3600',
    ].join('; ');
    await k.ok(['apply', '-f', '-'], { stdin: pod('client', script) });
    const out = await eventually(
      async () => {
        const l = await logs('client').catch(() => '');
        return l.includes('---done') ? l : undefined;
      },
      45_000,
      'client pod output',
    );
    const section = (name: string): string => out.split(`---${name}`)[1]?.split('---')[0] ?? '';

    expect(out).toContain(`nameserver ${gateway}`);
    expect(out).toContain('search default.svc.cluster.local svc.cluster.local cluster.local');
    expect(out).toContain('options ndots:5');
    expect(section('web')).toContain(webIP);
    expect(section('full')).toContain(webIP);
    expect(section('db0')).toContain(dbIP);
    expect(section('srv')).toMatch(/5432\s+db-0\.db\.default\.svc\.cluster\.local/);
    expect(section('missing')).toMatch(/NXDOMAIN|can't find/);
  }, 90_000);

  it('dnsPolicy Default keeps the host resolv.conf; None uses dnsConfig alone', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: [
        pod('dflt', 'cat /etc/resolv.conf; echo ---done; sleep 3600', 'dnsPolicy: Default'),
        pod(
          'none',
          'cat /etc/resolv.conf; echo ---done; sleep 3600',
          'dnsPolicy: None\n  dnsConfig: {nameservers: ["192.0.2.1"], searches: [a.example], options: [{name: ndots, value: "2"}]}',
        ),
      ].join('\n---\n'),
    });
    const read = (p: string): Promise<string> =>
      eventually(
        async () => ((await logs(p).catch(() => '')).includes('---done') ? logs(p) : undefined),
        30_000,
        `${p} output`,
      );
    expect(await read('dflt')).not.toContain(gateway);
    const none = await read('none');
    expect(none).toContain('nameserver 192.0.2.1');
    expect(none).toContain('search a.example');
    expect(none).toContain('options ndots:2');
  }, 60_000);
});
