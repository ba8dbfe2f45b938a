// @kubernetes/client-node 1.4.0 against a real Wharf: typed CRUD through CoreV1Api/AppsV1Api, a
// plain Watch from a compacted resourceVersion, and an informer that lives through several watch
// resumes and a 410 Gone.
//
// client-node 1.4.0 means to abort each watch after 30 s, but its watch.ts overwrites that timeout
// signal with the plain abort signal (`requestInit.signal = controller.signal`, fixed upstream in
// kubernetes-client/javascript#2665), so its watches only end when the server ends them. Wharf is
// therefore started with `--watch-timeout 10`: every watch ends after 10 s and the informer resumes
// from its last resourceVersion, as client-node 2.x does every 30 s on its own (the shorter cadence
// only brings the resumes the test waits for sooner). Compaction runs every 500 ms keeping 200
// revisions, so a resume can be made to land on compacted history.
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  ListWatch,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  ADD,
  CONNECT,
  DELETE,
  ERROR,
  UPDATE,
  type V1ConfigMap,
  type V1Deployment,
  type V1Pod,
  type V1Status,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WharfProcess, eventually } from '@wharf/testing';

const WATCH_TIMEOUT_S = 10;
const COMPACT_KEEP = 200;

let wharf: WharfProcess;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  wharf = await WharfProcess.start({
    extraArgs: [
      '--watch-timeout',
      String(WATCH_TIMEOUT_S),
      '--compact-interval',
      '500',
      '--compact-keep',
      String(COMPACT_KEEP),
      '--compact-retention',
      '0',
    ],
  });
  kc = new KubeConfig();
  kc.loadFromFile(wharf.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  for (const name of ['typed', 'history', 'informed']) await core.createNamespace({ body: { metadata: { name } } });
});

afterAll(async () => {
  await wharf?.stop();
});

/** The HTTP status and Kubernetes Status of a failed client-node call. */
async function failure(call: Promise<unknown>): Promise<{ code: number; status: V1Status }> {
  try {
    await call;
  } catch (e) {
    const err = e as { code?: number; body?: unknown };
    const status = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as V1Status;
    return { code: err.code ?? 0, status };
  }
  throw new Error('the call succeeded but should have failed');
}

const rv = (o: { metadata?: { resourceVersion?: string } }): string => o.metadata?.resourceVersion ?? '';

describe('typed CRUD', () => {
  const namespace = 'typed';

  it('configmaps: create, read, replace, stale replace → 409, delete → 404', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'cfg', labels: { app: 'x' } }, data: { a: '1' } },
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);

    const read = await core.readNamespacedConfigMap({ name: 'cfg', namespace });
    expect(read.data).toEqual({ a: '1' });
    expect(rv(read)).toBe(rv(created));

    // Replace with the object as read: the typed model (Dates included) goes back to the server.
    const replaced = await core.replaceNamespacedConfigMap({
      name: 'cfg',
      namespace,
      body: { ...read, data: { a: '2' } },
    });
    expect(replaced.data).toEqual({ a: '2' });
    expect(Number(rv(replaced))).toBeGreaterThan(Number(rv(read)));
    expect(replaced.metadata?.uid).toBe(created.metadata?.uid);
    expect(replaced.metadata?.creationTimestamp?.getTime()).toBe(created.metadata?.creationTimestamp?.getTime());

    const stale = await failure(
      core.replaceNamespacedConfigMap({ name: 'cfg', namespace, body: { ...read, data: { a: '3' } } }),
    );
    expect(stale.code).toBe(409);
    expect(stale.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
    expect(stale.status.message).toContain('the object has been modified');
    expect((await core.readNamespacedConfigMap({ name: 'cfg', namespace })).data).toEqual({ a: '2' });

    const listed = await core.listNamespacedConfigMap({ namespace, labelSelector: 'app=x' });
    expect(listed.items.map((c: V1ConfigMap) => c.metadata?.name)).toEqual(['cfg']);

    await core.deleteNamespacedConfigMap({ name: 'cfg', namespace });
    const missing = await failure(core.readNamespacedConfigMap({ name: 'cfg', namespace }));
    expect(missing.code).toBe(404);
    expect(missing.status.reason).toBe('NotFound');
  });

  it('pods: defaults applied on create, generateName, status Pending without nodes', async () => {
    const pod = await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { generateName: 'worker-' },
        spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '1d'] }] },
      },
    });
    expect(pod.metadata?.name).toMatch(/^worker-[a-z0-9]{5}$/);
    expect(pod.spec?.restartPolicy).toBe('Always');
    expect(pod.spec?.dnsPolicy).toBe('ClusterFirst');
    expect(pod.spec?.terminationGracePeriodSeconds).toBe(30);
    expect(pod.spec?.containers[0]?.imagePullPolicy).toBe('Always');
    const read = await core.readNamespacedPod({ name: pod.metadata?.name ?? '', namespace });
    expect(read.status?.phase).toBe('Pending');
  });

  it('deployments: create, replace the typed object, patch in all three types', async () => {
    const body: V1Deployment = {
      metadata: { name: 'api', labels: { app: 'api' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' } },
          spec: {
            containers: [
              { name: 'c1', image: 'nginx:1', env: [{ name: 'A', value: '1' }] },
              { name: 'c2', image: 'redis:7' },
            ],
          },
        },
      },
    };
    const created = await apps.createNamespacedDeployment({ namespace, body });
    expect(created.metadata?.generation).toBe(1);
    // Defaults the real API applies, as typed values (maxSurge is an IntOrString).
    expect(created.spec?.strategy?.type).toBe('RollingUpdate');
    expect(created.spec?.strategy?.rollingUpdate?.maxSurge).toBe('25%');
    expect(created.spec?.revisionHistoryLimit).toBe(10);

    // The Deployment controller writes status meanwhile, so replace as clients do: read, write,
    // and read again on a 409.
    let read = await apps.readNamespacedDeployment({ name: 'api', namespace });
    let replaced: V1Deployment | undefined;
    for (let attempt = 0; !replaced && attempt < 10; attempt++) {
      try {
        replaced = await apps.replaceNamespacedDeployment({
          name: 'api',
          namespace,
          body: { ...read, spec: { ...read.spec!, replicas: 2 } },
        });
      } catch (e) {
        if ((e as { code?: number }).code !== 409) throw e;
        read = await apps.readNamespacedDeployment({ name: 'api', namespace });
      }
    }
    expect(replaced?.spec?.replicas).toBe(2);
    expect(replaced?.metadata?.generation).toBe(2);
    const stale = await failure(apps.replaceNamespacedDeployment({ name: 'api', namespace, body: read }));
    expect(stale.code).toBe(409);

    const merged = await apps.patchNamespacedDeployment(
      { name: 'api', namespace, body: { spec: { replicas: 3 }, metadata: { labels: { tier: 'web' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.spec?.replicas).toBe(3);
    expect(merged.metadata?.labels).toEqual({ app: 'api', tier: 'web' });

    // Strategic merge: containers merge by name, so c2 stays and c1 keeps its env.
    const strategic = await apps.patchNamespacedDeployment(
      {
        name: 'api',
        namespace,
        body: { spec: { template: { spec: { containers: [{ name: 'c1', image: 'nginx:2' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const containers = strategic.spec?.template.spec?.containers ?? [];
    expect(containers.map((c) => `${c.name}=${c.image}`)).toEqual(['c1=nginx:2', 'c2=redis:7']);
    expect(containers[0]?.env).toEqual([{ name: 'A', value: '1' }]);

    const jsonPatched = await apps.patchNamespacedDeployment(
      {
        name: 'api',
        namespace,
        body: [
          { op: 'test', path: '/spec/replicas', value: 3 },
          { op: 'remove', path: '/metadata/labels/tier' },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(jsonPatched.metadata?.labels).toEqual({ app: 'api' });
    const failedTest = await failure(
      apps.patchNamespacedDeployment(
        { name: 'api', namespace, body: [{ op: 'test', path: '/spec/replicas', value: 9 }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
    expect(failedTest.code).toBe(422);

    await apps.deleteNamespacedDeployment({ name: 'api', namespace });
    await eventually(
      async () => (await failure(apps.readNamespacedDeployment({ name: 'api', namespace }))).code === 404,
      10_000,
      'deployment gone',
    );
  });
});

/** A watch event's object: a Status for ERROR events, else the watched object. */
type EventObject = V1Status & { metadata?: { name?: string; resourceVersion?: string } };

interface WatchOutcome {
  events: { type: string; object: EventObject }[];
  err: unknown;
}

/** Runs a plain Watch until the server closes it or `ms` pass (then aborts it). */
async function watchFor(
  path: string,
  resourceVersion: string,
  ms: number,
): Promise<WatchOutcome & { closedByServer: boolean }> {
  const events: WatchOutcome['events'] = [];
  let closedByServer = false;
  let err: unknown;
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  let aborting = false;
  const controller = await new Watch(kc).watch(
    path,
    { resourceVersion },
    (type, object) => events.push({ type, object: object as EventObject }),
    (e) => {
      err = e;
      closedByServer = !aborting;
      finish();
    },
  );
  const timer = setTimeout(() => {
    aborting = true;
    controller.abort();
  }, ms);
  await finished;
  clearTimeout(timer);
  return { events, err, closedByServer };
}

/** Writes configmap updates in `namespace` until history at or below `revision` is compacted. */
async function compactPast(namespace: string, revision: number): Promise<void> {
  await core
    .createNamespacedConfigMap({ namespace, body: { metadata: { name: 'churn' }, data: { n: '0' } } })
    .catch(() => undefined);
  for (let n = 1; n <= COMPACT_KEEP + 20; n++) {
    await core.patchNamespacedConfigMap(
      { name: 'churn', namespace, body: { data: { n: String(n) } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
  // Compaction runs every 500 ms; a watch from `revision` answers 410 once it has.
  await eventually(
    async () => {
      const w = await watchFor(`/api/v1/namespaces/${namespace}/configmaps`, String(revision), 300);
      return w.events[0]?.type === 'ERROR' ? true : undefined;
    },
    15_000,
    `compaction past revision ${revision}`,
  );
}

describe('plain Watch', () => {
  it('from a compacted resourceVersion: one ERROR event with a 410 Status, then the server closes the stream', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 'history', body: { metadata: { name: 'old' } } });
    await compactPast('history', Number(rv(cm)));

    const w = await watchFor('/api/v1/namespaces/history/configmaps', rv(cm), 5_000);
    expect(w.closedByServer).toBe(true);
    expect(w.err).toBeNull();
    expect(w.events).toHaveLength(1);
    expect(w.events[0]?.type).toBe('ERROR');
    expect(w.events[0]?.object).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: 410,
      reason: 'Expired',
    });
    expect(w.events[0]?.object.message).toContain('too old resource version');
  });

  it('from a recent resourceVersion: replays the changes after it', async () => {
    const a = await core.createNamespacedConfigMap({
      namespace: 'history',
      body: { metadata: { name: 'recent' }, data: { v: '1' } },
    });
    const b = await core.replaceNamespacedConfigMap({
      name: 'recent',
      namespace: 'history',
      body: { ...a, data: { v: '2' } },
    });
    await core.deleteNamespacedConfigMap({ name: 'recent', namespace: 'history' });
    const w = await watchFor('/api/v1/namespaces/history/configmaps', rv(a), 500);
    const seen = w.events.map((e) => `${e.type} ${e.object.metadata?.name}`);
    expect(seen).toEqual(['MODIFIED recent', 'DELETED recent']);
    expect(rv(w.events[0]!.object)).toBe(rv(b));
  });
});

describe('informer on pods', () => {
  const namespace = 'informed';

  it(
    'sees every change exactly once across several watch resumes, and re-lists after a 410',
    { timeout: 150_000 },
    async () => {
      let lists = 0;
      const informer = new ListWatch<V1Pod>(
        `/api/v1/namespaces/${namespace}/pods`,
        new Watch(kc),
        () => {
          lists++;
          return core.listNamespacedPod({ namespace });
        },
        false,
      );
      const seen: string[] = [];
      const errors: unknown[] = [];
      let connects = 0;
      informer.on(ADD, (p) => seen.push(`add ${p.metadata?.name} ${rv(p)}`));
      informer.on(UPDATE, (p) => seen.push(`update ${p.metadata?.name} ${rv(p)}`));
      informer.on(DELETE, (p) => seen.push(`delete ${p.metadata?.name} ${rv(p)}`));
      informer.on(CONNECT, () => connects++);
      informer.on(ERROR, (e) => errors.push(e));
      await informer.start();
      expect(lists).toBe(1);

      const expected: string[] = [];
      // No scheduler picks these pods (schedulerName "none"): only the test's own writes change them.
      const pod = (name: string): V1Pod => ({
        metadata: { name, labels: { gen: '0' } },
        spec: { schedulerName: 'none', containers: [{ name: 'c', image: 'busybox' }] },
      });
      let tick = 0;
      /** One round of writes: create a pod, relabel an older one, delete an older still. */
      const churn = async (): Promise<void> => {
        const i = tick++;
        const c = await core.createNamespacedPod({ namespace, body: pod(`p-${i}`) });
        expected.push(`add p-${i} ${rv(c)}`);
        if (i >= 3) {
          const u = await core.patchNamespacedPod(
            { name: `p-${i - 3}`, namespace, body: { metadata: { labels: { gen: String(i) } } } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
          expected.push(`update p-${i - 3} ${rv(u)}`);
        }
        if (i >= 10) {
          const d = await core.deleteNamespacedPod({ name: `p-${i - 10}`, namespace });
          expected.push(`delete p-${i - 10} ${rv(d)}`);
        }
      };
      const caughtUp = (): Promise<boolean> =>
        eventually(() => seen.length >= expected.length || undefined, 10_000, 'informer to catch up');

      // Phase 1: steady writes (about 20 a second, paced so the run stays small) until the server has
      // ended the informer's watch twice and it has resumed twice.
      while (connects < 3) {
        await churn();
        await new Promise((r) => setTimeout(r, 150));
      }
      for (let n = 0; n < 10; n++) await churn();
      await caughtUp();
      expect(lists).toBe(1); // resumes continue from the last resourceVersion, no re-list
      expect(seen).toEqual(expected);

      // Phase 2: while the informer's watch is idle, other writes push compaction past the last
      // revision it saw; when the server next ends the watch, its resume gets 410 and it re-lists.
      const lastSeen = Number(informer.latestResourceVersion());
      await compactPast(namespace, lastSeen);
      await eventually(() => lists === 2 || undefined, (WATCH_TIMEOUT_S + 10) * 1000, 're-list after 410');
      // `lists` counts the list call; its answer sets the informer's resourceVersion a moment later.
      await eventually(
        () => Number(informer.latestResourceVersion()) > lastSeen || undefined,
        10_000,
        'the re-list answered',
      );
      expect(Number(informer.latestResourceVersion())).toBeGreaterThan(lastSeen);
      expect(seen).toEqual(expected); // the re-list found nothing new, so it reported nothing

      // Phase 3: the informer keeps working after the re-list.
      for (let n = 0; n < 12; n++) await churn();
      await caughtUp();
      expect(seen).toEqual(expected);
      expect(errors).toEqual([]);

      const live = await core.listNamespacedPod({ namespace });
      const cached = informer
        .list(namespace)
        .map((p) => `${p.metadata?.name} ${rv(p)}`)
        .sort();
      expect(cached).toEqual(live.items.map((p) => `${p.metadata?.name} ${rv(p)}`).sort());
      expect(cached.length).toBe(10);
      console.log(`informer: ${expected.length} changes, ${connects} watches, ${lists} lists`);
      await informer.stop();
    },
  );
});
