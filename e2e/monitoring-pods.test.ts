// The monitoring stack as `wharf up --nodes 1` deploys it by default: Prometheus and Alertmanager
// as pods in wharf-monitoring (images built from Debian's packages, data on PVCs bound to local
// PVs), Prometheus scraping the platform through the `kubernetes` Service with its own
// service-account token, an AlertmanagerConfig's webhook receiving a crash-looping pod's alert
// (Alertmanager's payload version 4), and the TSDB surviving a restart of Prometheus's pod.
import { execFile, execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

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
  const received: WebhookPayload[] = [];

  const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    return ((await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
  };

  beforeAll(async () => {
    wharf = await WharfProcess.start({ monitoring: true, extraArgs: ['--nodes', '1', '--scrape-interval', '2s', '--alert-for', '5s'] });
    k = new Kubectl(wharf.kubeconfig);
    await run(process.execPath, [WHARF_BIN, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', wharf.dataDir], { timeout: 120_000 });
    // The first start builds both images from Debian packages (a minute or two) before deploying.
    await eventually(async () => (await k.run(['get', 'deploy', 'prometheus', 'alertmanager', '-n', 'wharf-monitoring'])).code === 0 || undefined, 400_000, 'the deployments');
    await k.ok(['rollout', 'status', 'deploy/prometheus', 'deploy/alertmanager', '-n', 'wharf-monitoring', '--timeout=240s'], { timeoutMs: 250_000 });
    promUrl = `http://${await k.ok(['get', 'svc', 'prometheus', '-n', 'wharf-monitoring', '-o', 'jsonpath={.spec.clusterIP}'])}:9090`;
  }, 700_000);

  afterAll(async () => {
    hook?.close();
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('scrapes the platform from its pod, through the kubernetes Service with its service account', async () => {
    const jobs = await eventually(async () => {
      const up = new Set((await query('up == 1')).map((s) => s.metric.job));
      return ['apiserver', 'kube-state-metrics', 'kubelet', 'prometheus'].every((j) => up.has(j)) ? up : undefined;
    }, 60_000, 'every platform job up');
    expect(jobs.size).toBeGreaterThanOrEqual(4);
    expect(await k.ok(['get', 'pvc', '-n', 'wharf-monitoring', '-o', 'jsonpath={.items[*].status.phase}'])).toBe('Bound Bound');
    expect((await query('kube_pod_status_ready{namespace="wharf-monitoring",condition="true"} == 1')).map((s) => s.metric.pod?.replace(/-.*/, '')).sort()).toEqual(['alertmanager', 'prometheus']);
  });

  it('delivers a crash-looping pod\'s alert to the webhook of an AlertmanagerConfig', async () => {
    // The address pods reach this host on (the kubernetes Service's endpoint): the receiver listens there.
    const host = await k.ok(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}']);
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as WebhookPayload);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook!.listen(0, host, () => r()));
    const port = (hook.address() as AddressInfo).port;
    await k.ok(['apply', '-f', '-'], { stdin: `
apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: {name: team, namespace: default}
spec:
  route:
    receiver: hook
    groupBy: [alertname, pod]
    groupWait: 1s
    groupInterval: 5s
    matchers: [{name: alertname, value: KubePodCrashLooping}]
  receivers:
  - name: hook
    webhookConfigs: [{url: 'http://${host}:${port}/alerts', sendResolved: true}]
---
apiVersion: v1
kind: Pod
metadata: {name: crash, namespace: default}
spec:
  nodeName: node-0
  terminationGracePeriodSeconds: 1
  containers:
  - {name: app, image: busybox:1, command: [sh, -c, 'exit 3']}
` });
    await eventually(async () => (await k.ok(['get', 'alertmanagerconfig', 'team', '-o', 'jsonpath={.status.conditions[0].status}'])) === 'True' || undefined, 30_000, 'the AlertmanagerConfig accepted');
    const payload = await eventually(() => received.find((p) => p.alerts.some((a) => a.labels.alertname === 'KubePodCrashLooping' && a.labels.pod === 'crash')), 150_000, 'the webhook to receive KubePodCrashLooping');
    expect(payload).toMatchObject({ version: '4', status: 'firing', receiver: 'default/team/hook' });
    expect(payload.alerts[0]?.labels).toMatchObject({ namespace: 'default', container: 'app', severity: 'warning' });
  });

  it('keeps its history on the PersistentVolume when its pod is replaced', async () => {
    const samples = async (): Promise<number> => Number((await query('count_over_time(up{job="apiserver"}[1h])'))[0]?.value[1] ?? 0);
    const before = await samples();
    expect(before).toBeGreaterThan(5);
    await k.ok(['delete', 'pod', '-n', 'wharf-monitoring', '-l', 'app.kubernetes.io/name=prometheus', '--wait=false']);
    await eventually(async () => {
      const pods = await k.ok(['get', 'pods', '-n', 'wharf-monitoring', '-l', 'app.kubernetes.io/name=prometheus', '-o', 'jsonpath={range .items[*]}{.metadata.deletionTimestamp}|{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
      const lines = pods.trim().split('\n');
      return lines.length === 1 && lines[0] === '|True' ? true : undefined;
    }, 120_000, 'the replacement Prometheus ready');
    // The samples scraped before the restart are still there (plus new ones).
    expect(await eventually(async () => ((await samples().catch(() => 0)) >= before ? samples() : undefined), 60_000, 'the old samples')).toBeGreaterThanOrEqual(before);
  });
});
