// kubectl drain on the embedded control plane: cordon, evictions that honour a
// PodDisruptionBudget (429 until the budget allows), then uncordon. No node agent runs here to
// confirm a graceful deletion, so the pods ask for none (terminationGracePeriodSeconds 0).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kubectl, WharfProcess, eventually } from '@wharf/testing';

const manifest = `
apiVersion: v1
kind: Node
metadata: {name: drain-n1, labels: {kubernetes.io/hostname: drain-n1}}
---
apiVersion: v1
kind: Namespace
metadata: {name: drain}
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: drain, labels: {app: x}}
spec: {nodeName: drain-n1, terminationGracePeriodSeconds: 0, containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: drain, labels: {app: x}}
spec: {nodeName: drain-n1, terminationGracePeriodSeconds: 0, containers: [{name: c, image: busybox}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb, namespace: drain}
spec: {minAvailable: 1, selector: {matchLabels: {app: x}}}
`;

describe('kubectl drain', () => {
  let wharf: WharfProcess;
  let k: Kubectl;

  beforeAll(async () => {
    wharf = await WharfProcess.start();
    k = new Kubectl(wharf.kubeconfig);
    await k.ok(['apply', '-f', '-'], { stdin: manifest });
    // No node agent here: mark the pods running and ready as a kubelet would.
    for (const p of ['p1', 'p2']) {
      await k.ok([
        '-n',
        'drain',
        'patch',
        'pod',
        p,
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}',
      ]);
    }
  });

  afterAll(async () => {
    await wharf?.stop();
  });

  it('evicts only as far as the PodDisruptionBudget allows, then finishes once it is lifted', async () => {
    const first = await k.run(['drain', 'drain-n1', '--force', '--timeout=6s']);
    expect(first.code).not.toBe(0);
    expect(first.stdout + first.stderr).toMatch(/evicted|global timeout/);
    const left = await k.ok(['-n', 'drain', 'get', 'pods', '-o', 'name']);
    expect(left.trim().split('\n')).toHaveLength(1);
    expect(await k.ok(['get', 'node', 'drain-n1'])).toContain('SchedulingDisabled');

    await k.ok(['-n', 'drain', 'delete', 'pdb', 'pdb']);
    const second = await k.run(['drain', 'drain-n1', '--force', '--timeout=20s']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('drained');
    await eventually(
      async () => ((await k.ok(['-n', 'drain', 'get', 'pods', '-o', 'name'])).trim() === '' ? true : undefined),
      10_000,
      'pods gone',
    );
  });

  it('uncordon makes the node schedulable again', async () => {
    await k.ok(['uncordon', 'drain-n1']);
    expect(await k.ok(['get', 'node', 'drain-n1', '-o', 'jsonpath={.spec.unschedulable}'])).toBe('');
  });

  it('answers an eviction that would break the budget with 429 TooManyRequests', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: manifest });
    await k.ok([
      '-n',
      'drain',
      'patch',
      'pod',
      'p1',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}',
    ]);
    const eviction = JSON.stringify({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'p1', namespace: 'drain' },
    });
    const r = await k.run(['create', '--raw', '/api/v1/namespaces/drain/pods/p1/eviction', '-f', '-'], {
      stdin: eviction,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/disruption budget|TooManyRequests|429/);
  });
});
