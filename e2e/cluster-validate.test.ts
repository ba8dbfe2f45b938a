// `wharf cluster validate` against `wharf up --simulated-nodes 2` with kubectl 1.32 making the
// trouble: a healthy cluster is valid; a PodDisruptionBudget that allows no disruption names the
// pods a drain could not evict (a warning); a node that never reports Ready makes the cluster
// invalid with one line and exit 1, also under --wait, which gives up at its deadline instead of
// hanging; an API that does not answer is a one-line failure within --timeout.
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kubectl, WharfProcess, eventually, runWharf, type WharfRun } from '@wharf/testing';

describe('wharf cluster validate', () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let dir: string;
  let silent: Server;
  const hung: Socket[] = [];
  const validate = (...args: string[]): Promise<WharfRun> =>
    runWharf(['cluster', 'validate', '--kubeconfig', wharf.kubeconfig, ...args]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-validate-'));
    wharf = await WharfProcess.start({ extraArgs: ['--simulated-nodes', '2'] });
    k = new Kubectl(wharf.kubeconfig);
    await eventually(
      async () =>
        (await k.ok(['get', 'nodes', '--no-headers'])).split('\n').filter((l) => / Ready /.test(l)).length === 2
          ? true
          : undefined,
      60_000,
      'two Ready simulated nodes',
    );
    await k.ok(['create', 'deployment', 'web', '--image=busybox:1', '--replicas=2', '--', 'sleep', '3600']);
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
  }, 150_000);

  afterAll(async () => {
    await wharf?.stop();
    for (const s of hung) s.destroy();
    await new Promise<void>((r) => (silent ? silent.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('finds a healthy cluster valid', async () => {
    const r = await validate();
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('nodes: 2 (2 Ready)');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Your cluster is ready');
  });

  it('names the pods a PodDisruptionBudget keeps from being evicted, as warnings that do not fail', async () => {
    await k.ok(['create', 'poddisruptionbudget', 'web', '--selector=app=web', '--min-available=2']);
    await eventually(
      async () =>
        (await k.ok(['get', 'pdb', 'web', '-o', 'jsonpath={.status.currentHealthy}'])).trim() === '2'
          ? true
          : undefined,
      30_000,
      'the budget counting both pods',
    );
    const r = await validate();
    expect(r.code).toBe(0);
    const warnings = r.stdout.split('\n').filter((l) => l.startsWith('Eviction'));
    expect(warnings).toHaveLength(2);
    for (const w of warnings)
      expect(w).toMatch(
        /^Eviction\s+default\/web-\S+\s+warning\s+cannot be evicted now: PodDisruptionBudget web allows 0 disruptions$/,
      );
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Your cluster is ready (2 warnings)');
  });

  it('fails with one line on a node that is not Ready, also with --wait, which stops at its deadline', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Node\nmetadata: {name: ghost}\n' });
    const once = await validate();
    expect(once.code).toBe(1);
    expect(once.stdout).toMatch(/^Node\s+ghost\s+failure\s+not Ready: no Ready condition$/m);
    expect(once.stderr.trim().split('\n')).toEqual(['wharf: the cluster is not valid: 1 failure, 2 warnings']);
    const waited = await validate('--wait', '6s', '-o', 'json');
    expect(waited.code).toBe(1);
    expect(waited.ms).toBeGreaterThanOrEqual(6000);
    expect(waited.ms).toBeLessThan(60_000);
    const body = JSON.parse(waited.stdout) as {
      valid: boolean;
      findings: { kind: string; name: string; severity: string }[];
    };
    expect(body.valid).toBe(false);
    expect(body.findings.filter((f) => f.severity === 'failure').map((f) => `${f.kind}/${f.name}`)).toEqual([
      'Node/ghost',
    ]);
    // Fixed while --wait keeps checking: it ends valid.
    const fixing = validate('--wait', '60s');
    await k.ok(['delete', 'node', 'ghost']);
    const fixed = await fixing;
    expect([fixed.code, fixed.stdout.trim().split('\n').at(-1)]).toEqual([0, 'Your cluster is ready (2 warnings)']);
  });

  it('gives up on an API that does not answer within --timeout, with one line', async () => {
    silent = createServer((socket) => hung.push(socket)); // accepts connections and never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const kubeconfig = join(dir, 'silent.kubeconfig');
    writeFileSync(
      kubeconfig,
      readFileSync(wharf.kubeconfig, 'utf8').replace(
        /server: https:\/\/127\.0\.0\.1:\d+/,
        `server: https://127.0.0.1:${port}`,
      ),
    );
    const r = await runWharf(['cluster', 'validate', '--kubeconfig', kubeconfig, '--timeout', '3s']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['wharf: could not read the cluster within 3 s']);
    expect(r.ms).toBeLessThan(30_000);
  });
});
