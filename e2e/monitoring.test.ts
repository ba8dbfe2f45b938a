// Monitoring end to end with the real Prometheus (Debian's 2.42) on `wharf up --nodes 1` with
// runc: Prometheus discovers through Wharf (its HTTP SD, since Debian builds Prometheus without
// kubernetes_sd) and scrapes the API server's /metrics, kube-state-metrics and the node's
// cAdvisor metrics through the API server's node proxy with its service-account token; a
// crash-looping pod fires KubePodCrashLooping; a chart's ServiceMonitor and PrometheusRule,
// applied as `helm template` renders them, are picked up; a PrometheusRule that does not parse is
// refused in its status while the rules already in force keep working.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  askBackendDirectly,
  eventually,
  freePort,
  json,
  Kubectl,
  RawApi,
  runcUnavailable,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`./fixtures/monitoring/${name}`, import.meta.url)), 'utf8');

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

const crashPod = `
apiVersion: v1
kind: Pod
metadata: {name: crash, namespace: default}
spec:
  nodeName: node-0
  terminationGracePeriodSeconds: 1
  containers:
  - {name: app, image: busybox:1, command: [sh, -c, 'echo failing; exit 3']}
`;

// Stands in for the chart's Deployment: its labels, port 8080 named http, a metrics page.
const standIn = `
apiVersion: v1
kind: Pod
metadata:
  name: ksm-stand-in
  namespace: monitoring
  labels: {app.kubernetes.io/name: kube-state-metrics, app.kubernetes.io/instance: ksm}
spec:
  nodeName: node-0
  terminationGracePeriodSeconds: 1
  containers:
  - name: exporter
    image: busybox:1
    command: [sh, -c, 'mkdir -p /www && printf "# TYPE e2e_stand_in_up gauge\\ne2e_stand_in_up 1\\n" > /www/metrics && exec httpd -f -p 8080 -h /www']
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
`;

const rule = (expr: string): string => `
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: team-rules, namespace: default}
spec:
  groups:
  - name: team
    rules:
    - alert: TeamAlwaysFiring
      expr: ${expr}
      labels: {severity: info}
`;

describe.skipIf(skip !== '')(`monitoring with the real Prometheus ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  const tsdb = mkdtempSync(join(tmpdir(), 'wharf-prom-'));

  const api = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${promUrl}${path}`);
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
    return ((await r.json()) as { data: T }).data;
  };
  const query = async (q: string): Promise<PromSample[]> =>
    (await api<{ result: PromSample[] }>(`/api/v1/query?query=${encodeURIComponent(q)}`)).result;
  const alerts = async (): Promise<PromAlert[]> => (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
  const firing = (list: PromAlert[], name: string, labels: Record<string, string> = {}): PromAlert | undefined =>
    list.find(
      (a) =>
        a.labels.alertname === name &&
        a.state === 'firing' &&
        Object.entries(labels).every(([l, v]) => a.labels[l] === v),
    );

  beforeAll(async () => {
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    wharf = await WharfProcess.start({
      monitoring: true,
      extraArgs: ['--nodes', '1', '--prometheus-url', promUrl, '--scrape-interval', '2s', '--alert-for', '5s'],
    });
    k = new Kubectl(wharf.kubeconfig);
    const config = join(wharf.dataDir, 'monitoring', 'prometheus', 'prometheus.yml');
    await eventually(() => existsSync(config) || undefined, 30_000, 'the operator to write prometheus.yml');
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${tsdb}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr?.on('data', () => undefined);
    await eventually(
      async () =>
        (await fetch(`${promUrl}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )) || undefined,
      30_000,
      'Prometheus to be ready',
    );
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
  }, 300_000); // wharf up, Prometheus's start and the image build take minutes on a busy machine

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    rmSync(tsdb, { recursive: true, force: true });
  });

  it("scrapes the API server, kube-state-metrics and the node's cAdvisor metrics through Wharf's discovery and RBAC", async () => {
    const up = await eventually(
      async () => {
        const r = await query('up == 1');
        const jobs = new Set(r.map((s) => s.metric.job));
        return ['apiserver', 'kube-state-metrics', 'kubelet', 'prometheus'].every((j) => jobs.has(j)) ? r : undefined;
      },
      60_000,
      'every platform job up',
    );
    expect(up.find((s) => s.metric.job === 'kubelet')?.metric.node).toBe('node-0');
    // Prometheus's own scrapes of /metrics are API requests: the request rate is above zero.
    await eventually(
      async () =>
        Number((await query('sum(rate(apiserver_request_total{job="apiserver"}[20s]))'))[0]?.value[1] ?? 0) > 0 ||
        undefined,
      30_000,
      'a request rate',
    );
    expect(
      Number((await query('sum(apiserver_request_total{job="apiserver",verb="LIST",code="200"})'))[0]?.value[1]),
    ).toBeGreaterThan(0);
    expect(await query('apiserver_storage_objects{resource="namespaces"}')).toHaveLength(1);
    expect(await query('workqueue_depth{name="replicaset"}')).toHaveLength(1);
    expect(
      (await query('kube_node_status_condition{node="node-0",condition="Ready",status="true"}'))[0]?.value[1],
    ).toBe('1');
    expect(
      await eventually(
        async () => (await query('container_cpu_usage_seconds_total{job="kubelet",node="node-0"}')).length || undefined,
        30_000,
        'cAdvisor series',
      ),
    ).toBeGreaterThan(0);
    // The kubelet's own page (kubelet_volume_stats_*) is scraped beside cAdvisor's, under the same job.
    expect(
      await eventually(
        async () => (await query('up{job="kubelet",metrics_path="/metrics",node="node-0"} == 1')).length || undefined,
        60_000,
        'the kubelet /metrics target up',
      ),
    ).toBe(1);
  });

  it('fires KubePodCrashLooping for a crash-looping pod', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: crashPod });
    const alert = await eventually(
      async () => firing(await alerts(), 'KubePodCrashLooping', { pod: 'crash' }),
      110_000,
      'KubePodCrashLooping to fire',
    );
    expect(alert.labels).toMatchObject({
      namespace: 'default',
      container: 'app',
      reason: 'CrashLoopBackOff',
      severity: 'warning',
    });
    expect(alert.annotations.description).toContain('default/crash (app)');
  });

  it("picks up a chart's ServiceMonitor and PrometheusRule as helm renders them", async () => {
    await k.ok(['create', 'namespace', 'monitoring']);
    await k.ok(['apply', '-f', '-'], {
      stdin: `${fixture('kube-state-metrics-chart.yaml')}\n---\n${fixture('general-rules-chart.yaml')}\n---\n${standIn}`,
    });
    const scraped = await eventually(
      async () => (await query('e2e_stand_in_up')).find((s) => s.value[1] === '1'),
      60_000,
      "the ServiceMonitor's target scraped",
    );
    // The chart's jobLabel names the job; the operator's relabellings add namespace, service, pod and endpoint.
    expect(scraped.metric).toMatchObject({
      job: 'kube-state-metrics',
      namespace: 'monitoring',
      service: 'ksm-kube-state-metrics',
      pod: 'ksm-stand-in',
      endpoint: 'http',
      container: 'exporter',
    });
    const chartWatchdog = await eventually(
      async () =>
        (await alerts()).find(
          (a) => a.labels.alertname === 'Watchdog' && a.annotations.description?.includes('DeadMansSnitch'),
        ),
      30_000,
      "the chart's Watchdog",
    );
    expect(chartWatchdog.state).toBe('firing');
    const groups = (await api<{ groups: { name: string; file: string; rules: { name: string }[] }[] }>('/api/v1/rules'))
      .groups;
    expect(groups.find((g) => g.name === 'general.rules')?.rules.map((r) => r.name)).toEqual([
      'TargetDown',
      'Watchdog',
      'InfoInhibitor',
    ]);
    const status = JSON.parse(
      await k.ok(['get', 'servicemonitor', 'ksm-kube-state-metrics', '-n', 'monitoring', '-o', 'jsonpath={.status}']),
    ) as { conditions: { type: string; status: string }[] };
    expect(status.conditions).toContainEqual(expect.objectContaining({ type: 'Accepted', status: 'True' }));
  });

  it('refuses a PrometheusRule that does not parse, in its status, and keeps the rules in force', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: rule('vector(1)') });
    await eventually(async () => firing(await alerts(), 'TeamAlwaysFiring'), 30_000, 'the team rule to fire');
    await k.ok(['apply', '-f', '-'], { stdin: rule("'sum(rate(http_requests_total[5m]) by (code'") });
    const refused = await eventually(
      async () => {
        const s = JSON.parse(
          (await k.ok(['get', 'prometheusrule', 'team-rules', '-o', 'jsonpath={.status}'])) || '{}',
        ) as {
          observedGeneration?: number;
          conditions?: { type: string; status: string; reason: string; message: string }[];
        };
        return s.observedGeneration === 2 && s.conditions?.[0]?.status === 'False' ? s.conditions[0] : undefined;
      },
      30_000,
      'the broken rule refused in its status',
    );
    expect(refused.reason).toBe('InvalidConfiguration');
    expect(refused.message).toMatch(
      /group "team", rule 1, "TeamAlwaysFiring": could not parse expression: .*parse error/,
    );
    expect((await k.ok(['get', 'prometheusrules', '-n', 'default'])).split('\n')[1]).toMatch(/^team-rules\s+False/);
    // Prometheus still evaluates the last good version, and every other rule.
    await new Promise((r) => setTimeout(r, 3000));
    const still = await alerts();
    expect(firing(still, 'TeamAlwaysFiring')).toBeDefined();
    expect(firing(still, 'KubePodCrashLooping', { pod: 'crash' })).toBeDefined();
    // Fixing it is accepted again.
    await k.ok(['apply', '-f', '-'], { stdin: rule('vector(2)') });
    await eventually(
      async () =>
        (await k.ok(['get', 'prometheusrule', 'team-rules', '-o', 'jsonpath={.status.conditions[0].status}'])) ===
          'True' || undefined,
      30_000,
      'the fixed rule accepted',
    );
  });

  it("answers Prometheus queries through Wharf's API, restricted to the namespaces a service account may read", async () => {
    await k.ok(['create', 'namespace', 'team-a']);
    await k.ok(['create', 'namespace', 'team-b']);
    await k.ok(['create', 'serviceaccount', 'viewer', '-n', 'team-a']);
    await k.ok([
      'create',
      'rolebinding',
      'viewer-query',
      '-n',
      'team-a',
      '--clusterrole=wharf:prometheus-query',
      '--serviceaccount=team-a:viewer',
    ]);
    const admin = RawApi.fromKubeconfig(wharf.kubeconfig);
    const viewer = admin.as((await k.ok(['create', 'token', 'viewer', '-n', 'team-a'])).trim());
    const base = (ns?: string): string =>
      `/apis/monitoring.wharf.dev/v1alpha1${ns ? `/namespaces/${ns}` : ''}/prometheuses/wharf/api/v1`;
    const namespacesIn = async (api: RawApi, path: string): Promise<string[]> => {
      const r = await api.request('GET', path);
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
      return [
        ...new Set(
          json<{ data: { result: { metric: { namespace?: string } }[] } }>(r).data.result.map(
            (x) => x.metric.namespace ?? '',
          ),
        ),
      ].sort();
    };
    const q = (query: string): string => `query?query=${encodeURIComponent(query)}`;
    // kube-state-metrics sees the new namespaces within a scrape or two.
    await eventually(
      async () =>
        (await namespacesIn(admin, `${base()}/${q('kube_namespace_status_phase{phase="Active"}')}`)).includes(
          'team-b',
        ) || undefined,
      30_000,
      'team-b in the metrics',
    );
    expect(await namespacesIn(viewer, `${base('team-a')}/${q('kube_namespace_status_phase')}`)).toEqual(['team-a']);
    // Asking for another namespace in the query does not widen it (the matcher is replaced, as prom-label-proxy does).
    expect(
      await namespacesIn(
        viewer,
        `${base('team-a')}/${q('sum by (namespace) (kube_namespace_status_phase{namespace=~"team-b|default"})')}`,
      ),
    ).toEqual(['team-a']);
    // Series and label values are restricted too.
    const values = json<{ data: string[] }>(
      await viewer.request('GET', `${base('team-a')}/label/namespace/values`),
    ).data;
    expect(values).toEqual(['team-a']);
    // RBAC on the way in: another namespace, or all of them, is refused by the API server.
    const other = await viewer.request('GET', `${base('team-b')}/${q('up')}`);
    expect(other.status).toBe(403);
    expect(json(other).message).toContain('cannot get resource "prometheuses/api"');
    expect((await viewer.request('GET', `${base()}/${q('up')}`)).status).toBe(403);
    // The admin reads across namespaces; a query that does not parse is a bad_data error.
    expect(
      (await namespacesIn(admin, `${base()}/${q('kube_namespace_status_phase{phase="Active"}')}`)).length,
    ).toBeGreaterThan(3);
    const bad = await viewer.request('GET', `${base('team-a')}/${q('sum(rate(up[5m]')}`);
    expect(bad.status).toBe(400);
    expect(json(bad)).toMatchObject({ status: 'error', errorType: 'bad_data' });
    // Alerts are filtered to the namespace: the crash-looping pod's alert shows in default, not in team-a.
    const alertsOf = async (api: RawApi, ns: string): Promise<string[]> =>
      json<{ data: { alerts: PromAlert[] } }>(await api.request('GET', `${base(ns)}/alerts`)).data.alerts.map(
        (a) => a.labels.alertname ?? '',
      );
    expect(await alertsOf(admin, 'default')).toContain('KubePodCrashLooping');
    expect(await alertsOf(viewer, 'team-a')).not.toContain('KubePodCrashLooping');
    expect((await viewer.request('GET', `${base('team-a')}/targets`)).status).toBe(403);
    admin.close();
  });

  it("the query proxy trusts only the API server: its APIService checks the proxy's CA, and a direct request is refused", async () => {
    const spec = JSON.parse(
      await k.ok(['get', 'apiservice', 'v1alpha1.monitoring.wharf.dev', '-o', 'jsonpath={.spec}']),
    ) as { caBundle?: string; insecureSkipTLSVerify?: boolean };
    expect(spec.insecureSkipTLSVerify).toBeUndefined();
    expect(Buffer.from(spec.caBundle ?? '', 'base64').toString()).toContain('BEGIN CERTIFICATE');
    const direct = await askBackendDirectly(
      k,
      'wharf-monitoring',
      'query-proxy',
      '/apis/monitoring.wharf.dev/v1alpha1/prometheuses/wharf/api/v1/query?query=up',
    );
    expect(direct.status).toBe(401);
    expect(direct.body).not.toContain('"result"');
  });
});
