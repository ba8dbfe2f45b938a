// Performs a pod's actions (pod-actions.ts decides them) against the runtime, the image provider and
// the API: the sandbox, image pulls and their back-off, container starts with postStart hooks,
// kills with preStop hooks, the status write, garbage collection and the final clean-up. It keeps
// what the pod's syncs remember between them (pull failures, image IDs, events already written),
// and chooses nothing about which container runs next.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { sandboxDnsConfig, type ClusterDnsSettings } from '../dns/pod-dns.js';
import { NotFoundError } from '../runtime/errors.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { ContainerStatus, PodSandbox } from '../runtime/types.js';
import type { Limiter } from '../util/limiter.js';
import { buildContainerConfig, ContainerConfigError, containerEnv, type ConfigSource } from './container-config.js';
import type { EventRecorder } from '@wharf/client';
import type { ImageProvider } from './image-provider.js';
import { PodImagePuller } from './image-puller.js';
import { isStatus, type KubeClient } from '@wharf/client';
import {
  eventTarget,
  formatDelay,
  garbageContainers,
  graceSecondsOf,
  podSandboxId,
  type PodAction,
  type Termination,
} from './pod-actions.js';
import { probeTarget, type PodProbes } from './pod-probes.js';
import type { Waiting } from './pod-status.js';
import { runProbe, type ProbeKind } from './probes.js';
import type { BackoffOptions } from './restart.js';
import {
  mountsFor,
  PodVolumesError,
  refreshVolumes,
  setUpVolumes,
  tearDownVolumes,
  type PodVolumes,
} from './volumes.js';

export interface PodExecutorOptions {
  readonly hostIP: string;
  /** Cluster DNS for dnsPolicy ClusterFirst pods. @default none (they get the host's resolv.conf) */
  readonly clusterDns?: ClusterDnsSettings;
  readonly runtime: ContainerRuntime;
  readonly images: ImageProvider;
  readonly client: KubeClient;
  readonly events: EventRecorder;
  readonly config: ConfigSource;
  readonly podsDir: string;
  /** Back-off of image pulls (container restarts are decided in pod-actions.ts). */
  readonly backoff: BackoffOptions;
  /**
   * Shared by the node's workers: how many sandbox set-ups and container creates/starts run at once. @default unlimited
   */
  readonly starts?: Limiter;
  readonly clock: () => number;
  readonly probes: PodProbes;
}

export class PodExecutor {
  private volumes: PodVolumes | undefined;
  private lastStatus = '';
  private readonly puller: PodImagePuller;
  /** Exited containers whose BackOff event was written. */
  private readonly backOffEvents = new Set<string>();
  /** Containers whose OOM kill was reported (or that exited before this executor existed). */
  private readonly oomSeen = new Set<string>();
  private readonly createdAt: number;

  constructor(private readonly options: PodExecutorOptions) {
    this.createdAt = options.clock();
    this.puller = new PodImagePuller(options);
  }

  /** The imageID each image reference resolved to. */
  get imageIDsByImage(): ReadonlyMap<string, string> {
    return this.puller.imageIDs;
  }

  /**
   * The pod's sandbox, undefined when there is none; with `tolerant` (a stopping pod), any runtime
   * error counts as none. A sandbox never set up to the end (not ready and no IP: an agent killed
   * in runPodSandbox) is removed, so the sync makes it again; a stopped one stays.
   */
  async sandboxStatus(pod: V1Pod, tolerant = false): Promise<PodSandbox | undefined> {
    try {
      const sandbox = await this.options.runtime.podSandboxStatus(podSandboxId(pod));
      if (tolerant || sandbox.state === 'ready' || sandbox.ip) return sandbox;
      await this.options.runtime.removePodSandbox(sandbox.id);
      return undefined;
    } catch (e) {
      if (tolerant || e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  /**
   * Performs the actions in order; answers why containers wait (ErrImagePull, CrashLoopBackOff, …),
   * and the sandbox, undefined when it could not be set up (the actions after it are not performed).
   */
  async perform(
    pod: V1Pod,
    sandbox: PodSandbox | undefined,
    actions: readonly PodAction[],
  ): Promise<{ sandbox: PodSandbox | undefined; waiting: Map<string, Waiting> }> {
    const waiting = new Map<string, Waiting>();
    for (const a of actions) {
      if (a.type === 'createSandbox') {
        sandbox = await this.createSandbox(pod);
        if (!sandbox) break;
        continue;
      }
      if (!sandbox)
        throw new Error(
          `pod ${pod.metadata?.namespace}/${pod.metadata?.name}: "${a.type}" needs the sandbox, which is missing`,
        );
      if (a.type === 'start') {
        if (a.previousId) this.backOffEvents.delete(a.previousId);
        await this.start(pod, sandbox, a.container, a.attempt, a.init, waiting);
      } else if (a.type === 'backOff') this.backOff(pod, a.container, a.init, a.exitedId, a.delayMs, waiting);
      else await this.kill(pod, a.container, a.containerId, a.probe);
    }
    return { sandbox, waiting };
  }

  /**
   * Re-projects content volumes into running containers; `force`: now, even if the volume manager
   * refreshed them lately; `fresh`: with new reads of their sources (the pod changed).
   */
  async refreshVolumes(pod: V1Pod, force = false, fresh = false): Promise<void> {
    for (const e of await refreshVolumes(this.options.podsDir, pod, this.options.client, force, fresh))
      this.options.events.emit(eventTarget(pod), 'Warning', 'FailedMount', e.message);
  }

  /** Runs preStop hooks and stops the running containers within the grace period. */
  async terminate(pod: V1Pod, termination: Termination, sandbox: PodSandbox | undefined): Promise<void> {
    this.options.probes.stopAll();
    if (!sandbox) return;
    const { graceSeconds: grace, stop } = termination;
    const deadline = this.options.clock() + grace * 1000;
    await Promise.all(
      stop.map(async (c) => {
        const preStop = c.spec?.lifecycle?.preStop;
        if (c.spec && preStop && grace > 0) {
          const r = await runProbe(
            preStop,
            probeTarget(this.options.runtime, sandbox, c.spec, c.id),
            Math.max(1, Math.floor(grace)),
          );
          if (!r.ok)
            this.options.events.emit(
              eventTarget(pod, c.spec, c.init),
              'Warning',
              'FailedPreStopHook',
              `PreStopHook failed: ${r.message}`,
            );
        }
        if (c.spec)
          this.options.events.emit(
            eventTarget(pod, c.spec, c.init),
            'Normal',
            'Killing',
            `Stopping container ${c.name}`,
          );
        const left = Math.max(0, Math.ceil((deadline - this.options.clock()) / 1000));
        await this.options.runtime.stopContainer(c.id, grace > 0 ? Math.max(1, left) : 0);
      }),
    );
  }

  /** Kills what is left of the sandbox and releases its network (a completed pod's IP is free again). */
  async stopSandbox(pod: V1Pod): Promise<void> {
    await this.options.runtime.stopPodSandbox(podSandboxId(pod));
  }

  /** Removes the sandbox and volumes; with `confirmDeletion`, tells the API server the pod is gone. */
  async cleanUp(pod: V1Pod, confirmDeletion: boolean): Promise<void> {
    const m = pod.metadata ?? {};
    await this.options.runtime.removePodSandbox(podSandboxId(pod));
    await tearDownVolumes(this.options.podsDir, m.uid ?? '', this.options.client);
    if (confirmDeletion) {
      try {
        await this.options.client.delete(`/api/v1/namespaces/${m.namespace}/pods/${m.name}`, {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          gracePeriodSeconds: 0,
          preconditions: { uid: m.uid },
        });
      } catch (e) {
        if (!isStatus(e, 404) && !isStatus(e, 409)) throw e;
      }
    }
    this.options.events.forget(m.uid ?? '');
  }

  /** Writes the status when it differs from the last one written. */
  async writeStatus(pod: V1Pod, status: Record<string, unknown>): Promise<void> {
    const text = JSON.stringify(status);
    if (text === this.lastStatus) return;
    const m = pod.metadata ?? {};
    try {
      await this.options.client.patch(`/api/v1/namespaces/${m.namespace}/pods/${m.name}/status`, { status });
      this.lastStatus = text;
    } catch (e) {
      if (isStatus(e, 404)) return; // deleted meanwhile: the watch says so next
      throw e;
    }
  }

  /** The claims the pod mounts and the node directories they were set up at (kubelet_volume_stats_*). */
  claimVolumes(pod: V1Pod): { namespace: string; claim: string; dir: string }[] {
    const out: { namespace: string; claim: string; dir: string }[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      const claim = v.persistentVolumeClaim?.claimName;
      const mounted = claim ? this.volumes?.get(v.name) : undefined;
      if (claim && mounted) out.push({ namespace: pod.metadata?.namespace ?? '', claim, dir: mounted.hostPath });
    }
    return out;
  }

  /** Keeps the newest two attempts of each container (the previous one serves `logs --previous`). */
  async collectGarbage(containers: readonly ContainerStatus[]): Promise<void> {
    for (const c of garbageContainers(containers)) await this.options.runtime.removeContainer(c.id);
  }

  /**
   * A Warning `OOMKilling` per container the kernel's OOM killer ended (the kubelet leaves this to
   * node-problem-detector); repeats bump the event's count. Exits from before this executor existed
   * (an agent restart) are not reported again.
   */
  reportOomKills(pod: V1Pod, containers: readonly ContainerStatus[]): void {
    for (const c of containers) {
      if (c.reason !== 'OOMKilled' || this.oomSeen.has(c.id)) continue;
      this.oomSeen.add(c.id);
      if (Date.parse(c.finishedAt ?? '') < this.createdAt) continue;
      const init = (pod.spec?.initContainers ?? []).find((s) => s.name === c.name);
      const spec = init ?? (pod.spec?.containers ?? []).find((s) => s.name === c.name);
      const limit = spec?.resources?.limits?.memory;
      this.options.events.emit(
        eventTarget(pod, spec, init !== undefined),
        'Warning',
        'OOMKilling',
        `Memory cgroup out of memory: container ${c.name} was killed${limit ? ` at its memory limit of ${limit}` : ''}`,
      );
    }
  }

  /**
   * Runs a costly runtime step within the node's start limit. The pod the agent took on first goes
   * first: in a burst, each pod's next step goes before the sandboxes of pods behind it, so pods
   * come up one after another instead of all near the end (a queue per step would make every pod
   * wait for every other pod's sandbox before its own container starts).
   */
  private limited<T>(step: () => Promise<T>): Promise<T> {
    return this.options.starts ? this.options.starts.run(step, this.createdAt) : step();
  }

  /** Volumes, DNS and the sandbox; undefined (and FailedMount events) while a volume cannot be set up. */
  private async createSandbox(pod: V1Pod): Promise<PodSandbox | undefined> {
    const m = pod.metadata ?? {};
    const spec = pod.spec;
    const portMappings = (spec?.containers ?? []).flatMap((c) =>
      (c.ports ?? [])
        .filter((p) => p.hostPort)
        .map((p) => ({
          hostPort: p.hostPort!,
          containerPort: p.containerPort,
          protocol: (p.protocol ?? 'TCP').toLowerCase() as 'tcp' | 'udp' | 'sctp',
          ...(p.hostIP ? { hostIP: p.hostIP } : {}),
        })),
    );
    try {
      try {
        this.volumes = await setUpVolumes(this.options.podsDir, pod, this.options.client);
      } catch (e) {
        // The pod waits (ContainerCreating) and the next sync tries again, as the kubelet does.
        if (!(e instanceof PodVolumesError)) throw e;
        for (const f of e.failures)
          this.options.events.emit(
            eventTarget(pod),
            'Warning',
            'FailedMount',
            `MountVolume.SetUp failed for volume "${f.volume}" : ${f.message}`,
          );
        return undefined;
      }
      const dns = await sandboxDnsConfig(spec, m.namespace ?? 'default', this.options.clusterDns);
      return await this.limited(() =>
        this.options.runtime.runPodSandbox({
          uid: m.uid ?? '',
          name: m.name ?? '',
          namespace: m.namespace ?? 'default',
          ...(spec?.hostname ? { hostname: spec.hostname } : {}),
          ...(portMappings.length ? { portMappings } : {}),
          ...(spec?.hostAliases
            ? { hostAliases: spec.hostAliases.map((h) => ({ ip: h.ip, hostnames: h.hostnames ?? [] })) }
            : {}),
          ...(dns ? { dns } : {}),
        }),
      );
    } catch (e) {
      this.options.events.emit(
        eventTarget(pod),
        'Warning',
        'FailedCreatePodSandBox',
        `Failed to create pod sandbox: ${(e as Error).message}`,
      );
      throw e;
    }
  }

  private backOff(
    pod: V1Pod,
    c: V1Container,
    init: boolean,
    exitedId: string,
    delayMs: number,
    waiting: Map<string, Waiting>,
  ): void {
    const m = pod.metadata ?? {};
    waiting.set(c.name, {
      reason: 'CrashLoopBackOff',
      message: `back-off ${formatDelay(delayMs)} restarting failed container=${c.name} pod=${m.name}_${m.namespace}(${m.uid})`,
    });
    if (this.backOffEvents.has(exitedId)) return;
    this.backOffEvents.add(exitedId);
    this.options.events.emit(
      eventTarget(pod, c, init),
      'Warning',
      'BackOff',
      `Back-off restarting failed container ${c.name} in pod ${m.name}_${m.namespace}(${m.uid})`,
    );
  }

  private async kill(pod: V1Pod, c: V1Container, containerId: string, probe: ProbeKind): Promise<void> {
    this.options.probes.forget(containerId);
    this.options.events.emit(
      eventTarget(pod, c),
      'Normal',
      'Killing',
      `Container ${c.name} failed ${probe} probe, will be restarted`,
    );
    await this.options.runtime.stopContainer(containerId, graceSecondsOf(pod));
  }

  /** Pull, create and start one container attempt; a failure leaves a waiting reason. */
  private async start(
    pod: V1Pod,
    sandbox: PodSandbox,
    c: V1Container,
    attempt: number,
    init: boolean,
    waiting: Map<string, Waiting>,
  ): Promise<void> {
    const o = this.options;
    const target = eventTarget(pod, c, init);
    const pulled = await this.puller.pull(pod, c, init, waiting);
    if (!pulled) return;
    let id: string;
    try {
      const env = await containerEnv(pod, c, { podIP: sandbox.ip, hostIP: o.hostIP }, o.config);
      this.volumes ??= await setUpVolumes(o.podsDir, pod, o.client);
      // Image volumes resolve to the image's root filesystem only now that it is pulled.
      const mounts = await mountsFor(
        c,
        pulled.volumes.size ? new Map([...this.volumes, ...pulled.volumes]) : this.volumes,
      );
      const config = buildContainerConfig({ pod, container: c, image: pulled.image, env, mounts, attempt });
      // A container created but never started (agent crash between the two) is made again.
      id = await this.limited(async () => {
        await o.runtime.removeContainer(`${sandbox.id}-${c.name}-${attempt}`);
        return o.runtime.createContainer(sandbox.id, config);
      });
    } catch (e) {
      const reason = e instanceof ContainerConfigError ? 'CreateContainerConfigError' : 'CreateContainerError';
      const message = (e as Error).message;
      o.events.emit(target, 'Warning', 'Failed', `Error: ${message}`);
      waiting.set(c.name, { reason, message });
      return;
    }
    o.events.emit(target, 'Normal', 'Created', `Created container ${c.name}`);
    try {
      await this.limited(() => o.runtime.startContainer(id));
    } catch (e) {
      o.events.emit(target, 'Warning', 'Failed', `Error: ${(e as Error).message}`);
      return;
    }
    o.events.emit(target, 'Normal', 'Started', `Started container ${c.name}`);
    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      const r = await runProbe(postStart, probeTarget(o.runtime, sandbox, c, id), graceSecondsOf(pod) || 30);
      if (!r.ok) {
        o.events.emit(target, 'Warning', 'FailedPostStartHook', r.message);
        o.events.emit(target, 'Normal', 'Killing', `FailedPostStartHook`);
        await o.runtime.stopContainer(id, graceSecondsOf(pod));
      }
    }
  }
}
