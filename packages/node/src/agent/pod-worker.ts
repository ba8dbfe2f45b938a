// One pod's worker, after the kubelet's pod workers: it runs the pod's syncs one at a time and owns
// the pod's state.
//   Syncing      each sync looks at the sandbox's containers, asks computePodActions
//                (pod-actions.ts) what to do, has the PodExecutor do it, then writes the status.
//   Terminating  the pod was deleted, left the API or completed: preStop hooks, SIGTERM, SIGKILL
//                once the grace period is over.
//   Terminated   nothing runs. A completed pod stays so, status and logs kept, until it is deleted;
//                then its sandbox and volumes are removed and the worker is finished.
// Restart counts, last states and back-off come from the runtime's containers (attempt numbers),
// so a restarted agent picks up where the previous one stopped.
import { realClock, type Clock, type Logger } from '@wharf/client';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { ContainerStatus, PodSandbox } from '../runtime/types.js';
import {
  completionOf,
  computePodActions,
  computePodPhase,
  restartingContainers,
  type CompletedPhase,
  type PodActions,
  type Termination,
} from './pod-actions.js';
import { PodExecutor, type PodExecutorOptions } from './pod-executor.js';
import { showsLiveContent } from './content-sources.js';
import { PodProbes } from './pod-probes.js';
import { observeContainers, podStatus, type Waiting } from './pod-status.js';
import type { BackoffOptions } from './restart.js';

export type PodWorkerState =
  | { readonly kind: 'Syncing' }
  /** `phase` is set when the pod completed (it stays Succeeded or Failed). */
  | { readonly kind: 'Terminating'; readonly termination: Termination; readonly phase?: CompletedPhase }
  /** `finished`: the sandbox and volumes are gone and the worker does nothing more. */
  | { readonly kind: 'Terminated'; readonly phase?: CompletedPhase; readonly finished: boolean };

export interface PodWorkerOptions extends Omit<PodExecutorOptions, 'probes' | 'clock'> {
  readonly nodeName: string;
  /** Back-off of container restarts (CrashLoopBackOff) and of image pulls. */
  readonly backoff: BackoffOptions;
  /**
   * Resync period when the runtime does not report exits (they are found by polling it), and the
   * retry after a failed sync.
   */
  readonly syncIntervalMs: number;
  /**
   * Set when the runtime reports container exits (onContainerExit) and the agent kicks the worker
   * on them: the worker then syncs on events (pod changes, exits, probe results, back-off timers)
   * and otherwise once per this period, scaled at random to 50–100% so a node's workers do not
   * resync together. That resync also re-projects content volumes. @default none (poll every syncIntervalMs)
   */
  readonly resyncIntervalMs?: number;
  /**
   * The resync period instead, for a pod whose volumes show user ConfigMaps or Secrets (a node may
   * only get them, not watch them): it bounds how late the pod sees their changes. @default resyncIntervalMs
   */
  readonly contentRefreshIntervalMs?: number;
  /** @default Math.random */
  readonly random?: () => number;
  /** Timers; also the time when `clock` is not given. @default realClock */
  readonly timers?: Clock;
  /** @default timers.now */
  readonly clock?: () => number;
  /** Carries the pod's fields (`{ pod: 'ns/name' }`); failed syncs go here at warn. */
  readonly logger: Logger;
  /** The worker is done with the pod (deleted from the API, everything removed). */
  readonly onFinished: (uid: string) => void;
}

export class PodWorker {
  private pod: V1Pod;
  private podState: PodWorkerState;
  /** The pod left the API: it terminates, whatever its spec says. */
  private removed = false;
  /** Agent shutdown: no more syncs, containers keep running. */
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  private pending = false;
  private timer: unknown;
  /** When the periodic resync is due; kicks in between do not push it back. */
  private resyncAt: number | undefined;
  /** Content volumes are re-projected in the next sync (first sync, labels or annotations changed, or a resync). */
  private volumesDue = true;
  /** ...with new reads of their sources: the pod changed (a writer may have changed them just before). */
  private volumesFresh = false;
  private readonly timers: Clock;
  private readonly clock: () => number;
  private readonly probes: PodProbes;
  private readonly executor: PodExecutor;

  constructor(
    pod: V1Pod,
    private readonly options: PodWorkerOptions,
  ) {
    this.pod = pod;
    const phase = pod.status?.phase;
    this.podState =
      phase === 'Succeeded' || phase === 'Failed'
        ? { kind: 'Terminated', phase, finished: false }
        : { kind: 'Syncing' };
    this.timers = options.timers ?? realClock;
    this.clock = options.clock ?? (() => this.timers.now());
    this.probes = new PodProbes({ runtime: options.runtime, events: options.events, onChange: () => this.kick() });
    this.executor = new PodExecutor({ ...options, clock: this.clock, probes: this.probes });
  }

  get uid(): string {
    return this.pod.metadata?.uid ?? '';
  }

  get current(): V1Pod {
    return this.pod;
  }

  get state(): PodWorkerState {
    return this.podState;
  }

  update(pod: V1Pod): void {
    // downwardAPI volumes show labels and annotations, and a writer that changed a ConfigMap a pod
    // reads may annotate the pod to have it re-read at once (the platform does after an inPlace
    // config change); the worker's own status writes change neither.
    const meta = (p: V1Pod): string => JSON.stringify([p.metadata?.labels, p.metadata?.annotations]);
    if (meta(pod) !== meta(this.pod)) this.volumesDue = this.volumesFresh = true;
    this.pod = pod;
    this.kick();
  }

  /** The pod is gone from the API (deleted at once, or while completed): remove what is left. */
  remove(): void {
    this.removed = true;
    this.kick();
  }

  /** Stops syncing (agent shutdown); containers keep running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.probes.stopAll();
    await this.running;
  }

  /** Resolves once the syncs queued so far have run (not the ones their timers schedule later). */
  settled(): Promise<void> {
    return this.running;
  }

  /** Schedules a sync now; syncs requested while one runs collapse into one more. */
  kick(): void {
    if (this.idle() || this.pending) return;
    this.pending = true;
    this.running = this.running.then(async () => {
      this.pending = false;
      if (this.idle()) return;
      if (this.resyncAt !== undefined && this.timers.now() >= this.resyncAt) {
        this.volumesDue = true;
        this.resyncAt = undefined;
      }
      let next: number | undefined = this.options.syncIntervalMs;
      try {
        next = await this.sync();
      } catch (e) {
        this.options.logger.warn({ err: e }, 'pod sync failed; retrying');
      }
      if (!this.idle()) this.schedule(next);
    });
  }

  /**
   * The next sync: in `delayMs`, or (undefined) the periodic resync. A kick before then syncs at once,
   * and the resync keeps its time: a pod kicked often (status writes, probes) still re-reads its
   * content volumes on the period.
   */
  private schedule(delayMs: number | undefined): void {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (delayMs === 0) return this.kick();
    const now = this.timers.now();
    this.resyncAt ??= now + this.resyncDelay();
    const ms = Math.max(0, Math.min(delayMs ?? Infinity, this.resyncAt - now));
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, ms);
  }

  /** Polling: the sync interval. Event-driven: the resync (or content refresh) period, 50–100% of it at random. */
  private resyncDelay(): number {
    const { resyncIntervalMs: resync, contentRefreshIntervalMs: content } = this.options;
    if (resync === undefined) return this.options.syncIntervalMs;
    const period = content !== undefined && showsLiveContent(this.pod) ? Math.min(resync, content) : resync;
    return Math.round(period * (0.5 + 0.5 * (this.options.random ?? Math.random)()));
  }

  private idle(): boolean {
    return this.stopped || (this.podState.kind === 'Terminated' && this.podState.finished);
  }

  /** One sync; answers when the next one is due (undefined: the periodic resync). */
  private async sync(): Promise<number | undefined> {
    const pod = this.pod;
    const state = this.podState;
    const stopping = this.removed || pod.metadata?.deletionTimestamp !== undefined;
    const sandbox = await this.executor.sandboxStatus(pod, stopping);
    const containers = sandbox ? await this.options.runtime.listContainers({ sandboxId: sandbox.id }) : [];
    this.probes.resume(pod, containers);
    const completed = state.kind === 'Syncing' ? undefined : state.phase;
    const plan = computePodActions(pod, containers, this.clock(), {
      sandboxExists: sandbox !== undefined,
      removed: this.removed,
      ...(completed ? { completed } : {}),
      unhealthy: this.probes.unhealthy,
      backoff: this.options.backoff,
    });
    if (plan.terminate) {
      await this.terminate(pod, plan.terminate, sandbox, completed);
      return 0;
    }
    if (state.kind === 'Terminating') {
      // The stop of a completed pod failed half-way: finish it before anything else.
      await this.terminate(pod, completionOf(pod, containers), sandbox, state.phase);
    }
    return this.podState.kind === 'Syncing' ? this.syncRunning(pod, sandbox, plan) : this.syncTerminated(pod, sandbox);
  }

  /** Syncing: performs the plan, then (the pod just completed) terminates, and reports. */
  private async syncRunning(
    pod: V1Pod,
    sandbox: PodSandbox | undefined,
    plan: PodActions,
  ): Promise<number | undefined> {
    if (sandbox && (this.volumesDue || this.options.resyncIntervalMs === undefined)) {
      // Event-driven, a due refresh re-projects at once; polling, the volume manager spaces them.
      const force = this.volumesDue && this.options.resyncIntervalMs !== undefined;
      const fresh = this.volumesFresh;
      this.volumesDue = this.volumesFresh = false;
      await this.executor.refreshVolumes(pod, force, fresh);
    }
    const done = await this.executor.perform(pod, sandbox, plan.actions);
    // No sandbox (a volume cannot be set up yet): try again soon.
    if (!done.sandbox) return this.options.syncIntervalMs;
    // Made just now, with fresh content: the quick follow-up syncs of a start need not re-read it.
    if (!sandbox) this.volumesDue = false;
    const restarting = restartingContainers(plan.actions);
    let after = await this.containersOf(done.sandbox);
    const { phase } = computePodPhase(pod, after, restarting);
    if (phase === 'Succeeded' || phase === 'Failed') {
      // Nothing runs again: free the pod's IP, as the kubelet does for finished pods.
      await this.terminate(pod, completionOf(pod, after), done.sandbox, phase);
      after = await this.containersOf(done.sandbox);
    }
    await this.report(pod, done.sandbox, after, done.waiting, restarting);
    return plan.requeueAfterMs !== undefined && plan.requeueAfterMs < this.resyncFloor()
      ? plan.requeueAfterMs
      : undefined;
  }

  /** A requeue at least this far away is left to the resync (polling: the sync interval, as before). */
  private resyncFloor(): number {
    return this.options.resyncIntervalMs === undefined ? this.options.syncIntervalMs : Infinity;
  }

  /** Terminated, still in the API (completed): the status is kept up to date, nothing else. */
  private async syncTerminated(pod: V1Pod, sandbox: PodSandbox | undefined): Promise<undefined> {
    if (sandbox) await this.report(pod, sandbox, await this.containersOf(sandbox), new Map(), new Set());
    return undefined;
  }

  /**
   * Syncing → Terminating → Terminated. A completed pod keeps its stopped sandbox (logs, status);
   * a deleted or removed one is cleaned up, and the worker is finished.
   */
  private async terminate(
    pod: V1Pod,
    termination: Termination,
    sandbox: PodSandbox | undefined,
    phase: CompletedPhase | undefined,
  ): Promise<void> {
    this.podState = { kind: 'Terminating', termination, ...(phase ? { phase } : {}) };
    await this.executor.terminate(pod, termination, sandbox);
    if (termination.reason === 'completed') {
      await this.executor.stopSandbox(pod);
      this.podState = { kind: 'Terminated', ...(phase ? { phase } : {}), finished: false };
      return;
    }
    this.podState = { kind: 'Terminated', ...(phase ? { phase } : {}), finished: false };
    await this.executor.cleanUp(pod, termination.reason === 'deleted');
    this.podState = { kind: 'Terminated', ...(phase ? { phase } : {}), finished: true };
    this.timers.clearTimeout(this.timer);
    this.options.onFinished(this.uid);
  }

  /** The claims the pod mounts, where they are on the node (once its volumes are set up). */
  claimVolumes(): { namespace: string; claim: string; dir: string }[] {
    return this.executor.claimVolumes(this.current);
  }

  private containersOf(sandbox: PodSandbox): Promise<ContainerStatus[]> {
    return this.options.runtime.listContainers({ sandboxId: sandbox.id });
  }

  /** Status from a fresh look at the containers; probes follow the running ones; old attempts go. */
  private async report(
    pod: V1Pod,
    sandbox: PodSandbox,
    containers: readonly ContainerStatus[],
    waiting: ReadonlyMap<string, Waiting>,
    restarting: ReadonlySet<string>,
  ): Promise<void> {
    this.executor.reportOomKills(pod, containers);
    const progress = computePodPhase(pod, containers, restarting);
    const state = this.podState;
    const facts = {
      waiting,
      imageIDs: this.executor.imageIDsByImage,
      probes: this.probes,
      volumes: pod.spec?.volumes ?? [],
    };
    const init = observeContainers(pod.spec?.initContainers ?? [], true, containers, facts);
    const app = observeContainers(pod.spec?.containers ?? [], false, containers, facts);
    const ephemeral = observeContainers(
      (pod.spec?.ephemeralContainers ?? []) as V1Container[],
      false,
      containers,
      facts,
    );
    if (state.kind === 'Syncing') this.probes.reconcile(pod, sandbox, app);
    const status = podStatus({
      pod,
      runtime: this.options.runtime.kind,
      phase: (state.kind === 'Syncing' ? undefined : state.phase) ?? progress.phase,
      hostIP: this.options.hostIP,
      ...(sandbox.ip ? { podIP: sandbox.ip } : {}),
      sandboxReady: sandbox.state === 'ready',
      initDone: progress.initDone,
      init,
      containers: app,
      ephemeral,
      now: `${new Date(this.clock()).toISOString().slice(0, 19)}Z`,
    });
    await this.executor.writeStatus(pod, status);
    await this.executor.collectGarbage(containers);
  }
}
