// The monitoring stack as `wharf up --nodes 2` deploys it by default: Prometheus and Alertmanager
// as pods in wharf-monitoring (images built from Debian's packages, data on PVCs bound to local
// PVs), Prometheus scraping the platform through the `kubernetes` endpoint's address with its own
// service-account token, an AlertmanagerConfig's webhook receiving a crash-looping pod's alert
// (Alertmanager's payload version 4) directly and through the notification gateway's pod, the
// TSDB surviving a restart of Prometheus's pod, kube-state-metrics, the service discovery and the
// query proxy (its APIService) in one pod of the platform image, the Ingress gateway scraped
// where pods reach the host (an app's rate under steady load), Debian's node-exporter as a
// DaemonSet, and the node problem detector (a DaemonSet of the platform image) turning a hung
// task in a node's kernel log into a Warning Event.
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, httpGet, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

interface WebhookPayload {
  version: string;
  status: string;
  receiver: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

describe.skipIf(skip !== '')(`Prometheus and Alertmanager as pods ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let promUrl = '';
  let hook: http.Server | undefined;
  const received: (WebhookPayload & { path: string; wharf?: { title: string } })[] = [];

  const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    return ((await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } })
      .data.result;
  };

  beforeAll(async () => {
    wharf = await WharfProcess.start({
      monitoring: true,
      readyTimeoutMs: 180_000,
      extraArgs: ['--nodes', '2', '--scrape-interval', '2s', '--alert-for', '5s'],
    });
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
    // The first start builds both images from Debian packages (a minute or two) before deploying.
    await eventually(
      async () =>
        (await k.run(['get', 'deploy', 'prometheus', 'alertmanager', '-n', 'wharf-monitoring'])).code === 0 ||
        undefined,
      400_000,
      'the deployments',
    );
    await k.ok(
      ['rollout', 'status', 'deploy/prometheus', 'deploy/alertmanager', '-n', 'wharf-monitoring', '--timeout=240s'],
      { timeoutMs: 250_000 },
    );
    promUrl = `http://${await k.ok(['get', 'svc', 'prometheus', '-n', 'wharf-monitoring', '-o', 'jsonpath={.spec.clusterIP}'])}:9090`;
    // Then the platform image (Debian's nodejs + Wharf) and its three workloads.
    await eventually(
      async () =>
        (await k.run(['get', 'ds/node-problem-detector', 'deploy/remediation-controller', '-n', 'kube-system']))
          .code === 0 || undefined,
      400_000,
      'the platform workloads',
    );
    await k.ok(
      [
        'rollout',
        'status',
        'ds/node-problem-detector',
        'deploy/remediation-controller',
        '-n',
        'kube-system',
        '--timeout=180s',
      ],
      { timeoutMs: 190_000 },
    );
    // Its first start unpacks the platform image on the node and loads Wharf's code: minutes on a busy machine.
    await k.ok(
      [
        'rollout',
        'status',
        'deploy/notify-gateway',
        'deploy/monitoring-components',
        '-n',
        'wharf-monitoring',
        '--timeout=300s',
      ],
      { timeoutMs: 310_000 },
    );
  }, 1_200_000);

  afterAll(async () => {
    hook?.close();
    hook?.closeAllConnections(); // Alertmanager's keep-alive connections would hold the worker open
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it("scrapes the platform from its pod, through the API's pod-facing address with its service account", async () => {
    const jobs = await eventually(
      async () => {
        const up = new Set((await query('up == 1')).map((s) => s.metric.job));
        return ['apiserver', 'kube-state-metrics', 'kubelet', 'prometheus'].every((j) => up.has(j)) ? up : undefined;
      },
      120_000,
      'every platform job up',
    );
    expect(jobs.size).toBeGreaterThanOrEqual(4);
    // kube-state-metrics answers from its pod, by its Service's name; the targets themselves came from the discovery's
    // pod.
    expect((await query('up{job="kube-state-metrics"} == 1'))[0]?.metric.instance).toBe(
      'kube-state-metrics.wharf-monitoring.svc:8080',
    );
    expect(await k.ok(['get', 'pvc', '-n', 'wharf-monitoring', '-o', 'jsonpath={.items[*].status.phase}'])).toBe(
      'Bound Bound',
    );
    // The gateway's first start (the platform image, then its pod) may still be under way.
    const ready = async (): Promise<string[]> =>
      (await query('kube_pod_status_ready{namespace="wharf-monitoring",condition="true",pod!~"node-exporter-.*"} == 1'))
        .map((s) => s.metric.pod?.replace(/-[a-z0-9]+-[a-z0-9]+$/, '') ?? '')
        .sort();
    await eventually(
      async () => ((await ready()).includes('notify-gateway') ? true : undefined),
      240_000,
      'the notification gateway Ready',
    );
    await eventually(
      async () => ((await ready()).length >= 4 ? true : undefined),
      60_000,
      'every monitoring pod Ready',
    );
    // kube-state-metrics, the discovery and the query proxy: one pod.
    expect(await ready()).toEqual(['alertmanager', 'monitoring-components', 'notify-gateway', 'prometheus']);
  }, 360_000);

  it("scrapes the Ingress gateway from its pod: an app's request rate under steady load matches the load generator's", async () => {
    // An app as a user makes one with kubectl's generators: busybox httpd, its Service, an Ingress.
    await k.ok([
      'create',
      'deployment',
      'rate',
      '--image=busybox:1',
      '--port=8080',
      '--',
      'sh',
      '-c',
      'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www',
    ]);
    await k.ok(['expose', 'deployment', 'rate', '--port=80', '--target-port=8080']);
    await k.ok(['create', 'ingress', 'rate', '--rule=rate.localhost/*=rate:80']);
    const get = (): Promise<number> =>
      httpGet({
        host: '127.0.0.1',
        port: wharf.ingressPort,
        headers: { host: 'rate.localhost' },
        timeoutMs: 5_000,
      }).then(
        (r) => r.status,
        () => 0,
      );
    await eventually(async () => (await get()) === 200 || undefined, 180_000, 'the app answering through the gateway');
    // The gateway job is up in the in-cluster Prometheus (its target: where pods reach this host).
    const target = await eventually(
      async () => (await query('up{job="ingress-gateway"} == 1'))[0]?.metric.instance,
      60_000,
      'the gateway scraped',
    );
    expect(target.split(':')[0]).toBe(
      await k.ok(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}']),
    );
    // Steady load: a request every 100 ms (10/s) for 40 s, each answer timed as it completes; compared
    // over its last 30 s (15 scrapes at 2 s: a rate window as long as a minute's would only add waiting).
    const done: number[] = [];
    const start = Date.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < 400; i++) {
      await new Promise((r) => setTimeout(r, Math.max(0, start + i * 100 - Date.now())));
      inFlight.push(
        get().then((status) => {
          if (status === 200) done.push(Date.now());
        }),
      );
    }
    await Promise.all(inFlight);
    const end = Date.now();
    // The last 30 s fully inside the load, once Prometheus has scraped past it (its 2 s interval).
    const at = (end - 2_000) / 1000;
    const series = 'nginx_ingress_controller_requests{namespace="default",ingress="rate",service="rate",status="200"}';
    await eventually(
      async () => Number((await query(`max(timestamp(${series}))`))[0]?.value[1] ?? 0) > at + 2 || undefined,
      60_000,
      'a scrape after the load',
    );
    const r = await fetch(
      `${promUrl}/api/v1/query?query=${encodeURIComponent(`sum(rate(${series}[30s]))`)}&time=${at}`,
    );
    const promRate = Number(
      ((await r.json()) as { data: { result: { value: [number, string] }[] } }).data.result[0]?.value[1],
    );
    const measured = done.filter((t) => t > (at - 30) * 1000 && t <= at * 1000).length / 30;
    expect(measured).toBeGreaterThan(8);
    expect(
      Math.abs(promRate - measured) / measured,
      `Prometheus ${promRate}/s, the load generator ${measured}/s`,
    ).toBeLessThan(0.1);
    // The series carry the app's namespace, so its team reads them through the per-namespace query API.
    const own = await eventually(
      async () => {
        const q = await k.run([
          'get',
          '--raw',
          `/apis/monitoring.wharf.dev/v1alpha1/namespaces/default/prometheuses/wharf/api/v1/query?query=${encodeURIComponent('sum by (ingress) (nginx_ingress_controller_requests)')}`,
        ]);
        return q.code === 0
          ? (JSON.parse(q.stdout) as { data: { result: { metric: { ingress?: string } }[] } }).data.result
          : undefined;
      },
      90_000,
      'the query API through the APIService',
    );
    expect(own.map((x) => x.metric.ingress)).toContain('rate');
  }, 420_000);

  it("serves the Prometheus query API through the API server from the query proxy's pod, with least-privilege accounts", async () => {
    const path =
      '/apis/monitoring.wharf.dev/v1alpha1/namespaces/wharf-monitoring/prometheuses/wharf/api/v1/query?query=up';
    const body = await eventually(
      async () => {
        const r = await k.run(['get', '--raw', path]);
        return r.code === 0
          ? (JSON.parse(r.stdout) as { status: string; data: { result: { metric: Record<string, string> }[] } })
          : undefined;
      },
      90_000,
      'the query API through the APIService',
    );
    expect(body.status).toBe('success');
    // Restricted to the namespace asked for, as prom-label-proxy does.
    expect(body.data.result.length).toBeGreaterThan(0);
    expect(new Set(body.data.result.map((r) => r.metric.namespace))).toEqual(new Set(['wharf-monitoring']));
    // The three parts' one account: the union of their read-only rights, nothing more.
    const can = async (...args: string[]): Promise<string> =>
      (
        await k.run(['auth', 'can-i', '--as=system:serviceaccount:wharf-monitoring:monitoring-components', ...args])
      ).stdout.trim();
    expect([
      await can('list', 'pods', '-A'),
      await can('watch', 'endpoints', '-A'),
      await can('list', 'deployments', '-A'),
      await can('get', 'configmaps/extension-apiserver-authentication', '-n', 'kube-system'),
      await can('get', 'secrets', '-A'),
      await can('list', 'configmaps', '-n', 'default'),
      await can('delete', 'pods', '-A'),
      await can('create', 'deployments', '-A'),
    ]).toEqual(['yes', 'yes', 'yes', 'yes', 'no', 'no', 'no', 'no']);
  });

  it("delivers a crash-looping pod's alert to the webhook of an AlertmanagerConfig", async () => {
    // The address pods reach this host on (the kubernetes Service's endpoint): the receiver listens there.
    const host = await k.ok(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}']);
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ ...(JSON.parse(body) as WebhookPayload), path: req.url ?? '' });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook!.listen(0, host, () => r()));
    const port = (hook.address() as AddressInfo).port;
    /** An AlertmanagerConfig sending KubePodCrashLooping to one webhook. */
    const routeTo = (name: string, url: string): string => `
apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: {name: ${name}, namespace: default}
spec:
  route: {receiver: hook, groupBy: [alertname, pod], groupWait: 1s, groupInterval: 5s, matchers: [{name: alertname, value: KubePodCrashLooping}]}
  receivers: [{name: hook, webhookConfigs: [{url: '${url}', sendResolved: true}]}]
`;
    await k.ok(['apply', '-f', '-'], {
      stdin: `${routeTo('team', `http://${host}:${port}/alerts`)}
---
# The same alert through the notification gateway's Service, to a channel posting to this test.
${routeTo('via-gateway', 'http://notify-gateway.wharf-monitoring.svc:9095/webhook/default/team-hook')}
---
apiVersion: platform.wharf.dev/v1alpha1
kind: NotificationChannel
metadata: {name: team-hook, namespace: default}
spec:
  type: webhook
  webhook: {url: 'http://${host}:${port}/from-gateway'}
---
apiVersion: v1
kind: Pod
metadata: {name: crash, namespace: default}
spec:
  nodeName: node-0
  terminationGracePeriodSeconds: 1
  containers:
  - {name: app, image: busybox:1, command: [sh, -c, 'exit 3']}
`,
    });
    await eventually(
      async () =>
        (await k.ok(['get', 'alertmanagerconfig', 'team', '-o', 'jsonpath={.status.conditions[0].status}'])) ===
          'True' || undefined,
      30_000,
      'the AlertmanagerConfig accepted',
    );
    const payload = await eventually(
      () =>
        received.find((p) =>
          p.alerts.some((a) => a.labels.alertname === 'KubePodCrashLooping' && a.labels.pod === 'crash'),
        ),
      150_000,
      'the webhook to receive KubePodCrashLooping',
    );
    expect(payload).toMatchObject({ version: '4', status: 'firing', receiver: 'default/team/hook' });
    expect(payload.alerts[0]?.labels).toMatchObject({ namespace: 'default', container: 'app', severity: 'warning' });
    // Alertmanager → the gateway's pod (its Service, by DNS name) → the channel's URL.
    const relayed = await eventually(
      () =>
        received.find(
          (p) => p.path === '/from-gateway' && p.alerts.some((a) => a.labels.alertname === 'KubePodCrashLooping'),
        ),
      90_000,
      'the gateway to relay KubePodCrashLooping',
    );
    expect(relayed).toMatchObject({ version: '4', status: 'firing', receiver: 'default/via-gateway/hook' });
    expect(relayed.wharf?.title).toContain('KubePodCrashLooping');
    // The in-cluster Prometheus scrapes the gateway (deploy/notify's ServiceMonitor): the webhook it answered is
    // counted.
    const counted = await eventually(
      async () => (await query('sum(wharf_notify_webhooks_total{code="200"}) > 0'))[0],
      90_000,
      "the gateway's webhook count in Prometheus",
    );
    expect(Number(counted.value[1])).toBeGreaterThanOrEqual(1);
    // The gateway in its pod, with its own account, keeps the alert history.
    expect(
      await k.ok([
        'get',
        'configmaps',
        '-n',
        'wharf-monitoring',
        '-l',
        'platform.wharf.dev/alert-history=true',
        '-o',
        'jsonpath={.items[*].data}',
      ]),
    ).toContain('KubePodCrashLooping');
  });

  it("runs Debian's node-exporter on every node, and node CPU and memory queries answer per node", async () => {
    await k.ok(['rollout', 'status', 'ds/node-exporter', '-n', 'wharf-monitoring', '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    const perNode = async (q: string): Promise<string[]> =>
      (await query(q))
        .filter((s) => Number(s.value[1]) > 0)
        .map((s) => s.metric.node ?? '')
        .sort();
    // kube-prometheus's node dashboards' expressions, with its labels (job="node-exporter", node).
    const cpu = 'sum by (node) (rate(node_cpu_seconds_total{job="node-exporter",mode!="idle"}[30s]))';
    expect(
      await eventually(
        async () => ((await perNode(cpu)).length === 2 ? perNode(cpu) : undefined),
        120_000,
        'node CPU per node',
      ),
    ).toEqual(['node-0', 'node-1']);
    // Over the last minute: a scrape that overran the 2 s interval on a busy machine leaves a gap, not a failure.
    const memory =
      'last_over_time(node_memory_MemAvailable_bytes{job="node-exporter"}[1m]) / last_over_time(node_memory_MemTotal_bytes{job="node-exporter"}[1m])';
    const ratios = await eventually(
      async () => {
        const r = await query(memory);
        return r.length === 2 ? r : undefined;
      },
      60_000,
      'node memory per node',
    );
    expect(ratios.map((s) => s.metric.node).sort()).toEqual(['node-0', 'node-1']);
    for (const r of ratios) expect(Number(r.value[1])).toBeGreaterThan(0);
    for (const r of ratios) expect(Number(r.value[1])).toBeLessThan(1);
    // Its scrape interval is its PodMonitor's (the global one until set): node metrics every 10 s.
    await k.ok([
      'patch',
      'podmonitor',
      'node-exporter',
      '-n',
      'wharf-monitoring',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/spec/podMetricsEndpoints/0/interval","value":"10s"}]',
    ]);
    const intervals = async (job: string): Promise<string[]> => {
      const r = (await (await fetch(`${promUrl}/api/v1/targets?state=active`)).json()) as {
        data: { activeTargets: { labels: { job?: string }; scrapeInterval: string }[] };
      };
      return r.data.activeTargets.filter((t) => t.labels.job === job).map((t) => t.scrapeInterval);
    };
    await eventually(
      async () => (await intervals('node-exporter')).join() === '10s,10s' || undefined,
      90_000,
      'node-exporter scraped every 10 s',
    );
    expect(await intervals('apiserver')).toEqual(['2s']); // the other jobs keep the global one
  });

  it('keeps its history on the PersistentVolume when its pod is replaced', async () => {
    const samples = async (): Promise<number> =>
      Number((await query('count_over_time(up{job="apiserver"}[1h])'))[0]?.value[1] ?? 0);
    const before = await samples();
    expect(before).toBeGreaterThan(5);
    await k.ok(['delete', 'pod', '-n', 'wharf-monitoring', '-l', 'app.kubernetes.io/name=prometheus', '--wait=false']);
    await eventually(
      async () => {
        const pods = await k.ok([
          'get',
          'pods',
          '-n',
          'wharf-monitoring',
          '-l',
          'app.kubernetes.io/name=prometheus',
          '-o',
          'jsonpath={range .items[*]}{.metadata.deletionTimestamp}|{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
        ]);
        const lines = pods.trim().split('\n');
        return lines.length === 1 && lines[0] === '|True' ? true : undefined;
      },
      120_000,
      'the replacement Prometheus ready',
    );
    // The samples scraped before the restart are still there (plus new ones).
    expect(
      await eventually(
        async () => ((await samples().catch(() => 0)) >= before ? samples() : undefined),
        60_000,
        'the old samples',
      ),
    ).toBeGreaterThanOrEqual(before);
  });

  it("runs the node problem detector on every node, and a hung task in a node's kernel log becomes a TaskHung Warning", async () => {
    const pods = JSON.parse(
      await k.ok(['get', 'pods', '-n', 'kube-system', '-l', 'app=node-problem-detector', '-o', 'json']),
    ).items as { spec: { nodeName: string; containers: { image: string }[] }; status: { phase: string } }[];
    expect(pods.map((p) => [p.spec.nodeName, p.status.phase, p.spec.containers[0]?.image]).sort()).toEqual([
      ['node-0', 'Running', 'wharf/platform:0.1.0'],
      ['node-1', 'Running', 'wharf/platform:0.1.0'],
    ]);
    // Each detector has its own least-privilege account: its node's status and events, nothing else.
    const can = async (...args: string[]): Promise<string> =>
      (
        await k.run(['auth', 'can-i', '--as=system:serviceaccount:kube-system:node-problem-detector', ...args])
      ).stdout.trim();
    expect([
      await can('patch', 'nodes', '--subresource=status'),
      await can('patch', 'nodes'),
      await can('list', 'pods', '-A'),
    ]).toEqual(['yes', 'no', 'no']);
    // The simulated nodes share this host's kernel: wharf up's detectors follow DIR/npd/log/kern.log through a
    // hostPath.
    const d = new Date();
    const p2 = (n: number): string => String(n).padStart(2, '0');
    const stamp = `${d.toLocaleString('en-US', { month: 'short' })} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
    appendFileSync(
      join(wharf.dataDir, 'npd', 'log', 'kern.log'),
      `${stamp} wharf-host kernel: [12345.678901] INFO: task kworker/0:1:20744 blocked for more than 120 seconds.\n`,
    );
    for (const node of ['node-0', 'node-1']) {
      await eventually(
        async () =>
          /Warning\s+TaskHung\s+\S+\s+kernel-monitor\S*(, \S+)?\s+task kworker\/0:1:20744 blocked for more than 120 seconds\./.test(
            await k.ok(['describe', 'node', node]),
          )
            ? true
            : undefined,
        60_000,
        `the TaskHung event on ${node}`,
      );
    }
  });
});
