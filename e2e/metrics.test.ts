// Node metrics end to end on `wharf up --nodes 1` with real runc and cgroups: a busybox pod with
// a 200m CPU limit burns CPU, holds 40 MiB in memory and serves HTTP; through
// `kubectl get --raw /api/v1/nodes/node-0/proxy/metrics/...` its CPU counter grows at no more than
// its quota, its working set covers what it holds, cAdvisor shows the quota and the pod's network
// and disk use, nodes/proxy is guarded by RBAC and refuses hostile paths, and `kubectl top` shows
// the pod and the node. Needs root, runc and the CNI plugins (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, httpGet, json, Kubectl, RawApi, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

const MiB = 1024 * 1024;
const pod = `
apiVersion: v1
kind: Pod
metadata: {name: burn, namespace: default, labels: {app: burn}}
spec:
  nodeName: node-0
  terminationGracePeriodSeconds: 1
  containers:
  - name: burner
    image: busybox:1
    command:
    - sh
    - -c
    - |
      mkdir -p /www && head -c 200000 /dev/zero > /www/blob && httpd -p 8080 -h /www
      head -c ${40 * MiB} /dev/zero > /dev/shm/held
      head -c ${6 * MiB} /dev/zero > /layer-file
      echo ready
      while true; do :; done
    resources: {limits: {cpu: 200m, memory: 128Mi}}
`;

interface Series {
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly timestampMs?: number;
}

/** The samples of `name` in a text exposition whose labels include `match`. */
function series(text: string, name: string, match: Record<string, string> = {}): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)(?: (\d+))?$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    if (Object.entries(match).every(([k, v]) => labels[k] === v))
      out.push({ labels, value: Number(m[3]), ...(m[4] ? { timestampMs: Number(m[4]) } : {}) });
  }
  return out;
}

function one(text: string, name: string, match: Record<string, string> = {}): Series {
  const s = series(text, name, match);
  if (s.length !== 1) throw new Error(`expected one ${name}${JSON.stringify(match)}, found ${s.length}`);
  return s[0]!;
}

describe.skipIf(skip !== '')(`node metrics on wharf up --nodes 1 ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let raw: RawApi;
  const burner = { container: 'burner', pod: 'burn', namespace: 'default' };
  const resource = (): Promise<string> => k.ok(['get', '--raw', '/api/v1/nodes/node-0/proxy/metrics/resource']);
  const cadvisor = (): Promise<string> => k.ok(['get', '--raw', '/api/v1/nodes/node-0/proxy/metrics/cadvisor']);

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'] });
    k = new Kubectl(wharf.kubeconfig);
    raw = RawApi.fromKubeconfig(wharf.kubeconfig);
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
    await k.ok(['apply', '-f', '-'], { stdin: pod });
    await eventually(
      async () => (await k.ok(['logs', 'burn']).catch(() => '')).includes('ready') || undefined,
      90_000,
      'the pod to hold its memory',
    );
  });

  afterAll(async () => {
    raw?.close();
    await k?.run(['delete', 'pod', 'burn', '--grace-period=0', '--wait=false']).catch(() => undefined);
    await k?.run(['delete', 'clusterrolebinding', 'metrics-viewer']).catch(() => undefined);
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('serves /metrics/resource with the container CPU counter growing at no more than its 200m quota', async () => {
    const first = one(await resource(), 'container_cpu_usage_seconds_total', burner);
    const later = await eventually(
      async () => {
        const s = one(await resource(), 'container_cpu_usage_seconds_total', burner);
        return s.timestampMs! - first.timestampMs! >= 3000 ? s : undefined;
      },
      20_000,
      'a sample 3 s later',
    );
    const cores = (later.value - first.value) / ((later.timestampMs! - first.timestampMs!) / 1000);
    expect(later.value).toBeGreaterThan(first.value);
    expect(cores).toBeGreaterThan(0.05);
    expect(cores).toBeLessThan(0.3);
  });

  it('reports a working set covering the 40 MiB the pod holds, pod totals, node totals and no scrape error', async () => {
    const text = await resource();
    expect(text).toContain(
      '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes\n# TYPE container_memory_working_set_bytes gauge\n',
    );
    const ws = one(text, 'container_memory_working_set_bytes', burner).value;
    expect(ws).toBeGreaterThan(40 * MiB);
    expect(ws).toBeLessThan(128 * MiB);
    expect(one(text, 'pod_memory_working_set_bytes', { pod: 'burn', namespace: 'default' }).value).toBe(ws);
    expect(one(text, 'pod_cpu_usage_seconds_total', { pod: 'burn', namespace: 'default' }).value).toBeGreaterThan(0);
    expect(one(text, 'node_cpu_usage_seconds_total').value).toBeGreaterThan(0);
    expect(one(text, 'node_memory_working_set_bytes').value).toBeGreaterThan(ws);
    expect(one(text, 'resource_scrape_error').value).toBe(0);
    const started = Date.parse(
      await k.ok(['get', 'pod', 'burn', '-o', 'jsonpath={.status.containerStatuses[0].state.running.startedAt}']),
    );
    expect(Math.abs(one(text, 'container_start_time_seconds', burner).value * 1000 - started)).toBeLessThan(2000);
  });

  it('serves /metrics/cadvisor with the CPU quota of the limit, throttling, memory limit and writable-layer usage', async () => {
    const text = await eventually(
      async () => {
        const t = await cadvisor();
        return (series(t, 'container_fs_usage_bytes', burner)[0]?.value ?? 0) >= 6 * MiB ? t : undefined;
      },
      30_000,
      'the writable layer to hold the 6 MiB file',
    );
    const spec = one(text, 'container_spec_cpu_quota', burner);
    expect(spec.value).toBe(20_000);
    expect(spec.labels.image).toBe('busybox:1');
    expect(spec.labels.id).toMatch(/^\/wharf\/node-0\/wharf-[0-9a-f]+-burner-0$/);
    expect(spec.labels.name).toBe(spec.labels.id!.split('/').pop());
    expect(one(text, 'container_spec_cpu_period', burner).value).toBe(100_000);
    expect(one(text, 'container_spec_memory_limit_bytes', burner).value).toBe(128 * MiB);
    expect(one(text, 'container_cpu_cfs_throttled_periods_total', burner).value).toBeGreaterThan(0);
    expect(one(text, 'container_cpu_usage_seconds_total', { ...burner, cpu: 'total' }).value).toBeGreaterThan(0);
    expect(one(text, 'container_memory_working_set_bytes', burner).value).toBeGreaterThan(40 * MiB);
    expect(one(text, 'container_processes', burner).value).toBeGreaterThanOrEqual(2);
    expect(one(text, 'container_oom_events_total', burner).value).toBe(0);
    expect(series(text, 'container_fs_usage_bytes', burner)[0]!.value).toBeGreaterThanOrEqual(6 * MiB);
  });

  it('counts the pod’s network traffic on eth0', async () => {
    const ip = (await k.ok(['get', 'pod', 'burn', '-o', 'jsonpath={.status.podIP}'])).trim();
    const eth0 = { pod: 'burn', namespace: 'default', interface: 'eth0' };
    const before = await cadvisor();
    let sent = 0;
    for (let i = 0; i < 10; i++)
      sent += (await httpGet({ host: ip, port: 8080, path: '/blob', timeoutMs: 5000 })).body.length;
    expect(sent).toBe(10 * 200_000);
    const after = await cadvisor();
    const delta = (name: string): number => one(after, name, eth0).value - one(before, name, eth0).value;
    expect(delta('container_network_receive_bytes_total')).toBeGreaterThan(10 * 60);
    expect(delta('container_network_receive_packets_total')).toBeGreaterThanOrEqual(10);
    expect(delta('container_network_transmit_bytes_total')).toBeGreaterThanOrEqual(sent);
    expect(one(after, 'container_network_receive_errors_total', eth0).value).toBe(0);
    expect(series(after, 'container_network_receive_bytes_total', { pod: 'burn', interface: 'lo' })).toEqual([]);
  });

  it('guards nodes/proxy with RBAC (get on nodes/proxy) and refuses hostile paths with 400', async () => {
    await k.ok(['create', 'serviceaccount', 'metrics-viewer']);
    const token = (await k.ok(['create', 'token', 'metrics-viewer'])).trim();
    const viewer = raw.as(token);
    const path = '/api/v1/nodes/node-0/proxy/metrics/resource';
    const denied = await viewer.get(path);
    expect(denied.status).toBe(403);
    expect(json(denied).message).toContain('cannot get resource "nodes/proxy"');
    await k.ok(['create', 'clusterrole', 'metrics-viewer', '--verb=get', '--resource=nodes/proxy']);
    await k.ok([
      'create',
      'clusterrolebinding',
      'metrics-viewer',
      '--clusterrole=metrics-viewer',
      '--serviceaccount=default:metrics-viewer',
    ]);
    const allowed = await eventually(
      async () => {
        const r = await viewer.get(path);
        return r.status === 200 ? r : undefined;
      },
      10_000,
      'the binding to take effect',
    );
    expect(allowed.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(allowed.text).toContain(
      'container_cpu_usage_seconds_total{container="burner",namespace="default",pod="burn"}',
    );
    for (const hostile of [
      '/api/v1/nodes/node-0/proxy/../../../api/v1/secrets',
      '/api/v1/nodes/node-0/proxy/%2e%2e/%2e%2e/api/v1/secrets',
      '/api/v1/nodes/node-0/proxy/metrics%2Fresource',
      '/api/v1/nodes/node-0/proxy/metrics/..%5Csecrets',
    ]) {
      const r = await raw.get(hostile);
      expect(r.status, hostile).toBe(400);
      expect(json(r)).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    }
    const missing = await raw.get('/api/v1/nodes/node-9/proxy/metrics/resource');
    expect(missing.status).toBe(404);
    expect(json(missing).message).toBe('nodes "node-9" not found');
    expect((await raw.post(path, {})).status).toBe(405);
  });

  it('serves metrics.k8s.io so kubectl top lists the pod at about its CPU limit, and the node', async () => {
    const out = await k.ok(['top', 'pod', 'burn', '--containers']);
    const m = /^burn\s+burner\s+(\d+)m\s+(\d+)Mi\s*$/m.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(50);
    expect(Number(m![1])).toBeLessThan(300);
    expect(Number(m![2])).toBeGreaterThanOrEqual(40);
    expect(await k.ok(['top', 'pod', '-l', 'app=burn', '--no-headers'])).toMatch(/^burn\s+\d+m\s+\d+Mi\s*$/);
    expect(await k.ok(['top', 'node', '--no-headers'])).toMatch(/^node-0\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s*$/m);
    const list = json(await raw.get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/burn'));
    expect(list).toMatchObject({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: { name: 'burn', namespace: 'default' },
      containers: [{ name: 'burner' }],
    });
    expect(list.containers[0].usage.cpu).toMatch(/^\d+n$/);
    expect((await raw.get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope')).status).toBe(404);
  });
});
