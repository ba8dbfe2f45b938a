// The nodes' kubelet port as on a real cluster: each node of `wharf up --nodes 2` publishes an
// InternalIP that pods reach, and serves /metrics, /metrics/resource and /metrics/cadvisor there on
// port 10250 over TLS (a certificate of the cluster CA), checking bearer tokens as the kubelet does
// (TokenReview, then a SubjectAccessReview on nodes/metrics). A pod with curl sees 401 without a
// token, 403 with a service account that has no RBAC, 200 with one bound to a ClusterRole granting
// nodes/metrics; logs, exec and the node proxy still reach the nodes through the API server; and
// the in-cluster Prometheus scrapes each node's cAdvisor page at InternalIP:10250.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseImage, eventually, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const skip = runcUnavailable();
const NS = 'scrape';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

describe.skipIf(skip !== '')(`the kubelet port where pods reach the nodes ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  const internalIP: Record<string, string> = {};

  /** curl in the pod: GET https://<ip>:10250<path>, verified with the cluster CA; `args` go before the URL. */
  const curl = (ip: string, path: string, token: 'none' | 'own' | string, args: string): Promise<string> => {
    const auth =
      token === 'none' ? '' : `-H "Authorization: Bearer ${token === 'own' ? `$(cat ${SA_DIR}/token)` : token}"`;
    const cmd = `curl -sS --max-time 10 --cacert ${SA_DIR}/ca.crt ${auth} ${args} https://${ip}:10250${path}`;
    return k.ok(['exec', '-n', NS, 'curl', '--', 'sh', '-c', cmd]);
  };
  /** The HTTP status the pod gets. */
  const status = (ip: string, path: string, token: 'none' | 'own' | string): Promise<string> =>
    curl(ip, path, token, `-o /dev/null -w '%{http_code}'`);

  beforeAll(async () => {
    wharf = await WharfProcess.start({
      monitoring: true,
      readyTimeoutMs: 180_000,
      extraArgs: ['--nodes', '2', '--scrape-interval', '2s'],
    });
    k = new Kubectl(wharf.kubeconfig);
    await buildBaseImage(wharf.dataDir, 'curl:7', ['curl', 'busybox-static']);
    for (const node of ['node-0', 'node-1'])
      internalIP[node] = await k.ok([
        'get',
        'node',
        node,
        '-o',
        'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}',
      ]);
    await k.ok(['create', 'namespace', NS]);
    await k.ok(['create', 'serviceaccount', 'scraper', '-n', NS]);
    await k.ok(['create', 'serviceaccount', 'nobody', '-n', NS]);
    // The standard permission a metrics scraper gets (kube-prometheus's prometheus-k8s role has it).
    await k.ok(['create', 'clusterrole', 'node-metrics-reader', '--verb=get', '--resource=nodes/metrics']);
    await k.ok([
      'create',
      'clusterrolebinding',
      'scraper-node-metrics',
      '--clusterrole=node-metrics-reader',
      `--serviceaccount=${NS}:scraper`,
    ]);
    await k.ok([
      'run',
      'curl',
      '-n',
      NS,
      '--image=curl:7',
      '--overrides={"spec":{"serviceAccountName":"scraper"}}',
      '--',
      'sh',
      '-c',
      'echo started; exec sleep 3600',
    ]);
    await k.ok(['wait', '-n', NS, '--for=condition=Ready', 'pod/curl', '--timeout=180s'], { timeoutMs: 190_000 });
  }, 600_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('gives each node an InternalIP of its own that is not loopback', () => {
    expect(internalIP['node-0']).toMatch(/^10\.\d+\.254\.1$/);
    expect(internalIP['node-1']).toMatch(/^10\.\d+\.254\.2$/);
  });

  it('answers a pod 401 without a token, 403 for an account without RBAC, the metrics with nodes/metrics', async () => {
    const nobody = await k.ok(['create', 'token', 'nobody', '-n', NS]);
    for (const ip of Object.values(internalIP)) {
      expect(await status(ip, '/metrics/resource', 'none')).toBe('401');
      expect(await status(ip, '/metrics/resource', 'not-a-token')).toBe('401');
      expect(await status(ip, '/metrics/resource', nobody)).toBe('403');
      expect(await status(ip, '/metrics/resource', 'own')).toBe('200');
      expect(await status(ip, '/metrics/cadvisor', 'own')).toBe('200');
      expect(await status(ip, '/metrics', 'own')).toBe('200');
      // nodes/metrics is not nodes/proxy: logs stay closed to the scraper.
      expect(await status(ip, `/containerLogs/${NS}/curl/curl`, 'own')).toBe('403');
    }
    // The pod's own node: its container shows in the kubelet's resource metrics.
    const node = await k.ok(['get', 'pod', 'curl', '-n', NS, '-o', 'jsonpath={.spec.nodeName}']);
    const body = await curl(internalIP[node]!, '/metrics/resource', 'own', '');
    expect(body).toMatch(/^container_cpu_usage_seconds_total\{[^}]*pod="curl"[^}]*\} /m);
  }, 120_000);

  it('still serves logs, exec and the node proxy through the API server', async () => {
    expect(await k.ok(['logs', '-n', NS, 'curl'])).toContain('started');
    expect((await k.ok(['exec', '-n', NS, 'curl', '--', 'echo', 'hi'])).trim()).toBe('hi');
    expect(await k.ok(['get', '--raw', '/api/v1/nodes/node-1/proxy/metrics/resource'])).toContain(
      'node_cpu_usage_seconds_total',
    );
  }, 60_000);

  it("has the in-cluster Prometheus scrape each node's cAdvisor page at InternalIP:10250", async () => {
    // The first start builds Prometheus's image, then the platform image whose pod serves the discovery.
    await eventually(
      async () =>
        (await k.run(['get', 'deploy', 'prometheus', 'monitoring-components', '-n', 'wharf-monitoring'])).code === 0 ||
        undefined,
      800_000,
      'Prometheus and the monitoring components deployed',
    );
    await k.ok(
      [
        'rollout',
        'status',
        'deploy/prometheus',
        'deploy/monitoring-components',
        '-n',
        'wharf-monitoring',
        '--timeout=300s',
      ],
      { timeoutMs: 310_000 },
    );
    const prom = `http://${await k.ok(['get', 'svc', 'prometheus', '-n', 'wharf-monitoring', '-o', 'jsonpath={.spec.clusterIP}'])}:9090`;
    interface Target {
      labels: Record<string, string>;
      scrapeUrl: string;
      health: string;
    }
    const targets = await eventually(
      async () => {
        const r = (await (await fetch(`${prom}/api/v1/targets?state=active`)).json()) as {
          data: { activeTargets: Target[] };
        };
        const up = r.data.activeTargets.filter(
          (t) => t.labels.job === 'kubelet' && t.labels.metrics_path === '/metrics/cadvisor' && t.health === 'up',
        );
        return up.length === 2 ? up : undefined;
      },
      240_000,
      "both nodes' cAdvisor targets up",
    );
    expect(targets.map((t) => t.scrapeUrl).sort()).toEqual(
      ['node-0', 'node-1'].map((n) => `https://${internalIP[n]}:10250/metrics/cadvisor`),
    );
    const q = encodeURIComponent('up{job="kubelet",metrics_path="/metrics/cadvisor"} == 1');
    const up = (await (await fetch(`${prom}/api/v1/query?query=${q}`)).json()) as {
      data: { result: { metric: Record<string, string> }[] };
    };
    expect(up.data.result.map((s) => s.metric.node).sort()).toEqual(['node-0', 'node-1']);
  }, 1_500_000);
});
