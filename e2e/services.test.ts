// The service dataplane end to end: `wharf up --nodes 2` runs a busybox httpd Deployment, a
// ServiceProxy (started here against the Wharf's kubeconfig, with its own chain prefix) programs
// iptables from a Service and its EndpointSlice, and the host and a pod reach both replicas
// through the cluster IP, a node port answers on 127.0.0.1, endpoint changes follow within a
// second, ClientIP affinity sticks, a Service without endpoints refuses, and stop() leaves no
// rule. The Service has no selector and its EndpointSlice is written here, so the test does not
// depend on the EndpointSlice controller. Traffic goes to a cluster IP only after its DNAT rules
// are seen in iptables-save. Needs root, runc, the CNI plugins and iptables.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupServiceRules, ServiceProxy } from '@wharf/node';
import {
  eventually,
  httpdDeployment,
  httpText,
  Kubectl,
  runcUnavailable,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const run = promisify(execFile);
const hasIptables = ((): boolean => {
  try {
    execFileSync('iptables-save', ['-t', 'nat'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = runcUnavailable() || (hasIptables ? '' : 'no usable iptables');

const PREFIX = `WHE-${randomBytes(3).toString('hex').toUpperCase()}`;
const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';

const deployment = httpdDeployment({ name: 'web', namespace: 'default', spreadOverNodes: true });

const services = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: NodePort
  ports: [{port: 80, targetPort: 8080, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: default}
spec:
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: headless, namespace: default}
spec:
  clusterIP: None
  ports: [{port: 80, targetPort: 8080}]
`;

const slice = (service: string, ips: readonly string[]): string => `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${service}-manual, namespace: default, labels: {kubernetes.io/service-name: ${service}, endpointslice.kubernetes.io/managed-by: e2e}}
addressType: IPv4
ports: [{port: 8080, protocol: TCP}]
endpoints: [${ips.map((ip) => `{addresses: ["${ip}"], conditions: {ready: true}}`).join(', ')}]
`;

const saveText = (table: string): string => execFileSync('iptables-save', ['-t', table], { encoding: 'utf8' });

/** Endpoints the nat rules DNAT the cluster IP:port to (empty when it has no rule). */
function dnatTargets(clusterIP: string, port: number): string[] {
  const lines = saveText('nat').split('\n');
  const svc = lines
    .find((l) => l.startsWith(`-A ${PREFIX}-SERVICES -d ${clusterIP}/32 `) && l.includes(`--dport ${port} `))
    ?.split(' -j ')[1];
  if (!svc) return [];
  const seps = lines.filter((l) => l.startsWith(`-A ${svc} `) && l.includes('-SEP-')).map((l) => l.split(' -j ')[1]);
  const targets = lines
    .filter((l) => seps.some((s) => l.startsWith(`-A ${s} `)) && l.includes('--to-destination'))
    .map((l) => /--to-destination (\S+)/.exec(l)?.[1] ?? '');
  return [...new Set(targets)].sort();
}

/** Polls an assertion until it holds. */
const until = (check: () => void, ms: number): Promise<boolean> =>
  eventually(() => {
    check();
    return true;
  }, ms);

async function hostnames(host: string, port: number, n: number): Promise<Map<string, number>> {
  if (host !== '127.0.0.1') expect(dnatTargets(host, port).length, `DNAT rules for ${host}:${port}`).toBeGreaterThan(0);
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const name = await httpText({ host, port });
    seen.set(name, (seen.get(name) ?? 0) + 1);
  }
  return seen;
}

describe.skipIf(skip !== '')(`services through the iptables dataplane ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let proxy: ServiceProxy | undefined;
  let localnetBefore = '';
  let pods: { name: string; ip: string; uid: string }[] = [];
  let clusterIP = '';
  let nodePort = 0;

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '2'] });
    // wharf up runs its own dataplane too; this test's proxy must put back what it found.
    localnetBefore = readFileSync(ROUTE_LOCALNET, 'utf8').trim();
    k = new Kubectl(wharf.kubeconfig);
    await run(
      process.execPath,
      [
        WHARF_BIN,
        'image',
        'build-base',
        'busybox:1',
        '--debian-packages',
        'busybox-static',
        '--data-dir',
        wharf.dataDir,
      ],
      { timeout: 120_000 },
    );
    await k.ok(['apply', '-f', '-'], { stdin: deployment });
    await k.ok(['rollout', 'status', 'deploy/web', '--timeout=90s'], { timeoutMs: 100_000 });
    const out = await k.ok([
      'get',
      'pods',
      '-l',
      'app=web',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.status.podIP} {.metadata.uid}{"\\n"}{end}',
    ]);
    pods = out
      .trim()
      .split('\n')
      .map((l) => {
        const [name = '', ip = '', uid = ''] = l.split(' ');
        return { name, ip, uid };
      });
    await k.ok(['apply', '-f', '-'], {
      stdin:
        services +
        '---' +
        slice(
          'web',
          pods.map((p) => p.ip),
        ) +
        '---' +
        slice(
          'headless',
          pods.map((p) => p.ip),
        ),
    });
    clusterIP = (await k.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    nodePort = Number(await k.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(wharf.kubeconfig);
    proxy = new ServiceProxy({ kubeConfig, prefix: PREFIX, removeRulesOnStop: true });
    await proxy.start();
  }, 240_000);

  afterAll(async () => {
    await proxy?.stop().catch(() => undefined);
    await cleanupServiceRules(PREFIX).catch(() => undefined);
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('runs two replicas on two nodes and programs DNAT to both', async () => {
    expect(pods).toHaveLength(2);
    expect(proxy?.backend).toMatch(/^(nf_tables|legacy)$/);
    await until(() => expect(dnatTargets(clusterIP, 80)).toEqual(pods.map((p) => `${p.ip}:8080`).sort()), 5000);
  });

  it('balances connections from the host to the cluster IP over both pods', async () => {
    const seen = await hostnames(clusterIP, 80, 40);
    expect([...seen.keys()].sort()).toEqual(pods.map((p) => p.name).sort());
  });

  it('balances connections from a pod (including back to itself) over both pods', async () => {
    expect(dnatTargets(clusterIP, 80)).toHaveLength(2);
    const ns = `wharf-${pods[0]!.uid.replace(/-/g, '').slice(0, 16)}`;
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 2; i++) {
      const { stdout } = await run('ip', ['netns', 'exec', ns, 'curl', '-s', '-m', '3', `http://${clusterIP}:80/`]);
      seen.add(stdout.trim());
    }
    expect([...seen].sort()).toEqual(pods.map((p) => p.name).sort());
  });

  it('answers the node port on 127.0.0.1', async () => {
    expect(readFileSync(ROUTE_LOCALNET, 'utf8').trim()).toBe('1');
    expect(pods.map((p) => p.name)).toContain(await httpText({ host: '127.0.0.1', port: nodePort }));
  });

  it('stops sending to an endpoint within a second of its removal from the slice', async () => {
    const [keep, drop] = pods as [(typeof pods)[0], (typeof pods)[0]];
    await k.ok(['apply', '-f', '-'], { stdin: slice('web', [keep.ip]) });
    const applied = Date.now();
    await until(() => expect(dnatTargets(clusterIP, 80)).toEqual([`${keep.ip}:8080`]), 5000);
    const seenAfter = Date.now() - applied;
    console.log(
      `endpoint removal: rules updated ${proxy?.lastSyncDelayMs ?? -1} ms after the watch event, seen ${seenAfter} ms after kubectl returned`,
    );
    expect(proxy?.lastSyncDelayMs).toBeLessThan(1000);
    const seen = await hostnames(clusterIP, 80, 15);
    expect([...seen.keys()]).toEqual([keep.name]);
    expect(seen.has(drop.name)).toBe(false);
    await k.ok(['apply', '-f', '-'], {
      stdin: slice(
        'web',
        pods.map((p) => p.ip),
      ),
    });
    await until(() => expect(dnatTargets(clusterIP, 80)).toHaveLength(2), 5000);
  });

  it('keeps a client on one pod with sessionAffinity ClientIP', async () => {
    await k.ok(['patch', 'svc', 'web', '--type=merge', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
    await until(() => expect(saveText('nat')).toMatch(new RegExp(`-A ${PREFIX}-SVC-\\S+ .*--rcheck`)), 5000);
    expect(dnatTargets(clusterIP, 80)).toHaveLength(2);
    const seen = await hostnames(clusterIP, 80, 20);
    expect(seen.size).toBe(1);
  });

  it('refuses connections to a Service without endpoints', async () => {
    const ip = (await k.ok(['get', 'svc', 'empty', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await until(
      () => expect(saveText('filter')).toContain(`-A ${PREFIX}-SERVICES -d ${ip}/32 -p tcp -m tcp --dport 80 `),
      5000,
    );
    expect(saveText('filter')).toMatch(
      new RegExp(`-A ${PREFIX}-SERVICES -d ${ip.replace(/\./g, '\\.')}/32 .*-j REJECT`),
    );
    await expect(httpText({ host: ip, port: 80 })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses connections to a service-CIDR address no Service has, so they never leave the machine', async () => {
    expect(saveText('filter')).toMatch(new RegExp(`-A ${PREFIX}-SERVICES -d 10\\.96\\.0\\.0/12 .*-j REJECT`));
    await expect(httpText({ host: '10.111.255.254', port: 80 })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('programs nothing for a headless Service', () => {
    const all = saveText('nat') + saveText('filter');
    expect(all).not.toContain('default/headless');
  });

  it('lets a pod reach the API through the `kubernetes` Service with its service-account token, TLS verified and RBAC applied', async () => {
    // curl verifies the API's certificate against the mounted CA, for the Service's name and its address.
    await run(
      process.execPath,
      [
        WHARF_BIN,
        'image',
        'build-base',
        'curl:1',
        '--debian-packages',
        'curl,busybox-static',
        '--data-dir',
        wharf.dataDir,
      ],
      { timeout: 120_000 },
    );
    expect(await k.ok(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].port}'])).toBe(
      '10.96.0.1 443',
    );
    const endpoint = await k.ok([
      'get',
      'endpoints',
      'kubernetes',
      '-o',
      'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}',
    ]);
    expect(endpoint).toMatch(new RegExp(`^10\\.\\d+\\.255\\.1:${wharf.port}$`));
    await k.ok(['create', 'serviceaccount', 'reader']);
    await k.ok(['create', 'rolebinding', 'reader-view', '--clusterrole=view', '--serviceaccount=default:reader']);
    const script = [
      'S=/var/run/secrets/kubernetes.io/serviceaccount; T=$(cat $S/token)',
      'echo "env $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"',
      'curl -sS -m 10 --cacert $S/ca.crt -H "Authorization: Bearer $T" -o /dev/null -w "byname %{http_code}\\n" https://kubernetes.default.svc/api/v1/namespaces/default/pods',
      'curl -sS -m 10 --cacert $S/ca.crt -H "Authorization: Bearer $T" -o /dev/null -w "byenv %{http_code}\\n" https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/kube-system/secrets',
      'curl -sS -m 10 --cacert $S/ca.crt -o /dev/null -w "anonymous %{http_code}\\n" https://kubernetes.default.svc/api/v1/namespaces/default/pods',
      'exec /bin/busybox sleep 3600',
    ].join('; ');
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: v1
kind: Pod
metadata: {name: in-cluster, namespace: default}
spec:
  serviceAccountName: reader
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: "curl:1", command: ["/bin/busybox", "sh", "-c", ${JSON.stringify(script)}]}]
`,
    });
    const out = await eventually(async () => {
      const text = await k.ok(['logs', 'in-cluster']);
      return text.includes('anonymous') ? text : undefined;
    }, 90_000);
    expect(out).toContain('env 10.96.0.1:443');
    expect(out).toContain('byname 200');
    expect(out).toContain('byenv 403');
    expect(out).toContain('anonymous 401');
  }, 180_000);

  it('removes every chain and rule on stop, and restores route_localnet', async () => {
    await proxy!.stop();
    proxy = undefined;
    expect((saveText('nat') + saveText('filter')).split('\n').filter((l) => l.includes(PREFIX))).toEqual([]);
    expect(readFileSync(ROUTE_LOCALNET, 'utf8').trim()).toBe(localnetBefore);
  });
});
