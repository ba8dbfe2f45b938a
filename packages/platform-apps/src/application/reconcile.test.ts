// reconcileApplication against a small simulated cluster: its actions are applied to in-memory
// objects, Deployments get pods whose health the test decides, and time is a number.
import type { KubernetesObject, V1ConfigMap, V1Deployment, V1Ingress, V1Pod, V1Service } from '@kubernetes/client-node';
import { beforeEach, describe, expect, it } from 'vitest';
import { reconcileConfigSet } from '../configset/reconcile.js';
import { SERVING } from '../common/labels.js';
import { ANNOTATIONS, type Application, type ApplicationRevision, type ConfigSet, LABELS } from '../types.js';
import type { SecretInfo } from './inputs.js';
import { reconcileApplication, type AppAction } from './reconcile.js';

type Health = 'ready' | 'unready' | 'crash';

class World {
  now = Date.parse('2026-12-05T10:00:00Z');
  app: Application;
  revisions: ApplicationRevision[] = [];
  configSets = new Map<string, ConfigSet>();
  configMaps: V1ConfigMap[] = [];
  secrets = new Map<string, SecretInfo>();
  snapshots: string[] = [];
  deployments: V1Deployment[] = [];
  services: V1Service[] = [];
  ingresses: V1Ingress[] = [];
  mirrors: V1ConfigMap[] = [];
  pods: V1Pod[] = [];
  events: string[] = [];
  reloads: string[] = [];
  /** The pods told to re-read their in-place files, and what the mirror held then. */
  refreshed: string[] = [];
  applied: KubernetesObject[] = [];
  /** Health of the pods of a revision. */
  health: (revision: number) => Health = () => 'ready';
  delivery: 'initCopy' | 'imageVolume' = 'initCopy';
  private readonly podCounts = new Map<string, number>();

  constructor(app: Application) {
    this.app = app;
  }

  setConfig(name: string, data: Record<string, string>): void {
    const prior = this.configSets.get(name);
    let cs: ConfigSet = {
      apiVersion: 'platform.wharf.dev/v1alpha1',
      kind: 'ConfigSet',
      metadata: { name, namespace: 'demo', uid: `cs-${name}` },
      spec: { data },
      status: prior?.status,
    };
    for (const a of reconcileConfigSet(cs, {
      configMaps: this.configMaps.filter((c) => c.metadata?.labels?.[LABELS.configSet] === name),
      pinned: new Set(),
      now: new Date(this.now).toISOString(),
    })) {
      if (a.type === 'createConfigMap') this.configMaps.push(a.configMap);
      if (a.type === 'status') cs = { ...cs, status: a.status };
    }
    this.configSets.set(name, cs);
  }

  /** One reconcile, its actions applied; pods follow their Deployments. */
  sync(): AppAction[] {
    this.syncPods();
    const plan = reconcileApplication(this.app, {
      revisions: this.revisions,
      configSets: this.configSets,
      secrets: this.secrets,
      snapshots: this.snapshots,
      deployments: this.deployments,
      services: this.services,
      ingresses: this.ingresses,
      mirrors: this.mirrors,
      pods: this.pods,
      now: this.now,
      delivery: this.delivery,
      drainMs: 3000,
      urlOf: (h, p) => `http://${h}:8080${p}`,
    });
    for (const a of plan.actions) this.apply(a);
    this.syncPods();
    return plan.actions;
  }

  /** Syncs repeatedly, advancing the clock, until `done` or the time runs out. */
  run(seconds: number, done: () => boolean = () => false): void {
    const end = this.now + seconds * 1000;
    while (this.now < end) {
      this.sync();
      if (done()) return;
      this.now += 500;
    }
  }

  private apply(a: AppAction): void {
    const upsert = <T extends KubernetesObject>(list: T[], o: T): void => {
      const i = list.findIndex((x) => x.metadata?.name === o.metadata?.name);
      if (i >= 0) list[i] = o;
      else list.push(o);
    };
    switch (a.type) {
      case 'apply':
        this.applied.push(a.object);
        if (a.object.kind === 'Deployment') upsert(this.deployments, a.object as V1Deployment);
        if (a.object.kind === 'Service') upsert(this.services, a.object as V1Service);
        if (a.object.kind === 'Ingress') upsert(this.ingresses, a.object as V1Ingress);
        if (a.object.kind === 'ConfigMap') upsert(this.mirrors, a.object as V1ConfigMap);
        return;
      case 'delete': {
        const drop = <T extends KubernetesObject>(l: T[]): T[] => l.filter((x) => x.metadata?.name !== a.name);
        if (a.kind === 'Deployment') this.deployments = drop(this.deployments);
        if (a.kind === 'ApplicationRevision') this.revisions = drop(this.revisions);
        if (a.kind === 'Secret') this.snapshots = this.snapshots.filter((s) => s !== a.name);
        if (a.kind === 'ConfigMap') this.mirrors = drop(this.mirrors);
        return;
      }
      case 'createRevision':
        if (!this.revisions.some((r) => r.metadata?.name === a.revision.metadata?.name))
          this.revisions.push(a.revision);
        return;
      case 'revisionStatus':
        this.revisions = this.revisions.map((r) =>
          r.metadata?.name === a.revision.metadata?.name ? { ...r, status: a.status } : r,
        );
        return;
      case 'snapshotSecret':
        this.snapshots.push(a.snapshot);
        return;
      case 'drainPods':
      case 'servePods':
        for (const p of this.pods)
          if (a.pods.includes(p.metadata?.name ?? ''))
            p.metadata!.labels = { ...p.metadata?.labels, [SERVING]: String(a.type === 'servePods') };
        return;
      case 'refreshPods':
        this.refreshed.push(`${a.configs} (mirror: ${this.mirrors[0]?.data?.['motd.txt']}): ${a.pods.join(' ')}`);
        return;
      case 'rollbackSpec': {
        const annotations = { ...this.app.metadata?.annotations };
        delete annotations[ANNOTATIONS.rollbackTo];
        this.app = { ...this.app, metadata: { ...this.app.metadata, annotations }, spec: a.spec ?? this.app.spec };
        return;
      }
      case 'status':
        this.app = { ...this.app, status: a.status };
        return;
      case 'event':
        this.events.push(`${a.event.reason}: ${a.event.message}`);
        return;
      case 'reload':
        this.reloads.push(
          `${a.configSet} v${a.version}: ${a.calls.map((c) => ('url' in c ? c.url : c.command.join(' '))).join(' ')}`,
        );
        return;
    }
  }

  private nextPod(deployment: string): number {
    const n = this.podCounts.get(deployment) ?? 0;
    this.podCounts.set(deployment, n + 1);
    return n;
  }

  /** Each Deployment has `replicas` pods; a pod's readiness and restarts follow `health`. */
  private syncPods(): void {
    const pods: V1Pod[] = [];
    for (const d of this.deployments) {
      const name = d.metadata?.name ?? '';
      // Scaling down removes drained pods first (their deletion cost), as the ReplicaSet does.
      const mine = this.pods
        .filter((p) => p.metadata?.name?.startsWith(`${name}-`))
        .sort(
          (a, b) =>
            Number(a.metadata?.labels?.[SERVING] === 'false') - Number(b.metadata?.labels?.[SERVING] === 'false'),
        );
      for (let i = 0; i < (d.spec?.replicas ?? 0); i++) {
        const existing = mine[i];
        const rev = Number(d.metadata?.labels?.[LABELS.revision]);
        const h = this.health(rev);
        const pod: V1Pod = existing ?? {
          metadata: { name: `${name}-${this.nextPod(name)}`, labels: { ...d.spec?.template.metadata?.labels } },
          spec: { nodeName: 'node-0', containers: [] },
        };
        // As the node reports image volumes: the digest each reference resolved to.
        const volumeMounts = (d.spec?.template.spec?.volumes ?? [])
          .filter((v) => v.image)
          .map((v) => ({
            name: v.name,
            mountPath: '/www',
            readOnly: true,
            volumeStatus: {
              image: { imageRef: `${v.image?.reference?.replace(/@.*$/, '')}@sha256:${'b'.repeat(64)}` },
            },
          }));
        pod.status = {
          phase: 'Running',
          podIP: `10.0.0.${pods.length + 1}`,
          conditions: [{ type: 'Ready', status: h === 'ready' ? 'True' : 'False' }],
          containerStatuses: [
            {
              name: 'web',
              image: 'busybox:1',
              imageID: 'sha256:' + 'a'.repeat(64),
              ...(volumeMounts.length ? { volumeMounts } : {}),
              ready: h === 'ready',
              restartCount: h === 'crash' ? 2 : 0,
              ...(h === 'crash'
                ? { state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } }
                : {}),
            },
          ],
        } as V1Pod['status'];
        pods.push(pod);
      }
    }
    this.pods = pods;
  }

  condition(type: string): { status?: string; reason?: string; message?: string } | undefined {
    return this.app.status?.conditions?.find((c) => c.type === type);
  }
}

const shop = (extra: Partial<Application['spec']> = {}): Application => ({
  apiVersion: 'platform.wharf.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'shop', namespace: 'demo', uid: 'app-uid', generation: 1 },
  spec: {
    rollout: { analysisSeconds: 10, progressDeadlineSeconds: 30, batchSeconds: 5 },
    components: [
      {
        name: 'web',
        runtime: { image: 'busybox:1', command: ['httpd', '-f', '-p', '8080', '-h', '/www'] },
        artifacts: [{ image: 'shop-site:1', path: '/site', mountPath: '/www' }],
        replicas: 2,
        ports: [{ name: 'http', port: 8080 }],
        expose: { host: 'shop.localhost' },
        config: [
          { configSet: 'shop-settings', as: 'env' },
          { configSet: 'shop-files', as: 'file', mountPath: '/www/conf', update: 'inPlace' },
        ],
      },
    ],
    ...extra,
  },
});

let w: World;
const rolledOut = (n: number) => (): boolean => w.app.status?.revision === n && !w.app.status.rollout;

beforeEach(() => {
  w = new World(shop());
  w.setConfig('shop-settings', { GREETING: 'hello' });
  w.setConfig('shop-files', { 'motd.txt': 'first' });
});

describe('reconcileApplication: first deploy', () => {
  it('makes revision 1, then a Deployment, Service and Ingress with the recommended labels, and reports the URL', () => {
    w.run(60, rolledOut(1));
    expect(w.revisions.map((r) => [r.spec.revision, r.spec.cause, r.status?.phase])).toEqual([
      [1, 'created', 'Active'],
    ]);
    expect(w.revisions[0]?.spec.config).toEqual([
      { configSet: 'shop-settings', version: 1, configMap: 'shop-settings-v1' },
    ]);
    const d = w.deployments[0]!;
    expect(d.metadata?.name).toBe('shop-web-r1');
    expect(d.spec?.replicas).toBe(2);
    expect(d.metadata?.labels).toMatchObject({
      'app.kubernetes.io/name': 'shop',
      'app.kubernetes.io/instance': 'shop',
      'app.kubernetes.io/version': 'r1',
      'app.kubernetes.io/component': 'web',
      'app.kubernetes.io/part-of': 'shop',
      'app.kubernetes.io/managed-by': 'wharf-platform',
    });
    const pod = d.spec?.template.spec;
    expect(pod?.containers[0]?.readinessProbe?.tcpSocket?.port).toBe(8080);
    expect(pod?.containers[0]?.envFrom).toEqual([{ configMapRef: { name: 'shop-settings-v1' } }]);
    expect(pod?.initContainers?.[0]).toMatchObject({
      image: 'shop-site:1',
      command: ['cp', '-a', '/site/.', '/wharf-artifact/'],
    });
    expect(pod?.volumes).toContainEqual({ name: 'config-1', configMap: { name: 'shop-shop-files-live' } });
    expect(w.services[0]?.spec?.selector).toEqual({
      [LABELS.application]: 'shop',
      [LABELS.component]: 'web',
      [SERVING]: 'true',
    });
    expect(w.ingresses[0]?.spec?.rules?.[0]?.host).toBe('shop.localhost');
    expect(w.mirrors[0]?.data).toEqual({ 'motd.txt': 'first' });
    expect(w.app.status).toMatchObject({
      revision: 1,
      url: 'http://shop.localhost:8080/',
      artifactDelivery: 'initCopy',
      components: [{ name: 'web', replicas: 2, readyReplicas: 2 }],
    });
    expect(w.condition('Ready')).toMatchObject({ status: 'True', reason: 'Available' });
    expect(w.condition('Degraded')).toMatchObject({ status: 'False' });
    expect(w.app.status?.images?.[0]).toMatchObject({
      component: 'web',
      role: 'runtime',
      digest: `sha256:${'a'.repeat(64)}`,
    });
  });

  it('copies the artifacts of a component with a file mount inside one (an image volume is read-only), and refuses it when image volumes are asked for', () => {
    w.delivery = 'imageVolume';
    w.run(5);
    expect(w.deployments[0]?.spec?.template.spec?.initContainers?.map((c) => c.name)).toEqual(['copy-artifact-0']);
    expect(w.app.status?.artifactDelivery).toBe('initCopy');
    w = new World(shop({ artifactDelivery: 'imageVolume' }));
    w.setConfig('shop-settings', { GREETING: 'hello' });
    w.setConfig('shop-files', { 'motd.txt': 'first' });
    w.delivery = 'imageVolume';
    w.run(5);
    expect(w.revisions).toEqual([]);
    expect(w.condition('Degraded')).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(w.condition('Degraded')?.message).toBe(
      'component web: ConfigSet shop-files is mounted at /www/conf, inside artifact shop-site:1 at /www: an image volume is read-only; mount it beside the artifact, or use artifactDelivery initCopy or auto',
    );
  });

  it('delivers artifacts as image volumes mounted with subPath when the cluster has them', () => {
    w.delivery = 'imageVolume';
    const web = w.app.spec.components[0]!;
    w.app = {
      ...w.app,
      spec: {
        ...w.app.spec,
        components: [{ ...web, config: [web.config![0]!, { ...web.config![1]!, mountPath: '/etc/shop' }] }],
      },
    };
    w.run(5);
    const spec = w.deployments[0]?.spec?.template.spec;
    expect(spec?.initContainers).toBeUndefined();
    expect(spec?.volumes).toContainEqual({
      name: 'artifact-0',
      image: { reference: 'shop-site:1', pullPolicy: 'IfNotPresent' },
    });
    expect(spec?.containers[0]?.volumeMounts).toContainEqual({
      name: 'artifact-0',
      mountPath: '/www',
      readOnly: true,
      subPath: 'site',
    });
    expect(w.app.status?.artifactDelivery).toBe('imageVolume');
  });

  it('reports a missing ConfigSet or key as Degraded and makes no revision', () => {
    w = new World(shop());
    w.setConfig('shop-files', { 'motd.txt': 'x' });
    w.run(5);
    expect(w.revisions).toEqual([]);
    expect(w.condition('Degraded')).toMatchObject({
      status: 'True',
      reason: 'ConfigSetNotFound',
      message: 'component web: ConfigSet shop-settings does not exist',
    });
    expect(w.events).toEqual(['ConfigSetNotFound: component web: ConfigSet shop-settings does not exist']);
    w.setConfig('shop-settings', { OTHER: '1' });
    w.app.spec.components[0]!.config![0]!.keys = ['GREETING'];
    w.run(5);
    expect(w.condition('Degraded')).toMatchObject({
      reason: 'ConfigKeyNotFound',
      message: 'component web: key GREETING is not in ConfigSet shop-settings (version 1)',
    });
  });

  it('writes nothing on a resync (a controller restart restarts no workload)', () => {
    w.run(60, rolledOut(1));
    w.run(2);
    const actions = w.sync();
    expect(actions.filter((a) => a.type !== 'event')).toEqual([]);
  });

  it('scales in place: replicas are not a new revision', () => {
    w.run(60, rolledOut(1));
    w.app.spec.components[0]!.replicas = 3;
    w.run(2);
    expect(w.revisions).toHaveLength(1);
    expect(w.deployments.map((d) => [d.metadata?.name, d.spec?.replicas])).toEqual([['shop-web-r1', 3]]);
  });
});

describe('reconcileApplication: health-gated rollout', () => {
  beforeEach(() => w.run(60, rolledOut(1)));

  it('rolls a config change out as a new revision: one canary pod, analysis, all pods, then the old pods drain and go', () => {
    w.setConfig('shop-settings', { GREETING: 'hi' });
    w.run(4);
    expect(w.revisions).toHaveLength(1); // batchSeconds: not yet
    w.run(3, () => w.revisions.length === 2);
    expect(w.revisions[1]?.spec).toMatchObject({
      revision: 2,
      cause: 'config shop-settings v2',
      config: [{ configSet: 'shop-settings', version: 2 }],
    });
    w.run(2, () => w.deployments.length === 2);
    expect(w.deployments.map((d) => [d.metadata?.name, d.spec?.replicas])).toEqual([
      ['shop-web-r1', 2],
      ['shop-web-r2', 1],
    ]);
    expect(w.app.status?.rollout?.phase).toBe('Canary');
    expect(w.condition('Progressing')).toMatchObject({ status: 'True' });
    w.run(15, () => w.app.status?.rollout?.phase === 'Promoting');
    // One step (maxSurge 25% of 2 = 1): one old pod leaves the Service, then r1 goes to 1 and r2 to 2.
    w.run(5, () => w.deployments.find((d) => d.metadata?.name === 'shop-web-r2')?.spec?.replicas === 2);
    expect(w.deployments.map((d) => [d.metadata?.name, d.spec?.replicas])).toEqual([
      ['shop-web-r1', 1],
      ['shop-web-r2', 2],
    ]);
    w.run(15, () => w.app.status?.rollout?.phase === 'Finishing');
    // The old pods leave the Service before they go.
    expect(
      w.pods.filter((p) => p.metadata?.labels?.[LABELS.revision] === '1').map((p) => p.metadata?.labels?.[SERVING]),
    ).toEqual(['false']);
    expect(w.deployments).toHaveLength(2);
    w.run(5, rolledOut(2));
    expect(w.deployments.map((d) => d.metadata?.name)).toEqual(['shop-web-r2']);
    expect(w.revisions.map((r) => r.status?.phase)).toEqual(['Superseded', 'Active']);
    expect(w.events.map((e) => e.split(':')[0])).toEqual([
      'RolloutStarted',
      'RolledOut',
      'RolloutStarted',
      'CanaryPassed',
      'RolledOut',
    ]);
  });

  it('promotes in steps after the canary: never more than replicas + maxSurge pods, never fewer than replicas serving', () => {
    for (const [maxSurge, steps] of [
      [1, 4],
      ['50%', 2],
    ] as const) {
      w = new World(shop({ rollout: { analysisSeconds: 10, progressDeadlineSeconds: 30, batchSeconds: 5, maxSurge } }));
      w.app.spec.components[0]!.replicas = 5;
      w.setConfig('shop-settings', { GREETING: 'hello' });
      w.setConfig('shop-files', { 'motd.txt': 'first' });
      w.run(60, rolledOut(1));
      w.setConfig('shop-settings', { GREETING: 'hi' });
      const surge = maxSurge === 1 ? 1 : 3;
      let most = 0;
      let fewest = Infinity;
      const seenSteps = new Set<number>();
      const end = w.now + 300_000;
      while (w.now < end && !rolledOut(2)()) {
        w.sync();
        const live = w.pods.filter((p) => !p.metadata?.deletionTimestamp);
        most = Math.max(most, live.length);
        fewest = Math.min(
          fewest,
          live.filter((p) => p.metadata?.labels?.[SERVING] === 'true' && p.status?.conditions?.[0]?.status === 'True')
            .length,
        );
        if (w.app.status?.rollout?.step) seenSteps.add(w.app.status.rollout.step);
        w.now += 500;
      }
      expect(rolledOut(2)()).toBe(true);
      expect(most).toBeLessThanOrEqual(5 + surge);
      expect(fewest).toBeGreaterThanOrEqual(5);
      expect([...seenSteps]).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
      expect(w.events.find((e) => e.startsWith('CanaryPassed'))).toContain(`in ${steps} step(s)`);
    }
  });

  it('a step that fails rolls back and puts the old pods it drained back into the Service', () => {
    w.app.spec.components[0]!.replicas = 4;
    w.run(60, rolledOut(1));
    w.setConfig('shop-settings', { GREETING: 'hi' });
    w.run(60, () => (w.app.status?.rollout?.step ?? 0) >= 2);
    // The new pods of the next step crash: back to revision 1 at full size, all of it serving.
    w.health = (rev) => (rev === 2 ? 'crash' : 'ready');
    w.run(60, () => w.revisions[1]?.status?.phase === 'Failed');
    w.run(10);
    const old = w.pods.filter((p) => p.metadata?.labels?.[LABELS.revision] === '1');
    expect(old.map((p) => p.metadata?.labels?.[SERVING])).toEqual(['true', 'true', 'true', 'true']);
    expect(w.deployments.map((d) => [d.metadata?.name, d.spec?.replicas])).toEqual([['shop-web-r1', 4]]);
    expect(w.condition('Degraded')).toMatchObject({ reason: 'RolledBack' });
  });

  it('batches config edits within batchSeconds into one revision', () => {
    w.setConfig('shop-settings', { GREETING: 'a' });
    w.run(2);
    w.setConfig('shop-settings', { GREETING: 'b' });
    w.run(2);
    w.setConfig('shop-settings', { GREETING: 'c' });
    w.run(60, rolledOut(2));
    expect(w.revisions.map((r) => r.spec.config[0]?.version)).toEqual([1, 4]);
  });

  it('rolls back a canary that never gets Ready, marks the revision Failed, and never applies it again', () => {
    w.health = (rev) => (rev === 2 ? 'unready' : 'ready');
    w.setConfig('shop-settings', { GREETING: 'bad' });
    w.run(60, () => w.revisions[1]?.status?.phase === 'Failed');
    expect(w.deployments.map((d) => d.metadata?.name)).toEqual(['shop-web-r1']);
    expect(w.app.status?.revision).toBe(1);
    expect(w.condition('Degraded')).toMatchObject({ status: 'True', reason: 'RolledBack' });
    expect(w.condition('Degraded')?.message).toMatch(
      /^revision 2 \(config shop-settings v2\) was rolled back to revision 1: 0\/1 pods Ready after 30 s; pod shop-web-r2-0: readiness probe failing$/,
    );
    expect(w.events.filter((e) => /^Rolled|^RollingBack/.test(e))).toHaveLength(3);
    w.run(60);
    expect(w.revisions).toHaveLength(2);
    expect(w.deployments.map((d) => d.metadata?.name)).toEqual(['shop-web-r1']);
    // The next change is a new revision, rolled out normally.
    w.health = () => 'ready';
    w.setConfig('shop-settings', { GREETING: 'good' });
    w.run(90, rolledOut(3));
    expect(w.condition('Degraded')).toMatchObject({ status: 'False' });
  });

  it('rolls back at once when a new pod restarts, naming the pod and the exit code', () => {
    w.health = (rev) => (rev === 2 ? 'crash' : 'ready');
    w.app = {
      ...w.app,
      spec: { ...w.app.spec, components: [{ ...w.app.spec.components[0]!, runtime: { image: 'busybox:2' } }] },
    };
    w.run(10, () => w.app.status?.rollout?.phase === 'RollingBack');
    expect(w.app.status?.rollout?.message).toBe(
      'pod shop-web-r2-0: container web restarted 2 time(s), last exit code 1',
    );
    // The failing pods leave the Service at once.
    expect(
      w.pods
        .filter((p) => p.metadata?.labels?.[LABELS.revision] === '2')
        .every((p) => p.metadata?.labels?.[SERVING] === 'false'),
    ).toBe(true);
    w.run(10, () => w.app.status?.rollout === undefined);
    expect(w.condition('Degraded')).toMatchObject({ reason: 'RolledBack' });
  });

  it('pins artifacts mounted as image volumes by the digest the node reports, and a rollback runs exactly those', () => {
    w = new World(
      shop({ components: [{ ...shop().spec.components[0]!, config: [{ configSet: 'shop-settings', as: 'env' }] }] }),
    );
    w.setConfig('shop-settings', { GREETING: 'hello' });
    w.delivery = 'imageVolume';
    w.run(60, rolledOut(1));
    expect(w.app.status?.artifactDelivery).toBe('imageVolume');
    const pinned = { component: 'web', role: 'artifact-0', image: 'shop-site:1', digest: `sha256:${'b'.repeat(64)}` };
    expect(w.app.status?.images).toContainEqual(pinned);
    w.app = {
      ...w.app,
      spec: {
        ...w.app.spec,
        components: [
          { ...w.app.spec.components[0]!, artifacts: [{ image: 'shop-site:2', path: '/site', mountPath: '/www' }] },
        ],
      },
    };
    w.run(90, rolledOut(2));
    w.app = { ...w.app, metadata: { ...w.app.metadata, annotations: { [ANNOTATIONS.rollbackTo]: '1' } } };
    w.run(90, rolledOut(3));
    expect(w.revisions.find((r) => r.spec.revision === 3)?.spec.images).toContainEqual(pinned);
    expect(w.deployments[0]?.spec?.template.spec?.volumes?.find((v) => v.image)?.image?.reference).toBe(
      `shop-site:1@sha256:${'b'.repeat(64)}`,
    );
  });

  it('a rollback request copies the old revision: spec, images and exact config versions', () => {
    w.setConfig('shop-settings', { GREETING: 'hi' });
    w.app = {
      ...w.app,
      spec: {
        ...w.app.spec,
        components: [
          { ...w.app.spec.components[0]!, artifacts: [{ image: 'shop-site:2', path: '/site', mountPath: '/www' }] },
        ],
      },
    };
    w.run(90, rolledOut(2));
    w.app = { ...w.app, metadata: { ...w.app.metadata, annotations: { [ANNOTATIONS.rollbackTo]: '1' } } };
    w.run(90, rolledOut(3));
    const r3 = w.revisions.find((r) => r.spec.revision === 3)!;
    expect(r3.spec.cause).toBe('rollback to 1');
    expect(r3.spec.config).toEqual([{ configSet: 'shop-settings', version: 1, configMap: 'shop-settings-v1' }]);
    expect(w.app.spec.components[0]?.artifacts?.[0]?.image).toBe('shop-site:1');
    expect(w.app.metadata?.annotations?.[ANNOTATIONS.rollbackTo]).toBeUndefined();
    expect(w.deployments[0]?.spec?.template.spec?.containers[0]?.envFrom).toEqual([
      { configMapRef: { name: 'shop-settings-v1' } },
    ]);
    // The images revision 1 ran, by digest: a tag moved since then changes nothing.
    expect(r3.spec.images).toContainEqual({
      component: 'web',
      role: 'runtime',
      image: 'busybox:1',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    expect(w.deployments[0]?.spec?.template.spec?.containers[0]?.image).toBe(`busybox:1@sha256:${'a'.repeat(64)}`);
    w.run(10);
    expect(w.revisions).toHaveLength(3); // pinned to the old config until the config changes again
    w.setConfig('shop-settings', { GREETING: 'again' });
    w.run(90, rolledOut(4));
    expect(w.revisions.at(-1)?.spec.config[0]?.version).toBe(3);
  });

  it('updates an inPlace file through the mirror after batchSeconds, without a new revision', () => {
    // An edit not yet published keeps the mirror as it is.
    const cs = w.configSets.get('shop-files')!;
    w.configSets.set('shop-files', { ...cs, spec: { data: { 'motd.txt': 'unpublished' } } });
    w.sync();
    expect(w.mirrors[0]?.data).toEqual({ 'motd.txt': 'first' });
    w.setConfig('shop-files', { 'motd.txt': 'second' });
    w.run(3);
    expect(w.mirrors[0]?.data).toEqual({ 'motd.txt': 'first' });
    w.run(3);
    expect(w.mirrors[0]?.data).toEqual({ 'motd.txt': 'second' });
    // Once the mirror holds it, the running pods are told to re-read their files (a pod update).
    expect(w.refreshed).toEqual([`shop-files v2 (mirror: second): ${w.pods.map((p) => p.metadata?.name).join(' ')}`]);
    expect(w.revisions).toHaveLength(1);
    expect(w.deployments.map((d) => d.metadata?.name)).toEqual(['shop-web-r1']);
  });

  it('calls the reload of an inPlace reference on every Ready pod delaySeconds after the mirror changed, once', () => {
    const web = w.app.spec.components[0]!;
    w.app = {
      ...w.app,
      spec: {
        ...w.app.spec,
        components: [
          {
            ...web,
            config: [
              web.config![0]!,
              { ...web.config![1]!, reload: { httpGet: { path: '/-/reload', port: 8080 }, delaySeconds: 3 } },
            ],
          },
        ],
      },
    };
    w.run(120, rolledOut(2));
    expect(w.reloads).toEqual([]); // the first mirror is not a change: the pods start with it
    w.setConfig('shop-files', { 'motd.txt': 'second' });
    w.run(60, () => w.mirrors[0]?.data?.['motd.txt'] === 'second');
    const changedAt = w.now;
    expect(w.app.status?.reloads).toMatchObject([{ configSet: 'shop-files', version: 2 }]);
    w.run(10, () => w.reloads.length > 0);
    expect(w.now - changedAt).toBeGreaterThanOrEqual(3000);
    expect(w.reloads).toEqual([
      `shop-files v2: ${w.pods.map((p) => `http://${p.status?.podIP}:8080/-/reload`).join(' ')}`,
    ]);
    expect(w.pods).toHaveLength(2);
    w.run(10);
    expect(w.reloads).toHaveLength(1);
    expect(w.app.status?.reloads).toBeUndefined();
  });

  it('keeps revisionHistoryLimit revisions', () => {
    w.app.spec.revisionHistoryLimit = 2;
    ['a', 'b', 'c'].forEach((g, i) => {
      w.setConfig('shop-settings', { GREETING: g });
      w.run(90, rolledOut(i + 2));
    });
    expect(w.revisions.map((r) => r.spec.revision)).toEqual([3, 4]);
  });
});

describe('reconcileApplication: secrets', () => {
  it('pins a snapshot of the Secret and mounts it, never putting values in status', () => {
    w.app.spec.components[0]!.secrets = [
      { secret: 'shop-secrets', as: 'env' },
      { secret: 'shop-secrets', as: 'file', mountPath: '/run/secrets' },
    ];
    w.secrets.set('shop-secrets', { hash: 'f'.repeat(64), keys: ['TOKEN'] });
    w.run(60, rolledOut(1));
    expect(w.snapshots).toEqual(['shop-shop-secrets-ffffffffff']);
    const spec = w.deployments[0]?.spec?.template.spec;
    expect(spec?.containers[0]?.envFrom).toContainEqual({ secretRef: { name: 'shop-shop-secrets-ffffffffff' } });
    expect(spec?.volumes).toContainEqual({ name: 'secret-1', secret: { secretName: 'shop-shop-secrets-ffffffffff' } });
    w.secrets.set('shop-secrets', { hash: 'e'.repeat(64), keys: ['TOKEN'] });
    w.run(90, rolledOut(2));
    expect(w.revisions[1]?.spec.cause).toBe('secret');
  });

  it('reports a missing Secret as Degraded', () => {
    w.app.spec.components[0]!.secrets = [{ secret: 'nope', as: 'env' }];
    w.run(3);
    expect(w.condition('Degraded')).toMatchObject({
      reason: 'SecretNotFound',
      message: 'component web: Secret nope does not exist',
    });
  });
});
