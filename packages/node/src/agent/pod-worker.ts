// One pod's worker: every sync of the pod runs here, one at a time (as the kubelet's pod
// workers). A sync compares the spec with what the runtime shows and takes the next step:
// sandbox, init containers in order, app containers, restarts with back-off, probe-driven kills,
// graceful termination; then it writes the status if it changed. Restart counts, last states and
// back-off are derived from the runtime's containers (attempt numbers), so a restarted agent
// picks up where the previous one stopped.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { sandboxDnsConfig, type ClusterDnsSettings } from '../dns/pod-dns.js';
import { NotFoundError } from '../runtime/errors.js';
import { sandboxId, type ContainerRuntime } from '../runtime/runtime.js';
import type { ContainerStatus, PodSandbox } from '../runtime/types.js';
import { buildContainerConfig, ContainerConfigError, containerEnv, type ConfigSource } from './container-config.js';
import type { ImageProvider } from './image-provider.js';
import { type EventRecorder, type EventTarget, isStatus, type KubeClient } from '@wharf/client';
import { podStatus, type ObservedContainer, type Waiting } from './pod-status.js';
import { fetchPullSecrets, missingPullSecretsMessage } from './pull-secrets.js';
import { ProbeWorker, runProbe, type ProbeKind, type ProbeTarget } from './probes.js';
import { backoffDelay, podPhase, shouldRestart, type BackoffOptions, type ContainerPhaseState, type PodPhase, type RestartPolicy } from './restart.js';
import { mountsFor, PodVolumesError, refreshVolumes, setUpVolumes, tearDownVolumes, type PodVolumes } from './volumes.js';
import type { Limiter } from '../util/limiter.js';

export interface PodWorkerDeps {
  readonly nodeName: string;
  readonly hostIP: string;
  /** Cluster DNS for dnsPolicy ClusterFirst pods. @default none (they get the host's resolv.conf) */
  readonly clusterDns?: ClusterDnsSettings;
  readonly runtime: ContainerRuntime;
  readonly images: ImageProvider;
  readonly client: KubeClient;
  readonly events: EventRecorder;
  readonly config: ConfigSource;
  readonly podsDir: string;
  readonly backoff: BackoffOptions;
  /** Resync period (container exits are noticed by polling the runtime). */
  readonly syncIntervalMs: number;
  /** Shared by the node's workers: how many sandbox set-ups and container creates/starts run at once. @default unlimited */
  readonly starts?: Limiter;
  readonly log: (message: string, error?: unknown) => void;
  /** The worker is done with the pod (deleted from the API, everything removed). */
  readonly onFinished: (uid: string) => void;
}

const FAST_SYNC_MS = 100;

export class PodWorker {
  private pod: V1Pod;
  private gone = false;
  private finished = false;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  private pending = false;
  private timer: NodeJS.Timeout | undefined;
  private volumes: PodVolumes | undefined;
  private terminalPhase: PodPhase | undefined;
  private lastStatus = '';
  private readonly probes = new Map<string, ProbeWorker>();
  private readonly ready = new Map<string, boolean>();
  private readonly startupPassed = new Set<string>();
  private readonly unhealthy = new Map<string, ProbeKind>();
  private readonly pullFailures = new Map<string, { count: number; until: number; message: string; backOffReported?: boolean }>();
  private readonly imageIDs = new Map<string, string>();
  private readonly backOffEvents = new Set<string>();
  /** Containers whose OOM kill was reported (or that exited before this worker existed). */
  private readonly oomSeen = new Set<string>();
  private readonly createdAt = Date.now();
  /** Set when the pod's first container started (for the start latency log). */
  runningSince: number | undefined;

  constructor(
    pod: V1Pod,
    private readonly d: PodWorkerDeps,
  ) {
    this.pod = pod;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') this.terminalPhase = phase;
  }

  get uid(): string {
    return this.pod.metadata?.uid ?? '';
  }

  get current(): V1Pod {
    return this.pod;
  }

  update(pod: V1Pod): void {
    this.pod = pod;
    this.kick();
  }

  /** The pod is gone from the API (deleted at once, or while terminal): remove what is left. */
  remove(): void {
    this.gone = true;
    this.kick();
  }

  /** Stops syncing (agent shutdown); containers keep running. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const p of this.probes.values()) p.stop();
    this.probes.clear();
    await this.running;
  }

  /** Schedules a sync; syncs requested while one runs collapse into one more. */
  kick(delayMs = 0): void {
    if (this.stopped || this.finished) return;
    if (delayMs > 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.kick(), delayMs);
      return;
    }
    if (this.pending) return;
    this.pending = true;
    this.running = this.running.then(async () => {
      this.pending = false;
      if (this.stopped || this.finished) return;
      let next = this.d.syncIntervalMs;
      try {
        next = await this.sync();
      } catch (e) {
        this.d.log(`sync of pod ${this.key()} failed`, e);
      }
      if (!this.stopped && !this.finished) this.kick(next);
    });
  }

  private key(): string {
    return `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`;
  }

  private target(c?: V1Container, init = false): EventTarget {
    const m = this.pod.metadata ?? {};
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: m.namespace ?? 'default',
      name: m.name ?? '',
      uid: m.uid ?? '',
      ...(c ? { fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${c.name}}` } : {}),
    };
  }

  private sandboxId(): string {
    const m = this.pod.metadata ?? {};
    return sandboxId({ uid: m.uid ?? '', name: m.name ?? '', namespace: m.namespace ?? '' });
  }

  /** One sync; answers when the next one is due. */
  private async sync(): Promise<number> {
    if (this.gone) {
      await this.killPod(2);
      await this.finish(false);
      return 0;
    }
    if (this.pod.metadata?.deletionTimestamp) {
      await this.terminate();
      return 0;
    }
    const sandbox = await this.ensureSandbox();
    if (!sandbox) return this.d.syncIntervalMs;
    // configMap/secret/downwardAPI/projected content reaches running containers (throttled inside).
    if (this.terminalPhase === undefined) {
      for (const e of await refreshVolumes(this.d.podsDir, this.pod, this.d.client)) this.d.events.emit(this.target(), 'Warning', 'FailedMount', e.message);
    }
    const all = await this.d.runtime.listContainers({ sandboxId: sandbox.id });
    const latest = (name: string): ContainerStatus | undefined => newest(all.filter((c) => c.name === name));
    const policy = (this.pod.spec?.restartPolicy ?? 'Always') as RestartPolicy;
    const terminal = this.terminalPhase !== undefined;
    const waiting = new Map<string, Waiting>();
    let fast = false;
    let nextDue = Infinity;

    // Init containers, in order: each must exit 0 before the next starts.
    let initDone = true;
    let initFailed = false;
    for (const c of this.pod.spec?.initContainers ?? []) {
      const cur = latest(c.name);
      if (cur?.state === 'exited' && cur.exitCode === 0) continue;
      initDone = false;
      if (terminal) break;
      if (!cur) {
        await this.startContainer(sandbox, c, 0, true, waiting);
        fast = true;
      } else if (cur.state !== 'exited') {
        fast = true;
      } else if (policy === 'Never') {
        initFailed = true;
      } else {
        const due = await this.restartIfDue(sandbox, c, cur, true, waiting);
        nextDue = Math.min(nextDue, due);
        fast = true;
      }
      break;
    }

    // App containers.
    const states: ContainerPhaseState[] = [];
    for (const c of this.pod.spec?.containers ?? []) {
      let cur = latest(c.name);
      if (!initDone || terminal) {
        states.push(stateOf(cur));
        continue;
      }
      if (!cur) {
        await this.startContainer(sandbox, c, 0, false, waiting);
        cur = await this.d.runtime.containerStatus(`${sandbox.id}-${c.name}-0`).catch(() => undefined);
        // Exited already (a quick crash): it restarts on the next sync, the pod is not finished.
        states.push(cur?.state === 'exited' && policy !== 'Never' && shouldRestart(policy, cur.exitCode ?? 0) ? { kind: 'restarting' } : stateOf(cur));
        fast = true;
        continue;
      }
      const why = this.unhealthy.get(cur.id);
      if (cur.state === 'running' && why) {
        this.unhealthy.delete(cur.id);
        this.d.events.emit(this.target(c), 'Normal', 'Killing', `Container ${c.name} failed ${why} probe, will be restarted`);
        this.stopProbes(cur.id);
        await this.d.runtime.stopContainer(cur.id, this.graceSeconds());
        cur = await this.d.runtime.containerStatus(cur.id);
      }
      if (cur.state === 'exited') {
        const restart = policy !== 'Never' && (why !== undefined || shouldRestart(policy, cur.exitCode ?? 0));
        if (restart) {
          nextDue = Math.min(nextDue, await this.restartIfDue(sandbox, c, cur, false, waiting));
          states.push({ kind: 'restarting' });
          continue;
        }
      }
      states.push(stateOf(cur));
    }

    let phase: PodPhase = this.terminalPhase ?? podPhase(initDone, initFailed, states);
    if (!this.terminalPhase && (phase === 'Succeeded' || phase === 'Failed')) {
      this.terminalPhase = phase;
      for (const p of this.probes.values()) p.stop();
      this.probes.clear();
      // Nothing runs again: free the pod's IP, as the kubelet does for finished pods.
      await this.killPod(this.graceSeconds());
      await this.d.runtime.stopPodSandbox(sandbox.id);
    }
    phase = this.terminalPhase ?? phase;
    if (phase === 'Running' && this.runningSince === undefined) this.runningSince = Date.now();

    // Status from a fresh look at the containers (some were just started).
    const after = await this.d.runtime.listContainers({ sandboxId: sandbox.id });
    this.reportOomKills(after);
    const newestOf = (name: string): ContainerStatus | undefined => newest(after.filter((x) => x.name === name));
    const observe = (c: V1Container, init: boolean): ObservedContainer => {
      const l = newestOf(c.name);
      const prev = l ? after.find((x) => x.name === l.name && x.attempt === l.attempt - 1) : undefined;
      const running = l?.state === 'running';
      const started = running && (!c.startupProbe || this.startupPassed.has(l.id));
      const ready = init ? l?.state === 'exited' && l.exitCode === 0 : running && started && (!c.readinessProbe || this.ready.get(l.id) === true);
      const w = waiting.get(c.name);
      return {
        spec: c,
        ...(l ? { latest: l } : {}),
        ...(prev ? { previous: prev } : {}),
        ...(w && !running ? { waiting: w } : {}),
        imageID: this.imageIDs.get(c.image ?? '') ?? '',
        ready,
        started,
      };
    };
    const init = (this.pod.spec?.initContainers ?? []).map((c) => observe(c, true));
    const containers = (this.pod.spec?.containers ?? []).map((c) => observe(c, false));
    if (!terminal) this.reconcileProbes(sandbox, containers);
    const status = podStatus({
      pod: this.pod,
      runtime: this.d.runtime.kind,
      phase,
      hostIP: this.d.hostIP,
      ...(sandbox.ip ? { podIP: sandbox.ip } : {}),
      sandboxReady: sandbox.state === 'ready',
      initDone,
      init,
      containers,
      now: new Date().toISOString().slice(0, 19) + 'Z',
    });
    await this.writeStatus(status);
    await this.collectGarbage(after);
    const untilDue = nextDue === Infinity ? Infinity : Math.max(10, nextDue - Date.now());
    return Math.min(untilDue, fast ? FAST_SYNC_MS : this.d.syncIntervalMs);
  }

  /** Runs a costly runtime step within the node's start limit. */
  private limited<T>(step: () => Promise<T>): Promise<T> {
    return this.d.starts ? this.d.starts.run(step) : step();
  }

  private async ensureSandbox(): Promise<PodSandbox | undefined> {
    const id = this.sandboxId();
    try {
      return await this.d.runtime.podSandboxStatus(id);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    if (this.terminalPhase) return undefined;
    const m = this.pod.metadata ?? {};
    const spec = this.pod.spec;
    const portMappings = (spec?.containers ?? []).flatMap((c) =>
      (c.ports ?? [])
        .filter((p) => p.hostPort)
        .map((p) => ({ hostPort: p.hostPort!, containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP').toLowerCase() as 'tcp' | 'udp' | 'sctp', ...(p.hostIP ? { hostIP: p.hostIP } : {}) })),
    );
    try {
      try {
        this.volumes = await setUpVolumes(this.d.podsDir, this.pod, this.d.client);
      } catch (e) {
        // The pod waits (ContainerCreating) and the next sync tries again, as the kubelet does.
        if (!(e instanceof PodVolumesError)) throw e;
        for (const f of e.failures) this.d.events.emit(this.target(), 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${f.volume}" : ${f.message}`);
        return undefined;
      }
      const dns = await sandboxDnsConfig(spec, m.namespace ?? 'default', this.d.clusterDns);
      return await this.limited(() => this.d.runtime.runPodSandbox({
        uid: m.uid ?? '',
        name: m.name ?? '',
        namespace: m.namespace ?? 'default',
        ...(spec?.hostname ? { hostname: spec.hostname } : {}),
        ...(portMappings.length ? { portMappings } : {}),
        ...(spec?.hostAliases ? { hostAliases: spec.hostAliases.map((h) => ({ ip: h.ip, hostnames: h.hostnames ?? [] })) } : {}),
        ...(dns ? { dns } : {}),
      }));
    } catch (e) {
      this.d.events.emit(this.target(), 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
      throw e;
    }
  }

  /**
   * A Warning `OOMKilling` per container the kernel's OOM killer ended (the kubelet leaves this to
   * node-problem-detector); repeats bump the event's count. Exits from before this worker started
   * (an agent restart) are not reported again.
   */
  private reportOomKills(all: readonly ContainerStatus[]): void {
    for (const c of all) {
      if (c.reason !== 'OOMKilled' || this.oomSeen.has(c.id)) continue;
      this.oomSeen.add(c.id);
      if (Date.parse(c.finishedAt ?? '') < this.createdAt) continue;
      const init = (this.pod.spec?.initContainers ?? []).find((s) => s.name === c.name);
      const spec = init ?? (this.pod.spec?.containers ?? []).find((s) => s.name === c.name);
      const limit = spec?.resources?.limits?.memory;
      this.d.events.emit(this.target(spec, init !== undefined), 'Warning', 'OOMKilling', `Memory cgroup out of memory: container ${c.name} was killed${limit ? ` at its memory limit of ${limit}` : ''}`);
    }
  }

  /** Restarts an exited container once its back-off has passed; answers when it is due. */
  private async restartIfDue(sandbox: PodSandbox, c: V1Container, cur: ContainerStatus, init: boolean, waiting: Map<string, Waiting>): Promise<number> {
    const delay = backoffDelay(cur.attempt, this.d.backoff);
    const due = Date.parse(cur.finishedAt ?? cur.createdAt) + delay;
    if (Date.now() >= due) {
      this.backOffEvents.delete(cur.id);
      await this.startContainer(sandbox, c, cur.attempt + 1, init, waiting);
      return Infinity;
    }
    const m = this.pod.metadata ?? {};
    const message = `back-off ${formatDelay(delay)} restarting failed container=${c.name} pod=${m.name}_${m.namespace}(${m.uid})`;
    waiting.set(c.name, { reason: 'CrashLoopBackOff', message });
    if (!this.backOffEvents.has(cur.id)) {
      this.backOffEvents.add(cur.id);
      this.d.events.emit(this.target(c, init), 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${m.name}_${m.namespace}(${m.uid})`);
    }
    return due;
  }

  /** Pull, create and start one container attempt; a failure leaves a waiting reason. */
  private async startContainer(sandbox: PodSandbox, c: V1Container, attempt: number, init: boolean, waiting: Map<string, Waiting>): Promise<void> {
    const target = this.target(c, init);
    const image = c.image ?? '';
    const failed = this.pullFailures.get(c.name);
    if (failed && Date.now() < failed.until) {
      if (!failed.backOffReported) {
        failed.backOffReported = true;
        this.d.events.emit(target, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
        this.d.events.emit(target, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      }
      waiting.set(c.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ${failed.message}` });
      return;
    }
    let ensured;
    let pullingReported = false;
    const t0 = Date.now();
    try {
      const pullSecrets = await fetchPullSecrets(this.d.client, this.pod);
      if (pullSecrets.missing.length) this.d.events.emit(this.target(), 'Warning', 'FailedToRetrieveImagePullSecret', missingPullSecretsMessage(pullSecrets.missing));
      const policy = c.imagePullPolicy ?? (image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent');
      // Pulling is reported before the pull starts, as the kubelet does, when it is known that one will.
      if (policy === 'Always' || (this.d.images.isPresent && !(await this.d.images.isPresent(image).catch(() => true)))) {
        if (policy !== 'Never') {
          this.d.events.emit(target, 'Normal', 'Pulling', `Pulling image "${image}"`);
          pullingReported = true;
        }
      }
      ensured = await this.d.images.ensure(image, policy, pullSecrets.secrets);
    } catch (e) {
      const count = (failed?.count ?? 0) + 1;
      const message = (e as Error).message;
      this.pullFailures.set(c.name, { count, until: Date.now() + backoffDelay(count, this.d.backoff), message });
      this.d.events.emit(target, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
      this.d.events.emit(target, 'Warning', 'Failed', 'Error: ErrImagePull');
      waiting.set(c.name, { reason: 'ErrImagePull', message });
      return;
    }
    this.pullFailures.delete(c.name);
    this.imageIDs.set(image, ensured.imageID ?? image);
    if (ensured.pulled === false) {
      this.d.events.emit(target, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    } else {
      if (!pullingReported) this.d.events.emit(target, 'Normal', 'Pulling', `Pulling image "${image}"`);
      this.d.events.emit(target, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${Date.now() - t0}ms`);
    }
    let id: string;
    try {
      const env = await containerEnv(this.pod, c, { podIP: sandbox.ip, hostIP: this.d.hostIP }, this.d.config);
      this.volumes ??= await setUpVolumes(this.d.podsDir, this.pod, this.d.client);
      const mounts = await mountsFor(c, this.volumes);
      const config = buildContainerConfig({ pod: this.pod, container: c, image: ensured, env, mounts, attempt });
      // A container created but never started (agent crash between the two) is made again.
      id = await this.limited(async () => {
        await this.d.runtime.removeContainer(`${sandbox.id}-${c.name}-${attempt}`);
        return this.d.runtime.createContainer(sandbox.id, config);
      });
    } catch (e) {
      const reason = e instanceof ContainerConfigError ? 'CreateContainerConfigError' : 'CreateContainerError';
      const message = (e as Error).message;
      this.d.events.emit(target, 'Warning', 'Failed', `Error: ${message}`);
      waiting.set(c.name, { reason, message });
      return;
    }
    this.d.events.emit(target, 'Normal', 'Created', `Created container ${c.name}`);
    try {
      await this.limited(() => this.d.runtime.startContainer(id));
    } catch (e) {
      this.d.events.emit(target, 'Warning', 'Failed', `Error: ${(e as Error).message}`);
      return;
    }
    this.d.events.emit(target, 'Normal', 'Started', `Started container ${c.name}`);
    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      const r = await runProbe(postStart, this.probeTarget(sandbox, c, id), this.graceSeconds() || 30);
      if (!r.ok) {
        this.d.events.emit(target, 'Warning', 'FailedPostStartHook', r.message);
        this.d.events.emit(target, 'Normal', 'Killing', `FailedPostStartHook`);
        await this.d.runtime.stopContainer(id, this.graceSeconds());
      }
    }
  }

  private probeTarget(sandbox: PodSandbox, c: V1Container, id: string): ProbeTarget {
    return { podIP: sandbox.ip, container: c, exec: (cmd, timeout) => this.d.runtime.execSync(id, cmd, timeout) };
  }

  /** One probe worker per running container and probe kind; liveness/readiness only once started. */
  private reconcileProbes(sandbox: PodSandbox, containers: readonly ObservedContainer[]): void {
    const want = new Set<string>();
    for (const o of containers) {
      const l = o.latest;
      if (l?.state !== 'running') continue;
      const c = o.spec;
      const kinds: [ProbeKind, NonNullable<V1Container['livenessProbe']> | undefined][] = [['startup', this.startupPassed.has(l.id) ? undefined : c.startupProbe]];
      if (o.started) kinds.push(['liveness', c.livenessProbe], ['readiness', c.readinessProbe]);
      for (const [kind, probe] of kinds) {
        if (!probe) continue;
        const key = `${l.id}/${kind}`;
        want.add(key);
        if (this.probes.has(key)) continue;
        const id = l.id;
        const label = kind[0]!.toUpperCase() + kind.slice(1);
        const w = new ProbeWorker({
          kind,
          probe,
          target: this.probeTarget(sandbox, c, id),
          startedAt: Date.parse(l.startedAt ?? l.createdAt),
          onFailure: (message) => this.d.events.emit(this.target(c), 'Warning', 'Unhealthy', `${label} probe failed: ${message}`),
          onResult: (ok) => {
            if (kind === 'readiness') this.ready.set(id, ok);
            else if (kind === 'startup' && ok) this.startupPassed.add(id);
            else if (!ok) this.unhealthy.set(id, kind);
            this.kick();
          },
        });
        this.probes.set(key, w);
        w.start();
      }
    }
    for (const [key, w] of this.probes) {
      if (!want.has(key)) {
        w.stop();
        this.probes.delete(key);
      }
    }
  }

  private stopProbes(containerId: string): void {
    for (const [key, w] of this.probes) {
      if (key.startsWith(`${containerId}/`)) {
        w.stop();
        this.probes.delete(key);
      }
    }
  }

  private async writeStatus(status: Record<string, unknown>): Promise<void> {
    const text = JSON.stringify(status);
    if (text === this.lastStatus) return;
    const m = this.pod.metadata ?? {};
    try {
      await this.d.client.patch(`/api/v1/namespaces/${m.namespace}/pods/${m.name}/status`, { status });
      this.lastStatus = text;
    } catch (e) {
      if (isStatus(e, 404)) return; // deleted meanwhile: the watch says so next
      throw e;
    }
  }

  /** Keeps the newest two attempts of each container (the previous one serves `logs --previous`). */
  private async collectGarbage(all: readonly ContainerStatus[]): Promise<void> {
    for (const c of all) {
      const top = newest(all.filter((x) => x.name === c.name));
      if (top && c.attempt < top.attempt - 1 && c.state === 'exited') await this.d.runtime.removeContainer(c.id);
    }
  }

  private graceSeconds(): number {
    return this.pod.spec?.terminationGracePeriodSeconds ?? 30;
  }

  /** Graceful deletion: preStop hooks and SIGTERM within the grace period, then remove and DELETE with 0. */
  private async terminate(): Promise<void> {
    const m = this.pod.metadata ?? {};
    const grace = m.deletionGracePeriodSeconds ?? this.graceSeconds();
    await this.killPod(grace);
    await this.finish(true);
  }

  /** Runs preStop hooks and stops every running container within `grace` seconds. */
  private async killPod(grace: number): Promise<void> {
    for (const p of this.probes.values()) p.stop();
    this.probes.clear();
    const id = this.sandboxId();
    const sandbox = await this.d.runtime.podSandboxStatus(id).catch(() => undefined);
    if (!sandbox) return;
    const deadline = Date.now() + grace * 1000;
    const specs = [...(this.pod.spec?.initContainers ?? []), ...(this.pod.spec?.containers ?? [])];
    const running = (await this.d.runtime.listContainers({ sandboxId: id })).filter((c) => c.state === 'running');
    await Promise.all(
      running.map(async (c) => {
        const spec = specs.find((s) => s.name === c.name);
        const preStop = spec?.lifecycle?.preStop;
        if (spec && preStop && grace > 0) {
          const r = await runProbe(preStop, this.probeTarget(sandbox, spec, c.id), Math.max(1, Math.floor(grace)));
          if (!r.ok) this.d.events.emit(this.target(spec), 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${r.message}`);
        }
        if (spec) this.d.events.emit(this.target(spec), 'Normal', 'Killing', `Stopping container ${c.name}`);
        const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
        await this.d.runtime.stopContainer(c.id, grace > 0 ? Math.max(1, left) : 0);
      }),
    );
  }

  /** Removes the sandbox and volumes; with `deleteFromApi`, confirms the deletion to the API server. */
  private async finish(deleteFromApi: boolean): Promise<void> {
    await this.d.runtime.removePodSandbox(this.sandboxId());
    await tearDownVolumes(this.d.podsDir, this.uid, this.d.client);
    if (deleteFromApi) {
      const m = this.pod.metadata ?? {};
      try {
        await this.d.client.delete(`/api/v1/namespaces/${m.namespace}/pods/${m.name}`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: m.uid } });
      } catch (e) {
        if (!isStatus(e, 404) && !isStatus(e, 409)) throw e;
      }
    }
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.d.events.forget(this.uid);
    this.d.onFinished(this.uid);
  }
}

function newest(cs: readonly ContainerStatus[]): ContainerStatus | undefined {
  let best: ContainerStatus | undefined;
  for (const c of cs) if (!best || c.attempt > best.attempt) best = c;
  return best;
}

function stateOf(c: ContainerStatus | undefined): ContainerPhaseState {
  if (!c) return { kind: 'none' };
  if (c.state === 'exited') return { kind: 'terminated', exitCode: c.exitCode ?? 0 };
  return { kind: 'running' };
}

function formatDelay(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m0s`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
