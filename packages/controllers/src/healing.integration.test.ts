// End to end against a real `wharf up`: EndpointSlices and Endpoints following pod readiness,
// PodDisruptionBudget status, a node that stops heartbeating being tainted and emptied onto the
// others, and two controller managers of which only the Lease holder acts. Three simulated nodes
// in zones a/b/c run in this process so one can be silenced. `wharf up` runs its own manager
// (default settings, holding the default Lease); this file's managers use short periods and
// their own Lease, and start only the controllers under test.
import { KubeConfig } from '@kubernetes/client-node';
import { eventually, Kubectl, WharfProcess } from '@wharf/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@wharf/client';
import { SimulatedNodes, startControllers, type RunningControllers } from './index.js';

interface Slice {
  metadata: { name: string; labels: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  addressType: string;
  ports?: { name: string; port: number; protocol: string }[];
  endpoints: {
    addresses: string[];
    conditions: { ready: boolean; serving: boolean; terminating: boolean };
    nodeName?: string;
    zone?: string;
    targetRef: { name: string };
  }[];
}
interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase?: string };
}

const TOLERATE_2S = ['unreachable', 'not-ready'].map((k) => ({
  key: `node.kubernetes.io/${k}`,
  operator: 'Exists',
  effect: 'NoExecute',
  tolerationSeconds: 2,
}));

describe('self-healing controllers against wharf up', () => {
  let wharf: WharfProcess;
  let kubectl: Kubectl;
  let kc: KubeConfig;
  let sim: SimulatedNodes;
  const managers: RunningControllers[] = [];

  beforeAll(async () => {
    wharf = await WharfProcess.start();
    kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    sim = new SimulatedNodes({
      kubeConfig: kc,
      count: 3,
      prefix: 'node-',
      zones: ['a', 'b', 'c'],
      podReadyDelayMs: 100,
      heartbeatMs: 1000,
    });
    await sim.start();
    managers.push(
      await startControllers({
        kubeConfig: kc,
        leaderElection: false,
        logger: silentLogger,
        controllers: ['endpoints', 'endpointslice', 'nodelifecycle', 'disruption'],
        nodeLifecycle: { gracePeriodSeconds: 4, monitorPeriodMs: 500, nodeEvictionRate: 10 },
      }),
    );
    kubectl = new Kubectl(wharf.kubeconfig);
  }, 240_000);

  afterAll(async () => {
    for (const m of managers) await m.stop();
    await sim?.stop();
    await wharf?.stop();
  });

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as T;
  const slices = async (): Promise<Slice[]> =>
    (await json<{ items: Slice[] }>(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'])).items;
  const pods = async (): Promise<Pod[]> => (await json<{ items: Pod[] }>(['get', 'pods', '-l', 'app=web'])).items;

  it('lists ready pods in the EndpointSlice and Endpoints, follows readiness, and reports the PDB', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            tolerations: TOLERATE_2S,
            containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }],
          },
        },
      },
    };
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    };
    const pdb = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
    };
    await kubectl.ok(['apply', '-f', '-'], {
      stdin: [deployment, service, pdb].map((o) => JSON.stringify(o)).join('\n'),
    });

    const slice = await eventually(
      async () => {
        const s = await slices();
        return s.length === 1 && s[0]?.endpoints?.length === 3 && s[0].endpoints.every((e) => e.conditions.ready)
          ? s[0]
          : undefined;
      },
      20_000,
      'a slice with 3 ready endpoints',
    );
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slice.metadata.labels['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');
    expect(slice.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Service', name: 'web' });
    expect(new Set(slice.endpoints.map((e) => e.zone))).toEqual(new Set(['a', 'b', 'c']));
    expect(slice.endpoints.every((e) => e.nodeName?.startsWith('node-'))).toBe(true);
    const addresses = await kubectl.ok(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[0].addresses[*].ip}']);
    expect(addresses.split(' ').sort()).toEqual(slice.endpoints.map((e) => e.addresses[0]).sort());

    const pdbStatus = (): Promise<string> =>
      kubectl.ok([
        'get',
        'pdb',
        'web',
        '-o',
        'jsonpath={.status.expectedPods}/{.status.currentHealthy}/{.status.desiredHealthy}/{.status.disruptionsAllowed}/{.status.conditions[0].status}',
      ]);
    await eventually(
      async () => (await pdbStatus()) === '3/3/2/1/True' || undefined,
      10_000,
      'PDB allows 1 disruption',
    );

    // A pod turning not ready leaves the ready endpoints within about a second.
    const victim = slice.endpoints[0]?.targetRef.name ?? '';
    const t0 = Date.now();
    await kubectl.ok([
      'patch',
      'pod',
      victim,
      '--subresource=status',
      '--type=strategic',
      '-p',
      JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False' }] } }),
    ]);
    await eventually(
      async () =>
        (await slices())[0]?.endpoints.find((e) => e.targetRef.name === victim)?.conditions.ready === false ||
        undefined,
      5_000,
      'endpoint not ready',
    );
    const latency = Date.now() - t0;
    expect(latency).toBeLessThan(3_000);
    expect(
      await kubectl.ok(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[0].notReadyAddresses[*].targetRef.name}']),
    ).toBe(victim);
    await eventually(
      async () => (await pdbStatus()) === '3/2/2/0/False' || undefined,
      5_000,
      'PDB allows no disruption',
    );
    await kubectl.ok([
      'patch',
      'pod',
      victim,
      '--subresource=status',
      '--type=strategic',
      '-p',
      JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
    ]);
    await eventually(
      async () => (await slices())[0]?.endpoints.every((e) => e.conditions.ready) || undefined,
      5_000,
      'endpoint ready again',
    );
  }, 240_000);

  it('taints a node that stops heartbeating, evicts its pods onto the others, and untaints it when it returns', async () => {
    sim.stopHeartbeat('node-1');
    const node = await eventually(
      async () => {
        const n = await json<{
          spec: { taints?: { key: string; effect: string }[] };
          status: { conditions: { type: string; status: string; reason: string; message: string }[] };
        }>(['get', 'node', 'node-1']);
        const ready = n.status.conditions.find((c) => c.type === 'Ready');
        return ready?.status === 'Unknown' && (n.spec.taints ?? []).length >= 2
          ? { ready, taints: n.spec.taints ?? [] }
          : undefined;
      },
      15_000,
      'node-1 Unknown and tainted',
    );
    expect(node.ready).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(node.taints).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }),
        expect.objectContaining({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }),
      ]),
    );

    // Its pod is evicted after the 2 s toleration and replaced elsewhere; the evicted one stays
    // Terminating on node-1, which may still run it, until node-1 confirms.
    const evicted = await eventually(
      async () => {
        const p = await pods();
        const live = p.filter((x) => !x.metadata.deletionTimestamp);
        const terminating = p.filter((x) => x.metadata.deletionTimestamp);
        return (
          (live.length === 3 &&
            live.every((x) => x.status.phase === 'Running' && x.spec.nodeName !== 'node-1') &&
            terminating.length === 1 &&
            terminating[0]?.spec.nodeName === 'node-1' &&
            terminating[0]) ||
          undefined
        );
      },
      30_000,
      '3 running pods off node-1, the evicted one Terminating on it',
    );
    await eventually(
      async () => {
        const eps = (await slices())[0]?.endpoints ?? [];
        const live = eps.filter((e) => e.nodeName !== 'node-1');
        // The evicted pod stays listed as terminating and not ready, as upstream's slices do.
        const stale = eps.filter((e) => e.nodeName === 'node-1');
        return (
          (live.length === 3 &&
            live.every((e) => e.conditions.ready) &&
            stale.every((e) => !e.conditions.ready && e.conditions.terminating)) ||
          undefined
        );
      },
      10_000,
      'slice lists the replacements',
    );
    expect(await kubectl.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.status.availableReplicas}'])).toBe('3');
    await eventually(
      async () =>
        (await kubectl.ok([
          'get',
          'pdb',
          'web',
          '-o',
          'jsonpath={.status.currentHealthy}/{.status.disruptionsAllowed}',
        ])) === '3/1' || undefined,
      10_000,
      'PDB healthy again',
    );

    await sim.resumeHeartbeat('node-1');
    await eventually(
      async () => {
        const n = await json<{
          spec: { taints?: unknown[] };
          status: { conditions: { type: string; status: string }[] };
        }>(['get', 'node', 'node-1']);
        const ready = n.status.conditions.find((c) => c.type === 'Ready')?.status;
        if (ready !== 'True' || (n.spec.taints ?? []).length > 0)
          throw new Error(`Ready ${ready}, taints ${JSON.stringify(n.spec.taints)}`);
        return true;
      },
      10_000,
      'node-1 Ready and untainted',
    );
    await eventually(
      async () => ((await pods()).some((x) => x.metadata.name === evicted.metadata.name) ? undefined : true),
      10_000,
      'node-1 confirming the evicted pod gone',
    );
  }, 240_000);

  it('runs controllers only in the manager holding the Lease, and hands over when it stops', async () => {
    const manager = (): Promise<RunningControllers> =>
      startControllers({
        kubeConfig: kc,
        logger: silentLogger,
        controllers: ['scheduler'],
        schedulerName: 'le-test',
        leaderElection: { name: 'le-test' },
      });
    const first = await manager();
    managers.push(first);
    const second = await manager();
    managers.push(second);
    expect([first.leading, second.leading]).toEqual([true, false]);
    expect(
      await kubectl.ok([
        'get',
        'lease',
        '-n',
        'kube-system',
        'le-test',
        '-o',
        'jsonpath={.spec.holderIdentity}/{.spec.leaseDurationSeconds}',
      ]),
    ).toBe(`${first.identity}/15`);
    expect(second.scheduler).toBeUndefined();

    const podFor = (name: string): string =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: { schedulerName: 'le-test', containers: [{ name: 'c', image: 'x' }] },
      });
    await kubectl.ok(['apply', '-f', '-'], { stdin: podFor('le-1') });
    await eventually(
      async () => (await kubectl.ok(['get', 'pod', 'le-1', '-o', 'jsonpath={.spec.nodeName}'])) || undefined,
      10_000,
      'le-1 bound',
    );
    expect(first.scheduler?.stats.scheduled).toBe(1);
    // Through a few renewals the standby stays standby.
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 500));
      expect([first.leading, second.leading]).toEqual([true, false]);
    }

    const stopped = Date.now();
    await first.stop();
    await eventually(() => second.leading || undefined, 15_000, 'the standby leads');
    expect(Date.now() - stopped).toBeLessThan(15_000);
    await kubectl.ok(['apply', '-f', '-'], { stdin: podFor('le-2') });
    await eventually(
      async () => (await kubectl.ok(['get', 'pod', 'le-2', '-o', 'jsonpath={.spec.nodeName}'])) || undefined,
      10_000,
      'le-2 bound',
    );
    expect(second.scheduler?.stats.scheduled).toBe(1);
    expect(
      await kubectl.ok([
        'get',
        'lease',
        '-n',
        'kube-system',
        'le-test',
        '-o',
        'jsonpath={.spec.holderIdentity}/{.spec.leaseTransitions}',
      ]),
    ).toBe(`${second.identity}/1`);
  }, 240_000);
});
