// End to end against a real `wharf up --simulated-nodes 3` (its own controllers, whose
// simulated nodes report pods Running and Ready, and Job pods Succeeded): DaemonSet, StatefulSet
// and Job driven by a real kubectl; then a CronJob run in fake time by an in-process CronJob
// controller on an injected clock.
import { KubeConfig } from '@kubernetes/client-node';
import { eventually, Kubectl, WharfProcess } from '@wharf/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, silentLogger, type Clock } from '@wharf/client';
import { startControllers, type RunningControllers } from './index.js';

interface Obj {
  metadata: {
    name: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    finalizers?: string[];
    annotations?: Record<string, string>;
  };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase?: string; conditions?: { type: string; status: string }[]; succeeded?: number };
}

/** Time stands still until advanced; short timers (work-queue retries) also run in real time. */
class FakeClock implements Clock {
  private timers = new Set<{ at: number; fn: () => void; real: NodeJS.Timeout | undefined }>();
  constructor(private t: number) {}
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const timer: { at: number; fn: () => void; real: NodeJS.Timeout | undefined } = {
      at: this.t + ms,
      fn,
      real: undefined,
    };
    const fire = (): void => {
      if (!this.timers.delete(timer)) return;
      clearTimeout(timer.real);
      fn();
    };
    timer.fn = fire;
    if (ms <= 5_000) timer.real = setTimeout(fire, ms);
    this.timers.add(timer);
    return timer;
  };
  clearTimeout = (h: unknown): void => {
    const timer = h as { real: NodeJS.Timeout | undefined } | undefined;
    clearTimeout(timer?.real);
    this.timers.delete(h as never);
  };
  advance(ms: number): void {
    this.t += ms;
    for (const timer of [...this.timers].sort((a, b) => a.at - b.at)) if (timer.at <= this.t) timer.fn();
  }
}

describe('workload controllers against wharf up --simulated-nodes 3', () => {
  let wharf: WharfProcess;
  let kubectl: Kubectl;
  let kc: KubeConfig;

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--simulated-nodes', '3'] });
    kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    kubectl = new Kubectl(wharf.kubeconfig);
    await eventually(
      async () =>
        (await kubectl.ok(['get', 'nodes', '-o', 'name'])).split('\n').filter(Boolean).length === 3 || undefined,
      20_000,
      '3 nodes',
    );
  }, 240_000);

  afterAll(async () => {
    await wharf?.stop();
  });

  const list = async (kind: string, selector: string): Promise<Obj[]> =>
    (JSON.parse(await kubectl.ok(['get', kind, '-l', selector, '-o', 'json'])) as { items: Obj[] }).items;
  const apply = (o: unknown): Promise<string> => kubectl.ok(['apply', '-f', '-'], { stdin: JSON.stringify(o) });

  it('runs a DaemonSet on every node and rolls out an image update', async () => {
    await apply({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } },
      },
    });
    await kubectl.ok(['rollout', 'status', 'ds/agent', '--timeout=90s']);
    const first = await list('pods', 'app=agent');
    expect(new Set(first.map((p) => p.spec.nodeName))).toEqual(new Set(['sim-0', 'sim-1', 'sim-2']));

    await kubectl.ok(['set', 'image', 'ds/agent', 'a=agent:2']);
    await kubectl.ok(['rollout', 'status', 'ds/agent', '--timeout=90s']);
    await eventually(
      async () => {
        const pods = await list('pods', 'app=agent');
        return (pods.length === 3 && pods.every((p) => p.spec.containers[0]?.image === 'agent:2')) || undefined;
      },
      15_000,
      'three agent:2 pods',
    );
    expect(
      await kubectl.ok([
        'get',
        'ds',
        'agent',
        '-o',
        'jsonpath={.status.desiredNumberScheduled}/{.status.updatedNumberScheduled}/{.status.numberAvailable}',
      ]),
    ).toBe('3/3/3');
    const history = await kubectl.ok(['rollout', 'history', 'ds/agent']);
    expect(history).toMatch(/^1\s/m);
    expect(history).toMatch(/^2\s/m);

    await kubectl.ok(['rollout', 'undo', 'ds/agent']);
    await kubectl.ok(['rollout', 'status', 'ds/agent', '--timeout=90s']);
    await eventually(
      async () => {
        const pods = await list('pods', 'app=agent');
        return (pods.length === 3 && pods.every((p) => p.spec.containers[0]?.image === 'agent:1')) || undefined;
      },
      15_000,
      'three agent:1 pods after undo',
    );
    expect(await kubectl.ok(['rollout', 'history', 'ds/agent'])).toMatch(/^3\s/m);
  }, 240_000);

  it('creates StatefulSet pods in order, each after the previous is Ready, with their claims', async () => {
    const client = new KubeClient(kc);
    const seen: string[] = [];
    const violations: string[] = [];
    const ready = new Set<string>();
    const watch = client.watch<Obj>(
      '/api/v1/namespaces/default/pods',
      { labelSelector: 'app=db' },
      (e) => {
        const name = e.object.metadata.name;
        if (e.type === 'ADDED') {
          const ord = Number(name.split('-').pop());
          if (ord > 0 && !ready.has(`db-${ord - 1}`)) violations.push(`${name} created before db-${ord - 1} was ready`);
          seen.push(name);
        }
        if (e.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready.add(name);
      },
      240_000,
    );
    try {
      await apply({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db' },
        spec: {
          serviceName: 'db',
          replicas: 3,
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: { containers: [{ name: 'db', image: 'db:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      });
      await kubectl.ok(['rollout', 'status', 'sts/db', '--timeout=90s']);
      await eventually(async () => seen.length >= 3 || undefined, 5_000, 'watch saw 3 pods');
    } finally {
      watch.abort();
      client.close();
    }
    expect(seen.slice(0, 3)).toEqual(['db-0', 'db-1', 'db-2']);
    expect(violations).toEqual([]);
    const pvcs = (await list('pvc', 'app=db')).map((p) => p.metadata.name).sort();
    expect(pvcs).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);
    expect(
      await kubectl.ok([
        'get',
        'pod',
        'db-1',
        '-o',
        'jsonpath={.spec.hostname}.{.spec.subdomain} {.spec.volumes[0].persistentVolumeClaim.claimName}',
      ]),
    ).toBe('db-1.db data-db-1');

    await kubectl.ok(['set', 'image', 'sts/db', 'db=db:2']);
    await kubectl.ok(['rollout', 'status', 'sts/db', '--timeout=90s']);
    const pods = await list('pods', 'app=db');
    expect(pods.map((p) => p.spec.containers[0]?.image)).toEqual(['db:2', 'db:2', 'db:2']);

    await kubectl.ok(['scale', 'sts/db', '--replicas=1']);
    await eventually(
      async () => (await list('pods', 'app=db')).length === 1 || undefined,
      20_000,
      'scaled down to db-0',
    );
    expect((await list('pvc', 'app=db')).length).toBe(3);
  }, 240_000);

  it('runs a Job with completions 3 and parallelism 2 to completion', async () => {
    await apply({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi' },
      spec: {
        completions: 3,
        parallelism: 2,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } },
      },
    });
    await kubectl.ok(['wait', '--for=condition=complete', 'job/pi', '--timeout=90s']);
    expect(
      await kubectl.ok(['get', 'job', 'pi', '-o', 'jsonpath={.status.succeeded}/{.status.failed}/{.status.active}']),
    ).toMatch(/^3\/(0)?\/(0)?$/);
    const pods = await list('pods', 'job-name=pi');
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => p.status.phase === 'Succeeded' && !(p.metadata.finalizers ?? []).length)).toBe(true);
  }, 240_000);

  it('runs a CronJob every minute in fake time, honouring Forbid and the history limit', async () => {
    const T0 = Date.parse('2031-01-01T00:00:00Z');
    const clock = new FakeClock(T0 + 30_000);
    let controllers: RunningControllers | undefined;
    try {
      // Beside wharf's own manager, not in its election: a 2031 clock would find its Lease expired.
      controllers = await startControllers({
        kubeConfig: kc,
        controllers: ['cronjob'],
        clock,
        leaderElection: false,
        logger: silentLogger,
      });
      // Suspended while its last schedule time moves to fake time, so wharf's own CronJob
      // controller (on the real clock) finds nothing due until 2031.
      await apply({
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'tick' },
        spec: {
          schedule: '* * * * *',
          suspend: true,
          concurrencyPolicy: 'Forbid',
          successfulJobsHistoryLimit: 2,
          jobTemplate: {
            spec: {
              template: {
                metadata: { annotations: { 'sim.wharf.dev/complete-after-ms': '2500' } },
                spec: { restartPolicy: 'Never', containers: [{ name: 't', image: 'tick' }] },
              },
            },
          },
        },
      });
      await kubectl.ok([
        'patch',
        'cronjob',
        'tick',
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status: { lastScheduleTime: '2031-01-01T00:00:00Z' } }),
      ]);
      await kubectl.ok(['patch', 'cronjob', 'tick', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
      const jobs = async (): Promise<string[]> =>
        (JSON.parse(await kubectl.ok(['get', 'jobs', '-o', 'json'])) as { items: Obj[] }).items
          .map((j) => j.metadata.name)
          .filter((n) => n.startsWith('tick-'))
          .sort();
      const nameAt = (minute: number): string => `tick-${(T0 + minute * 60_000) / 60_000}`;

      clock.advance(31_000);
      await eventually(async () => (await jobs()).includes(nameAt(1)) || undefined, 10_000, 'job of minute 1');
      clock.advance(60_000);
      await eventually(
        async () =>
          (
            await kubectl.ok([
              'get',
              'events',
              '--field-selector',
              'reason=JobAlreadyActive,involvedObject.name=tick',
              '-o',
              'name',
            ])
          ).trim() || undefined,
        10_000,
        'JobAlreadyActive',
      );
      expect(await jobs()).toEqual([nameAt(1)]);
      await kubectl.ok(['wait', '--for=condition=complete', `job/${nameAt(1)}`, '--timeout=90s']);

      for (const minute of [3, 4, 5]) {
        clock.advance(60_000);
        await eventually(
          async () => (await jobs()).includes(nameAt(minute)) || undefined,
          10_000,
          `job of minute ${minute}`,
        );
        await kubectl.ok(['wait', '--for=condition=complete', `job/${nameAt(minute)}`, '--timeout=90s']);
      }
      await eventually(
        async () => ((await jobs()).join() === [nameAt(4), nameAt(5)].join() ? true : undefined),
        10_000,
        'history trimmed to 2',
      );
      expect(await kubectl.ok(['get', 'cronjob', 'tick', '-o', 'jsonpath={.status.lastScheduleTime}'])).toBe(
        '2031-01-01T00:05:00Z',
      );

      await kubectl.ok(['create', 'job', 'manual', '--from=cronjob/tick']);
      await kubectl.ok(['wait', '--for=condition=complete', 'job/manual', '--timeout=90s']);
      expect(
        await kubectl.ok([
          'get',
          'job',
          'manual',
          '-o',
          'jsonpath={.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate}',
        ]),
      ).toBe('manual');
    } finally {
      await controllers?.stop();
    }
  }, 240_000);
});
