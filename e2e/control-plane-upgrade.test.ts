// `wharf cluster upgrade` of a control plane of three (issue 18, execution): a 1.31 cluster with
// three etcd members and three API servers behind the balancer, one runc node. Upgraded to 1.32
// under a client that reads through the balancer on a fresh connection per request and retries
// nothing: 0 failed requests; the API servers restarted one at a time, member 2, 1, then 0 (wharf
// up itself), each seen on its own port serving 1.32 before the next went down, never two down at
// once (sampled every 250 ms, and read from the recorded steps); the node after them. Needs runc
// and etcd-server (root).
import { readFileSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdUnavailable, freeClusterPorts, Kubectl, runcUnavailable, runWharf, type WharfRun } from '@wharf/testing';

const skip = runcUnavailable() || (etcdUnavailable() ?? '');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One GET on a connection of its own (no retry, no keep-alive), with a 5 s deadline. */
function get(port: number, path: string, ca: string, token = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const req = request({ host: '127.0.0.1', port, path, ca, headers, timeout: 5_000, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

/** What one member answered on its own port: '' when it did not. */
async function memberVersion(port: number, ca: string): Promise<string> {
  try {
    const [v, ready] = await Promise.all([get(port, '/version', ca), get(port, '/readyz', ca)]);
    return v.status === 200 && ready.status === 200 ? (JSON.parse(v.body) as { gitVersion: string }).gitVersion : '';
  } catch {
    return '';
  }
}

describe.skipIf(skip !== '')(`upgrading a control plane of three, member by member ${skip}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-cp-upgrade-'));
  const state = join(dir, 'state');
  const dataDir = join(dir, 'data');
  const file = join(dir, 'up.yaml');
  const cli = (...args: string[]): Promise<WharfRun> => runWharf([...args, '--state', state], { timeoutMs: 900_000 });
  const k = (): Kubectl => new Kubectl(join(dataDir, 'kubeconfig'));
  const apiPorts = (): number[] =>
    (JSON.parse(readFileSync(join(dataDir, 'control-plane.json'), 'utf8')) as { apiPorts: number[] }).apiPorts;

  beforeAll(async () => {
    const ports = await freeClusterPorts();
    writeFileSync(
      file,
      `apiVersion: wharf.dev/v1alpha1
kind: Cluster
metadata: {name: up}
spec:
  version: "1.31"
  nodes: 1
  nodeProcesses: true
  controlPlane: {members: 3, store: etcd}
  addons: {platform: false, monitoring: false}
  ports: ${JSON.stringify(ports)}
  dataDir: ${dataDir}
`,
    );
  });

  afterAll(async () => {
    if (existsSync(join(state, 'up'))) await cli('cluster', 'delete', 'up', '--yes');
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('creates a 1.31 cluster of three API servers and a Ready node', async () => {
    const made = await cli('cluster', 'create', '-f', file, '--yes');
    expect(made.code, made.stderr).toBe(0);
    await k().ok(['wait', '--for=condition=Ready', 'node/node-0', '--timeout=180s'], { timeoutMs: 190_000 });
    const ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
    expect(await Promise.all(apiPorts().map((p) => memberVersion(p, ca)))).toEqual([
      'v1.31.13',
      'v1.31.13',
      'v1.31.13',
    ]);
    const backup = await cli('cluster', 'backup', 'up');
    expect(backup.code, backup.stderr).toBe(0);
  }, 600_000);

  it('upgrades the API servers one at a time (2, 1, then 0), then the node, failing no request through the balancer', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(join(dataDir, 'kubeconfig'));
    const ca = Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString('utf8');
    const token = kc.getCurrentUser()?.token ?? '';
    const balancer = Number(new URL(kc.getCurrentCluster()?.server ?? '').port);
    const ports = apiPorts();

    // The client: reads through the balancer, one fresh connection per request, no retry.
    let running = true;
    let requests = 0;
    const failures: string[] = [];
    const load = (async () => {
      while (running) {
        requests++;
        await get(balancer, '/api/v1/namespaces/default/configmaps?limit=1', ca, token).then(
          (a) => (a.status === 200 ? undefined : failures.push(`${new Date().toISOString()} HTTP ${a.status}`)),
          (e: unknown) => failures.push(`${new Date().toISOString()} ${(e as Error).message}`),
        );
        await sleep(50);
      }
    })();
    // Each member asked on its own port every 250 ms: its version, '' while it does not serve.
    const samples: { at: number; versions: string[] }[] = [];
    const sampler = (async () => {
      while (running) {
        samples.push({ at: Date.now(), versions: await Promise.all(ports.map((p) => memberVersion(p, ca))) });
        await sleep(250);
      }
    })();

    const done = await cli('cluster', 'upgrade', 'up', '--to', '1.32', '--yes');
    running = false;
    await Promise.all([load, sampler]);
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(failures, done.stdout).toEqual([]);
    expect(requests).toBeGreaterThan(100);

    // The plan, in the record: each member restarted and validated before the next, member 0 last, then the node.
    const progress = JSON.parse(readFileSync(join(state, 'up', 'upgrade.json'), 'utf8')) as {
      done: { step: string; at: string; detail: string }[];
    };
    expect(progress.done.map((d) => d.step)).toEqual([
      'snapshot',
      'control-plane/member-2',
      'control-plane/member-2/validate',
      'control-plane/member-1',
      'control-plane/member-1/validate',
      'control-plane/member-0',
      'control-plane/member-0/validate',
      'node/node-0/cordon',
      'node/node-0/drain',
      'node/node-0/agent',
      'node/node-0/uncordon',
      'node/node-0/validate',
      'done',
    ]);
    const detail = (step: string): string => progress.done.find((d) => d.step === step)?.detail ?? '';
    for (const i of [2, 1, 0]) expect(detail(`control-plane/member-${i}/validate`)).toContain(`serves 1.32.9`);
    expect(detail('node/node-0/agent')).toBe('reports v1.32.9-wharf');

    // What the sampler saw: never two members down at once, and each member moving to 1.32 once, 2 then 1 then 0.
    const down = samples.map((s) => s.versions.filter((v) => v === '').length);
    expect(Math.max(...down), JSON.stringify(samples.filter((s) => s.versions.includes('')))).toBeLessThanOrEqual(1);
    const firstAt = (i: number): number => samples.find((s) => s.versions[i] === 'v1.32.9')?.at ?? Infinity;
    expect(firstAt(2)).toBeLessThan(firstAt(1));
    expect(firstAt(1)).toBeLessThan(firstAt(0));
    // A member once at 1.32 never answered 1.31 again.
    for (const i of [0, 1, 2])
      expect(samples.filter((s) => s.at > firstAt(i) && s.versions[i] === 'v1.31.13')).toEqual([]);
    // Mixed minors answered through the balancer meanwhile: some samples show 1.31 and 1.32 side by side.
    expect(samples.some((s) => s.versions.includes('v1.31.13') && s.versions.includes('v1.32.9'))).toBe(true);
    expect(samples.at(-1)?.versions).toEqual(['v1.32.9', 'v1.32.9', 'v1.32.9']);
    console.log({ requests, samples: samples.length, seconds: (samples.at(-1)!.at - samples[0]!.at) / 1000 });
  }, 1_200_000);
});
