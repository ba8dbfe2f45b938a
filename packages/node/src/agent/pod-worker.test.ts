// The pod worker's states against an in-memory runtime, API client and event recorder: no root,
// no runc. The decisions themselves are tested in pod-actions.test.ts.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { captureLogger, manualClock, type ManualClock } from '@wharf/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NotFoundError } from '../runtime/errors.js';
import { sandboxId, type ContainerRuntime } from '../runtime/runtime.js';
import type { ContainerConfig, ContainerStatus, PodSandbox, PodSandboxConfig } from '../runtime/types.js';
import type { EventRecorder, KubeClient } from '@wharf/client';
import type { ImageProvider } from './image-provider.js';
import { ImagePullError } from './image-provider.js';
import { PodWorker, type PodWorkerOptions } from './pod-worker.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/** Sandboxes and containers as records; a started container runs until stopped or `exit()`. */
class FakeRuntime implements Partial<ContainerRuntime> {
  readonly kind = 'runc' as const;
  readonly sandboxes = new Map<string, PodSandbox>();
  readonly containers = new Map<string, ContainerStatus>();
  readonly stops: { id: string; grace: number }[] = [];
  readonly configs = new Map<string, ContainerConfig>();
  /** listContainers calls: each sync makes at least one. */
  lists = 0;
  constructor(private readonly now: () => number) {}
  private at(): string {
    return new Date(this.now()).toISOString();
  }
  runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
    const id = sandboxId(config);
    const s: PodSandbox = {
      id,
      config,
      state: 'ready',
      netnsName: id,
      netnsPath: `/run/netns/${id}`,
      ip: '10.0.0.5',
      createdAt: this.at(),
      logDir: '/logs',
    };
    this.sandboxes.set(id, s);
    return Promise.resolve(s);
  }
  podSandboxStatus(id: string): Promise<PodSandbox> {
    const s = this.sandboxes.get(id);
    return s ? Promise.resolve(s) : Promise.reject(new NotFoundError('sandbox', id));
  }
  stopPodSandbox(id: string): Promise<void> {
    const s = this.sandboxes.get(id);
    if (s) this.sandboxes.set(id, { ...s, state: 'notready' });
    for (const c of this.containers.values()) if (c.sandboxId === id && c.state === 'running') this.exit(c.id, 137);
    return Promise.resolve();
  }
  removePodSandbox(id: string): Promise<void> {
    this.sandboxes.delete(id);
    for (const c of [...this.containers.values()]) if (c.sandboxId === id) this.containers.delete(c.id);
    return Promise.resolve();
  }
  createContainer(sandbox: string, config: ContainerConfig): Promise<string> {
    const id = `${sandbox}-${config.name}-${config.attempt ?? 0}`;
    this.configs.set(id, config);
    this.containers.set(id, {
      id,
      sandboxId: sandbox,
      name: config.name,
      attempt: config.attempt ?? 0,
      state: 'created',
      createdAt: this.at(),
      logPath: `/logs/${id}`,
    });
    return Promise.resolve(id);
  }
  startContainer(id: string): Promise<void> {
    this.containers.set(id, { ...this.containers.get(id)!, state: 'running', startedAt: this.at() });
    return Promise.resolve();
  }
  containerStatus(id: string): Promise<ContainerStatus> {
    const c = this.containers.get(id);
    return c ? Promise.resolve(c) : Promise.reject(new NotFoundError('container', id));
  }
  listContainers(filter?: { readonly sandboxId?: string }): Promise<ContainerStatus[]> {
    this.lists++;
    return Promise.resolve(
      [...this.containers.values()].filter((c) => !filter?.sandboxId || c.sandboxId === filter.sandboxId),
    );
  }
  stopContainer(id: string, grace: number): Promise<void> {
    this.stops.push({ id, grace });
    if (this.containers.get(id)?.state === 'running') this.exit(id, 143);
    return Promise.resolve();
  }
  removeContainer(id: string): Promise<void> {
    this.containers.delete(id);
    return Promise.resolve();
  }
  exit(id: string, exitCode: number): void {
    if (!this.containers.has(id)) throw new Error(`no container ${id}`);
    this.containers.set(id, {
      ...this.containers.get(id)!,
      state: 'exited',
      exitCode,
      finishedAt: this.at(),
      reason: exitCode ? 'Error' : 'Completed',
    });
  }
  running(): string[] {
    return [...this.containers.values()].filter((c) => c.state === 'running').map((c) => c.id);
  }
}

describe('PodWorker', () => {
  let now = T0;
  let runtime: FakeRuntime;
  let podsDir: string;
  let patches: { path: string; body: { status: { phase: string } } }[];
  let deletes: string[];
  let events: string[];
  let finished: string[];
  /** Warnings and errors the workers logged: none in a test that expects everything to go well. */
  let log: ReturnType<typeof captureLogger>;
  const workers: PodWorker[] = [];

  beforeEach(async () => {
    now = T0;
    runtime = new FakeRuntime(() => now);
    podsDir = await mkdtemp(path.join(os.tmpdir(), 'wharf-pod-worker-'));
    patches = [];
    deletes = [];
    events = [];
    finished = [];
    log = captureLogger('warn');
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    expect(log.lines).toEqual([]);
    await rm(podsDir, { recursive: true, force: true });
  });

  const client = {
    patch: (p: string, body: never) => (patches.push({ path: p, body }), Promise.resolve({})),
    delete: (p: string) => (deletes.push(p), Promise.resolve({})),
    getOptional: () => Promise.resolve(undefined),
  } as unknown as KubeClient;
  const recorder = {
    emit: (_t: unknown, _type: string, reason: string) => void events.push(reason),
    forget: () => {},
  } as unknown as EventRecorder;
  const pod = (spec: Partial<V1PodSpec>, extra: Partial<V1Pod> = {}): V1Pod => ({
    metadata: { name: 'p', namespace: 'ns', uid: 'aaaabbbbccccdddd-1' },
    spec: {
      terminationGracePeriodSeconds: 5,
      containers: [{ name: 'a', image: 'busybox:1', command: ['sh'] }],
      ...spec,
    },
    ...extra,
  });
  const present: ImageProvider = {
    ensure: () =>
      Promise.resolve({ rootfs: '/nonexistent', config: { cmd: ['sh'] }, imageID: 'img@sha256:1', pulled: false }),
  };
  const worker = (p: V1Pod, images: ImageProvider = present, extra: Partial<PodWorkerOptions> = {}): PodWorker => {
    const w = new PodWorker(p, {
      nodeName: 'n1',
      hostIP: '127.0.0.1',
      runtime: runtime as unknown as ContainerRuntime,
      images,
      client,
      events: recorder,
      config: { configMap: () => Promise.resolve(undefined), secret: () => Promise.resolve(undefined) },
      podsDir,
      backoff: { baseMs: 10_000, maxMs: 300_000 },
      syncIntervalMs: 3_600_000, // syncs only when the test asks
      clock: () => now,
      logger: log.logger,
      onFinished: (uid) => finished.push(uid),
      ...extra,
    });
    workers.push(w);
    return w;
  };
  const sync = async (w: PodWorker): Promise<void> => {
    w.kick();
    await w.settled();
  };
  const lastPhase = (): string | undefined => patches.at(-1)?.body.status.phase;

  it('Syncing: creates the sandbox, starts the container, reports Running', async () => {
    const w = worker(pod({}));
    await sync(w);
    expect(w.state).toEqual({ kind: 'Syncing' });
    expect(runtime.running()).toEqual(['wharf-aaaabbbbccccdddd-a-0']);
    expect(lastPhase()).toBe('Running');
    expect(events).toEqual(['Pulled', 'Created', 'Started']);
  });

  it('a pod that completes goes Terminating → Terminated, keeps its stopped sandbox and starts nothing again', async () => {
    const w = worker(
      pod({
        restartPolicy: 'OnFailure',
        containers: [
          { name: 'a', image: 'busybox:1' },
          { name: 'b', image: 'busybox:1' },
        ],
      }),
    );
    await sync(w);
    runtime.exit('wharf-aaaabbbbccccdddd-a-0', 0);
    await sync(w);
    expect(w.state.kind).toBe('Syncing');
    runtime.exit('wharf-aaaabbbbccccdddd-b-0', 0);
    await sync(w);
    expect(w.state).toEqual({ kind: 'Terminated', phase: 'Succeeded', finished: false });
    expect(runtime.sandboxes.get('wharf-aaaabbbbccccdddd')?.state).toBe('notready');
    expect(lastPhase()).toBe('Succeeded');
    now += 3_600_000;
    await sync(w);
    expect(runtime.containers.size).toBe(2);
    expect(finished).toEqual([]);
    // Deleted later (kubectl run --rm): nothing to stop, everything removed, the deletion confirmed.
    const p = w.current;
    w.update({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date(now), deletionGracePeriodSeconds: 30 } });
    await w.settled();
    expect(w.state).toEqual({ kind: 'Terminated', phase: 'Succeeded', finished: true });
    expect(runtime.sandboxes.size + runtime.containers.size).toBe(0);
    expect(deletes).toEqual(['/api/v1/namespaces/ns/pods/p']);
    expect(finished).toHaveLength(1);
  });

  it('graceful deletion: stops the containers within the deletion grace period, removes everything, confirms to the API', async () => {
    const p = pod({});
    const w = worker(p);
    await sync(w);
    w.update({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date(now), deletionGracePeriodSeconds: 3 } });
    await w.settled();
    expect(w.state).toEqual({ kind: 'Terminated', finished: true });
    expect(runtime.stops).toEqual([{ id: 'wharf-aaaabbbbccccdddd-a-0', grace: 3 }]);
    expect(runtime.sandboxes.size).toBe(0);
    expect(deletes).toEqual(['/api/v1/namespaces/ns/pods/p']);
    expect(finished).toEqual(['aaaabbbbccccdddd-1']);
    expect(events.at(-1)).toBe('Killing');
  });

  it('removed from the API during init: stops the init container, starts no app container, no DELETE', async () => {
    const w = worker(pod({ initContainers: [{ name: 'init', image: 'busybox:1' }] }));
    await sync(w);
    expect(runtime.running()).toEqual(['wharf-aaaabbbbccccdddd-init-0']);
    w.remove();
    await w.settled();
    expect(w.state).toEqual({ kind: 'Terminated', finished: true });
    expect(runtime.stops).toEqual([{ id: 'wharf-aaaabbbbccccdddd-init-0', grace: 2 }]);
    expect(runtime.containers.size).toBe(0);
    expect(deletes).toEqual([]);
    expect(finished).toHaveLength(1);
  });

  it('restarts a crashed container at once, then waits its back-off on the injected clock', async () => {
    const w = worker(pod({}));
    await sync(w);
    runtime.exit('wharf-aaaabbbbccccdddd-a-0', 1);
    await sync(w);
    expect(runtime.running()).toEqual(['wharf-aaaabbbbccccdddd-a-1']);
    runtime.exit('wharf-aaaabbbbccccdddd-a-1', 1);
    await sync(w);
    expect(runtime.running()).toEqual([]);
    expect(events).toContain('BackOff');
    now += 10_000;
    await sync(w);
    expect(runtime.running()).toEqual(['wharf-aaaabbbbccccdddd-a-2']);
    expect(runtime.containers.has('wharf-aaaabbbbccccdddd-a-0')).toBe(false); // the newest two attempts are kept
  });

  it('stop() (agent shutdown) leaves the containers running and syncs no more', async () => {
    const w = worker(pod({}));
    await sync(w);
    await w.stop();
    runtime.exit('wharf-aaaabbbbccccdddd-a-0', 1);
    await sync(w);
    expect(runtime.containers.size).toBe(1);
    expect(w.state).toEqual({ kind: 'Syncing' });
  });

  it('a worker made for a completed pod (agent restart) starts as Terminated and creates nothing', async () => {
    const w = worker(pod({}, { status: { phase: 'Failed' } }));
    expect(w.state).toEqual({ kind: 'Terminated', phase: 'Failed', finished: false });
    await sync(w);
    expect(runtime.sandboxes.size).toBe(0);
    expect(patches).toEqual([]);
  });

  describe('image volumes', () => {
    const site = { name: 'site', image: { reference: 'site:1', pullPolicy: 'IfNotPresent' } };
    const mounting = pod({
      volumes: [site],
      containers: [
        {
          name: 'a',
          image: 'busybox:1',
          volumeMounts: [
            { name: 'site', mountPath: '/www' },
            { name: 'site', mountPath: '/docs', subPath: '.' },
          ],
        },
      ],
    });
    /** An unpacked image: a real directory, as subPath is resolved on disk. */
    const rootfs = (image: string): string => {
      const dir = path.join(podsDir, 'store', image);
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    const lastWaiting = (): unknown =>
      (patches.at(-1)?.body.status as unknown as { containerStatuses?: { state?: { waiting?: unknown } }[] })
        .containerStatuses?.[0]?.state?.waiting;

    it('pulls the volume image with its policy and mounts its root filesystem read-only', async () => {
      const pulls: string[] = [];
      const images: ImageProvider = {
        ensure: (image, policy) => (
          pulls.push(`${image} ${policy}`),
          Promise.resolve({ rootfs: rootfs(image), config: { cmd: ['sh'] }, pulled: false })
        ),
      };
      const w = worker(mounting, images);
      await sync(w);
      expect(pulls).toEqual(['busybox:1 IfNotPresent', 'site:1 IfNotPresent']);
      expect(runtime.configs.get('wharf-aaaabbbbccccdddd-a-0')?.mounts).toEqual([
        { hostPath: path.join(podsDir, 'store/site:1'), containerPath: '/www', readOnly: true },
        { hostPath: path.join(podsDir, 'store/site:1'), containerPath: '/docs', readOnly: true },
      ]);
      expect(runtime.running()).toEqual(['wharf-aaaabbbbccccdddd-a-0']);
    });

    it("pulls the volume image with the pod's pull secrets, as the container image", async () => {
      const secret = {
        metadata: { name: 'regcred' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': 'e30=' },
      };
      const reads: string[] = [];
      const original = client.getOptional;
      Object.assign(client, {
        getOptional: (p: string) => (
          reads.push(p),
          Promise.resolve(p.endsWith('/secrets/regcred') ? secret : undefined)
        ),
      });
      try {
        const seen: string[] = [];
        const images: ImageProvider = {
          ensure: (image, _policy, secrets) => (
            seen.push(`${image} ${secrets.map((x) => x.metadata?.name).join()}`),
            Promise.resolve({ rootfs: rootfs(image), config: {}, pulled: false })
          ),
        };
        await sync(
          worker({ ...mounting, spec: { ...mounting.spec!, imagePullSecrets: [{ name: 'regcred' }] } }, images),
        );
        expect(seen).toEqual(['busybox:1 regcred', 'site:1 regcred']);
        expect(reads).toEqual(['/api/v1/namespaces/ns/secrets/regcred']); // read once for both pulls
      } finally {
        Object.assign(client, { getOptional: original });
      }
    });

    it('a volume image that cannot be pulled: ErrImagePull naming it, then ImagePullBackOff, then a retry', async () => {
      let missing = true;
      const images: ImageProvider = {
        ensure: (image) =>
          image === 'site:1' && missing
            ? Promise.reject(new ImagePullError(image, 'manifest unknown'))
            : Promise.resolve({ rootfs: rootfs(image), config: { cmd: ['sh'] }, pulled: false }),
      };
      const w = worker(mounting, images);
      await sync(w);
      expect(lastWaiting()).toEqual({
        reason: 'ErrImagePull',
        message: 'failed to pull image "site:1": manifest unknown',
      });
      expect(runtime.containers.size).toBe(0);
      await sync(w);
      expect(lastWaiting()).toEqual({
        reason: 'ImagePullBackOff',
        message: 'Back-off pulling image "site:1": failed to pull image "site:1": manifest unknown',
      });
      missing = false;
      now += 10_000;
      await sync(w);
      expect(runtime.running()).toEqual(['wharf-aaaabbbbccccdddd-a-0']);
    });
  });

  describe('wake-ups', () => {
    let mc: ManualClock;
    beforeEach(() => {
      mc = manualClock(T0);
      runtime = new FakeRuntime(() => mc.now());
    });
    /** A worker on the manual clock; `resyncIntervalMs` set: the runtime reports exits (the agent kicks on them). */
    const timed = (p: V1Pod, resyncIntervalMs?: number): PodWorker =>
      worker(p, present, {
        timers: mc,
        clock: () => mc.now(),
        syncIntervalMs: 1000,
        random: () => 0,
        ...(resyncIntervalMs ? { resyncIntervalMs } : {}),
      });
    /** Runs the first sync and the quick follow-up after the start; the pod then runs, idle. */
    const started = async (w: PodWorker): Promise<void> => {
      w.kick();
      await w.settled();
      await mc.advance(100);
      await w.settled();
      expect(lastPhase()).toBe('Running');
    };

    it('event-driven: an idle running pod is not synced until its resync (50-100% of the period), an exit kick syncs at once', async () => {
      const w = timed(pod({ restartPolicy: 'Never' }), 40_000);
      await started(w);
      const lists = runtime.lists;
      await mc.advance(19_000);
      expect(runtime.lists).toBe(lists); // no polling
      await mc.advance(1_000);
      expect(runtime.lists).toBeGreaterThan(lists); // the resync, at 50% of 40 s (random() = 0)
      runtime.exit('wharf-aaaabbbbccccdddd-a-0', 3);
      const before = runtime.lists;
      w.kick(); // what the agent does when conmon's exit file appears
      await w.settled();
      expect(runtime.lists).toBeGreaterThan(before);
      expect(lastPhase()).toBe('Failed');
    });

    it('event-driven: an exit nobody reported is still found by the safety resync', async () => {
      const w = timed(pod({ restartPolicy: 'Never' }), 40_000);
      await started(w);
      runtime.exit('wharf-aaaabbbbccccdddd-a-0', 3);
      await mc.advance(19_000);
      expect(lastPhase()).toBe('Running');
      await mc.advance(1_000);
      await w.settled();
      expect(lastPhase()).toBe('Failed');
    });

    it('event-driven: a crash-loop back-off ends on its own timer, without a kick', async () => {
      const w = timed(pod({}), 60_000);
      await started(w);
      runtime.exit('wharf-aaaabbbbccccdddd-a-0', 1);
      w.kick(); // the first restart is at once
      await w.settled();
      await mc.advance(100);
      expect(runtime.running()).toEqual(['wharf-aaaabbbbccccdddd-a-1']);
      runtime.exit('wharf-aaaabbbbccccdddd-a-1', 1);
      w.kick();
      await w.settled();
      expect(events.at(-1)).toBe('BackOff');
      await mc.advance(9_900);
      expect(runtime.running()).toEqual([]);
      await mc.advance(100); // the back-off's 10 s from the exit
      await w.settled();
      expect(runtime.running()).toEqual(['wharf-aaaabbbbccccdddd-a-2']);
    });

    it('a pod showing a user ConfigMap resyncs on the content refresh period, others on the resync period', async () => {
      const synced = async (p: V1Pod): Promise<number> => {
        const w = worker(p, present, {
          timers: mc,
          clock: () => mc.now(),
          syncIntervalMs: 1000,
          random: () => 1,
          resyncIntervalMs: 60_000,
          contentRefreshIntervalMs: 20_000,
        });
        await started(w);
        const lists = runtime.lists;
        await mc.advance(20_000);
        await w.stop();
        return runtime.lists - lists;
      };
      const client0 = client.getOptional;
      Object.assign(client, { getOptional: () => Promise.resolve({ data: { k: 'v' } }) });
      try {
        expect(await synced(pod({}))).toBe(0);
        expect(
          await synced(
            pod(
              { volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }] },
              { metadata: { name: 'q', namespace: 'ns', uid: 'eeeeffff00001111-2' } },
            ),
          ),
        ).toBeGreaterThan(0);
      } finally {
        Object.assign(client, { getOptional: client0 });
      }
    });

    /**
     * A started worker of a pod showing a user ConfigMap, whose content resync is `refreshMs`;
     * `reads()` counts the agent's reads of the ConfigMap. Restores the client afterwards.
     */
    const withConfigMapReads = async (
      refreshMs: number,
      body: (w: PodWorker, p: V1Pod, reads: () => number) => Promise<void>,
    ): Promise<void> => {
      let reads = 0;
      const client0 = client.getOptional;
      Object.assign(client, { getOptional: () => (reads++, Promise.resolve({ data: { k: 'v' } })) });
      try {
        const p = pod({ volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }] });
        const w = worker(p, present, {
          timers: mc,
          clock: () => mc.now(),
          syncIntervalMs: 1000,
          random: () => 1,
          resyncIntervalMs: 60_000,
          contentRefreshIntervalMs: refreshMs,
        });
        await started(w);
        await body(w, p, () => reads);
        await w.stop();
      } finally {
        Object.assign(client, { getOptional: client0 });
      }
    };

    it('a pod kicked every second (status writes, probes) still re-reads its ConfigMap on the content refresh period', async () => {
      // The agent's ConfigMap reads are reused for a second of wall time: move it with the manual clock.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(mc.now());
      try {
        await withConfigMapReads(3_000, async (w, _p, reads) => {
          const before = reads();
          for (let i = 0; i < 7; i++) {
            await mc.advance(1_000);
            vi.setSystemTime(mc.now());
            w.kick();
            await w.settled();
          }
          expect(reads() - before).toBeGreaterThanOrEqual(2); // at 3 s and 6 s, whatever the kicks
        });
      } finally {
        vi.useRealTimers();
      }
    });

    it('re-reads its ConfigMap at once, not from a shared read, when its annotations change (the platform after an inPlace change)', async () => {
      await withConfigMapReads(60_000, async (w, p, reads) => {
        const before = reads();
        w.update({
          ...p,
          metadata: { ...p.metadata, annotations: { 'platform.wharf.dev/config-refreshed': 'app-config v2' } },
        });
        await w.settled();
        expect(reads()).toBe(before + 1);
      });
    });

    it('polling (a runtime that does not report exits): an exit is found within the sync interval', async () => {
      const w = timed(pod({ restartPolicy: 'Never' }));
      await started(w);
      runtime.exit('wharf-aaaabbbbccccdddd-a-0', 3);
      await mc.advance(1_000);
      await w.settled();
      expect(lastPhase()).toBe('Failed');
    });

    it('a failed sync is retried after the sync interval, also when event-driven', async () => {
      let fail = true;
      const original = client.patch;
      Object.assign(client, {
        patch: (p: string, body: never) => (fail ? Promise.reject(new Error('API down')) : original(p, body)),
      });
      try {
        const w = timed(pod({}), 60_000);
        w.kick();
        await w.settled();
        expect(patches).toEqual([]);
        fail = false;
        await mc.advance(1_000);
        await w.settled();
        expect(lastPhase()).toBe('Running');
        expect(log.lines.map((l) => l.msg)).toEqual(['pod sync failed; retrying']);
        log.lines.length = 0;
      } finally {
        Object.assign(client, { patch: original });
      }
    });
  });
});
