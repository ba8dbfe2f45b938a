// `wharf cluster create|get|update|delete` as kops' users drive it: each prints its plan and
// changes nothing without --yes; create runs the spec's own `wharf up`; get shows spec beside
// actual; update adds a node (zone b's), then removes it with its pod evicted first; delete
// removes the process, the containers and the data dir. Real runc node, real kubectl.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kubectl, eventually, freeClusterPorts, runcUnavailable, runWharf, type WharfRun } from '@wharf/testing';

const wharfCli = (args: string[], timeoutMs = 600_000): Promise<WharfRun> => runWharf(args, { timeoutMs });

const skip = runcUnavailable();

describe.skipIf(skip !== '')(`wharf cluster create, get, update, delete ${skip}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-clusters-'));
  const state = join(dir, 'state');
  const dataDir = join(dir, 'data');
  const file = join(dir, 'e2e.yaml');
  let ports: Awaited<ReturnType<typeof freeClusterPorts>>;
  const write = (nodes: number): void =>
    writeFileSync(
      file,
      `apiVersion: wharf.dev/v1alpha1
kind: Cluster
metadata: {name: e2e}
spec:
  version: "1.32"
  nodes: ${nodes}
  addons: {platform: false, monitoring: false}
  ports: ${JSON.stringify(ports)}
  dataDir: ${dataDir}
`,
    );
  const cli = (...args: string[]): Promise<WharfRun> => wharfCli([...args, '--state', state]);
  const k = (): Kubectl => new Kubectl(join(dataDir, 'kubeconfig'));

  beforeAll(async () => {
    ports = await freeClusterPorts();
  });

  afterAll(async () => {
    // Whatever a failed step left: the cluster's process, containers and files.
    if (existsSync(join(state, 'e2e'))) await cli('cluster', 'delete', 'e2e', '--yes');
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('create prints its plan and changes nothing; with --yes the cluster answers kubectl', async () => {
    write(0);
    const plan = await cli('cluster', 'create', '-f', file);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Will create cluster e2e (Kubernetes 1.32):');
    expect(plan.stdout).toContain('nodes: none (control plane only)');
    expect(plan.stdout).toContain('Nothing changed. Run again with --yes to create it.');
    expect(existsSync(join(state, 'e2e'))).toBe(false);
    expect(existsSync(dataDir)).toBe(false);

    const made = await cli('cluster', 'create', '-f', file, '--yes');
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain(`Cluster e2e is up: kubectl --kubeconfig ${join(dataDir, 'kubeconfig')} get nodes`);
    expect(await k().ok(['get', 'namespace', 'default', '-o', 'name'])).toContain('namespace/default');

    const again = await cli('cluster', 'create', '-f', file, '--yes');
    expect(again).toMatchObject({
      code: 1,
      stderr: `wharf: cluster "e2e" exists: change it with wharf cluster update -f ${file}, or delete it first\n`,
    });
  }, 300_000);

  it('get shows the spec beside what runs', async () => {
    const got = await cli('cluster', 'get');
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/running\s+yes\s+yes \(wharf up pid \d+\)/);
    expect(got.stdout).toMatch(/version\s+1\.32\s+v1\.32\.9/);
    expect(got.stdout).toMatch(/nodes\s+0\s+0 Ready of 0/);
    expect((await cli('cluster', 'get', 'nope')).stderr).toBe(
      `wharf: no cluster "nope" in ${state} (wharf cluster get lists them)\n`,
    );
  });

  it('update adds a node, then removes it after evicting its pod', async () => {
    write(1);
    const plan = await cli('cluster', 'update', '-f', file);
    expect(plan.stdout).toContain('Will update cluster e2e:\n  add node node-0 in zone a\nNothing changed.');
    expect((await k().ok(['get', 'nodes', '-o', 'name'])).trim()).toBe('');
    const up = await cli('cluster', 'update', '-f', file, '--yes');
    expect(up.code, up.stderr).toBe(0);
    await k().ok(['wait', '--for=condition=Ready', 'node/node-0', '--timeout=120s'], { timeoutMs: 130_000 });
    expect(
      await k().ok(['get', 'node', 'node-0', '-o', 'jsonpath={.metadata.labels.topology\\.kubernetes\\.io/zone}']),
    ).toBe('a');
    // A pod the removal must evict first (no image needed: it is never started again).
    await k().ok([
      'run',
      'sleeper',
      '--image=busybox:1',
      '--restart=Never',
      '--overrides={"spec":{"nodeName":"node-0"}}',
      '--command',
      '--',
      'sleep',
      '3600',
    ]);

    write(0);
    const down = await cli('cluster', 'update', '-f', file, '--yes');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(
      'remove node node-0 (zone a): cordon, drain honouring PodDisruptionBudgets, then stop it',
    );
    expect(down.stdout).toContain('draining node-0');
    await eventually(
      async () => ((await k().ok(['get', 'nodes', '-o', 'name'])).trim() === '' ? true : undefined),
      60_000,
      'node-0 gone',
    );
    expect((await k().run(['get', 'pod', 'sleeper'])).code).not.toBe(0);
  }, 600_000);

  it('delete prints its plan; with --yes the process, the containers and the data dir are gone', async () => {
    const pid = (JSON.parse(readFileSync(join(state, 'e2e', 'cluster.json'), 'utf8')) as { pid: number }).pid;
    const plan = await cli('cluster', 'delete', 'e2e');
    expect(plan.stdout).toContain(`stop wharf up (pid ${pid})`);
    expect(plan.stdout).toContain('Nothing changed. Run again with --yes to delete it.');
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    const gone = await cli('cluster', 'delete', 'e2e', '--yes');
    expect(gone.code, gone.stderr).toBe(0);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    expect((await cli('cluster', 'get')).stdout).toBe(`no clusters in ${state} (wharf cluster create -f FILE)\n`);
  }, 120_000);
});
