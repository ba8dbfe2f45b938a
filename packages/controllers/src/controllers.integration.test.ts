// End to end against a real `wharf up`: three simulated nodes in zones a/b/c, the scheduler and
// the ReplicaSet and Deployment controllers, driven by a real kubectl.
import { KubeConfig } from '@kubernetes/client-node';
import { eventually, Kubectl, WharfProcess } from '@wharf/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedNodes, startControllers, type RunningControllers } from './index.js';

interface PodList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    spec: { nodeName?: string };
    status: { phase?: string };
  }[];
}

describe('controllers against wharf up with simulated nodes', () => {
  let wharf: WharfProcess;
  let kubectl: Kubectl;
  let sim: SimulatedNodes;
  let controllers: RunningControllers;

  beforeAll(async () => {
    wharf = await WharfProcess.start();
    const kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    sim = new SimulatedNodes({
      kubeConfig: kc,
      count: 3,
      prefix: 'node-',
      zones: ['a', 'b', 'c'],
      podReadyDelayMs: 100,
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    });
    await sim.start();
    controllers = await startControllers({ kubeConfig: kc });
    kubectl = new Kubectl(wharf.kubeconfig);
  }, 240_000);

  afterAll(async () => {
    await controllers?.stop();
    await sim?.stop();
    await wharf?.stop();
  });

  const pods = async (selector: string): Promise<PodList['items']> =>
    JSON.parse(await kubectl.ok(['get', 'pods', '-l', selector, '-o', 'json'])).items as PodList['items'];

  it('runs a Deployment spread over nodes and zones, rolls it out, undoes and scales it', async () => {
    await kubectl.ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3']);
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    const first = await pods('app=web');
    expect(first).toHaveLength(3);
    expect(first.every((p) => p.status.phase === 'Running')).toBe(true);
    expect(new Set(first.map((p) => p.spec.nodeName)).size).toBe(3);

    await kubectl.ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.26']);
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    const rsList = JSON.parse(await kubectl.ok(['get', 'rs', '-l', 'app=web', '-o', 'json'])).items as {
      metadata: { name: string; annotations: Record<string, string> };
      spec: { replicas: number };
    }[];
    expect(rsList).toHaveLength(2);
    const byRev = new Map(rsList.map((rs) => [rs.metadata.annotations['deployment.kubernetes.io/revision'], rs]));
    expect(byRev.get('1')?.spec.replicas).toBe(0);
    expect(byRev.get('2')?.spec.replicas).toBe(3);
    expect(
      await kubectl.ok([
        'get',
        'deployment',
        'web',
        '-o',
        'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}',
      ]),
    ).toBe('2');
    await eventually(async () => (await pods('app=web')).length === 3 || undefined, 10_000, 'old pods gone');

    await kubectl.ok(['rollout', 'undo', 'deployment/web']);
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    expect(
      await kubectl.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']),
    ).toBe('nginx:1.25');
    expect(
      await kubectl.ok([
        'get',
        'deployment',
        'web',
        '-o',
        'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}',
      ]),
    ).toBe('3');
    const history = await kubectl.ok(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/2\s/);
    expect(history).toMatch(/3\s/);

    await kubectl.ok(['scale', 'deployment/web', '--replicas=5']);
    await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    await eventually(
      async () => {
        const p = await pods('app=web');
        return (p.length === 5 && p.every((x) => x.status.phase === 'Running')) || undefined;
      },
      15_000,
      '5 running pods',
    );
    await kubectl.ok(['scale', 'deployment/web', '--replicas=2']);
    await eventually(async () => (await pods('app=web')).length === 2 || undefined, 15_000, '2 pods');
    expect(
      await kubectl.ok([
        'get',
        'deployment',
        'web',
        '-o',
        'jsonpath={.status.readyReplicas}/{.status.availableReplicas}',
      ]),
    ).toBe('2/2');
  });

  it('restarts, pauses and resumes a rollout', async () => {
    await kubectl.ok(['create', 'deployment', 'api', '--image=busybox', '--replicas=2']);
    await kubectl.ok(['rollout', 'status', 'deployment/api', '--timeout=90s']);
    await kubectl.ok(['rollout', 'restart', 'deployment/api']);
    await kubectl.ok(['rollout', 'status', 'deployment/api', '--timeout=90s']);
    await kubectl.ok(['rollout', 'pause', 'deployment/api']);
    await kubectl.ok(['set', 'image', 'deployment/api', 'busybox=busybox:1.36']);
    await new Promise((r) => setTimeout(r, 500));
    expect(
      await kubectl.ok([
        'get',
        'deployment',
        'api',
        '-o',
        'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}',
      ]),
    ).toBe('2');
    await kubectl.ok(['rollout', 'resume', 'deployment/api']);
    await kubectl.ok(['rollout', 'status', 'deployment/api', '--timeout=90s']);
    expect(
      await kubectl.ok([
        'get',
        'deployment',
        'api',
        '-o',
        'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}',
      ]),
    ).toBe('3');
  });

  it('leaves a pod too big for any node Pending with FailedScheduling', async () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'big' },
      spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { memory: '64Gi' } } }] },
    };
    await kubectl.ok(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const event = await eventually(
      async () => {
        const ev = JSON.parse(
          await kubectl.ok([
            'get',
            'events',
            '--field-selector',
            'involvedObject.name=big,reason=FailedScheduling',
            '-o',
            'json',
          ]),
        ).items as { message: string }[];
        return ev[0]?.message;
      },
      15_000,
      'FailedScheduling event',
    );
    expect(event).toContain('0/3 nodes are available: 3 Insufficient memory.');
    expect(
      await kubectl.ok([
        'get',
        'pod',
        'big',
        '-o',
        'jsonpath={.status.phase}/{.status.conditions[?(@.type=="PodScheduled")].reason}',
      ]),
    ).toBe('Pending/Unschedulable');
    // Retried when the cluster changes: a smaller request is not possible on a pod, so delete it.
    await kubectl.ok(['delete', 'pod', 'big', '--wait=false']);
  });

  it('honours nodeSelector and keeps new pods off a cordoned node', async () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'in-b' },
      spec: { nodeSelector: { 'topology.kubernetes.io/zone': 'b' }, containers: [{ name: 'c', image: 'x' }] },
    };
    await kubectl.ok(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    await eventually(
      async () =>
        (await kubectl.ok(['get', 'pod', 'in-b', '-o', 'jsonpath={.spec.nodeName}'])) === 'node-1' || undefined,
      10_000,
      'in-b on node-1',
    );

    await kubectl.ok(['cordon', 'node-0']);
    await kubectl.ok(['create', 'deployment', 'spread', '--image=x', '--replicas=4']);
    await kubectl.ok(['rollout', 'status', 'deployment/spread', '--timeout=90s']);
    const placed = await pods('app=spread');
    expect(placed).toHaveLength(4);
    expect(placed.some((p) => p.spec.nodeName === 'node-0')).toBe(false);
    await kubectl.ok(['uncordon', 'node-0']);
  });
});
