// The node agent (Wharf's kubelet): registers the Node, heartbeats through its Lease, watches the
// pods bound to it and hands each to a PodWorker, and serves container logs and metrics. It talks only to
// the Kubernetes API. stop() leaves containers running; the next start() re-adopts them and
// removes the sandboxes of pods deleted meanwhile.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { withDefaults, type Resolved } from '@wharf/api';
import {
  EventRecorder,
  Informer,
  isStatus,
  componentUserAgent,
  KubeClient,
  silentLogger,
  type KubeCredentials,
  type Logger,
} from '@wharf/client';
import type { ClusterDnsSettings } from '../dns/pod-dns.js';
import { Limiter } from '../util/limiter.js';
import { MetricsCollector, MetricsEndpoint } from '../metrics/index.js';
import { sandboxId, type ContainerRuntime } from '../runtime/runtime.js';
import type { ConfigSource } from './container-config.js';
import type { ImageProvider } from './image-provider.js';
import { apiReviews, kubeletGate } from './kubelet-auth.js';
import { LogServer, type ApiServerCheck, type LogFile } from './logs.js';
import {
  KUBELET_VERSION,
  leaseObject,
  leaseRetryMs,
  microTime,
  nodeFacts,
  nodeObject,
  nodeStatus,
  type NodeFacts,
} from './node-status.js';
import { podSandboxId } from './pod-actions.js';
import { PodWorker } from './pod-worker.js';
import { StreamingServer } from './streaming/index.js';
import { tearDownVolumes } from './volumes.js';

export interface NodeAgentOptions {
  readonly kubeConfig: KubeCredentials;
  readonly nodeName: string;
  /** topology.kubernetes.io/zone label. @default none */
  readonly zone?: string;
  /** The node's pod CIDR (must match the runtime's CNI config). */
  readonly podCIDR: string;
  /** PodRuntime (runc) or ProcessRuntime; its kind is the node's `wharf.dev/runtime` label. */
  readonly runtime: ContainerRuntime;
  readonly images: ImageProvider;
  /** Agent state (pod volume dirs under `<stateDir>/pods`); may be the runtime's state dir. */
  readonly stateDir: string;
  /** Time for heartbeats and node conditions. @default () => new Date() */
  readonly clock?: () => Date;
  /** Lease renewal period. @default 10 */
  readonly heartbeatSeconds?: number;
  /** NodeStatus (conditions' lastHeartbeatTime) update period. @default 60 */
  readonly nodeStatusSeconds?: number;
  /** Port of the logs endpoint on 127.0.0.1 (0: any free port). @default 10250 */
  readonly logsPort?: number;
  /**
   * Sandbox set-ups and container creates/starts run at most this many at once: a burst of pods
   * then comes up a few at a time instead of all slowly together. @default the number of CPUs, at least 2
   */
  readonly parallelStarts?: number;
  /**
   * Token the API server presents (logs, exec, port-forward, metrics), or a check of the bearer
   * token it presents (a TokenReview); without it anyone on loopback may. @default none
   */
  readonly apiServerToken?: ApiServerCheck;
  /** First CrashLoopBackOff delay; doubles up to backoffMaxMs. @default 10000 */
  readonly backoffBaseMs?: number;
  /** @default 300000 */
  readonly backoffMaxMs?: number;
  /**
   * How often each pod is re-synced when the runtime does not report container exits (they are
   * found by polling), and the retry of a failed sync. @default 1000
   */
  readonly syncIntervalMs?: number;
  /**
   * With a runtime that reports exits (runc: conmon's exit files, watched), pods sync on events and
   * otherwise once per this period (50–100% of it, at random), when content volumes are re-read.
   * @default 60000
   */
  readonly resyncIntervalMs?: number;
  /**
   * The same, for pods whose volumes show user ConfigMaps or Secrets: how late, at most, a running
   * pod sees their changes (the agent may get them, not watch them). Short, so an application's
   * inPlace config change and its reload (5 s later) see the new files. @default 3000
   */
  readonly contentRefreshIntervalMs?: number;
  /**
   * nodeInfo.kubeletVersion: the Kubernetes version this agent was started for (kubeletVersionFor). @default
   * KUBELET_VERSION
   */
  readonly kubeletVersion?: string;
  /**
   * The kubelet's port (KUBELET_PORT) where pods reach the node: HTTPS with the node's serving
   * certificate on `address`, which the Node publishes as its InternalIP; callers are checked by a
   * TokenReview and a SubjectAccessReview (kubelet-auth.ts). @default none: InternalIP 127.0.0.1, loopback only
   */
  readonly serving?: NodeServing;
  /** Extra node labels. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Cluster DNS written into ClusterFirst pods' resolv.conf: `server` is where pods send queries
   * (port 53), e.g. this node's bridge gateway, podCidrGateway(podCIDR). @default none (host's resolv.conf)
   */
  readonly clusterDns?: ClusterDnsSettings;
  /** The agent adds `{ node }`, each pod worker `{ pod }`. @default silentLogger */
  readonly logger?: Logger;
}

/** The kubelet's port, where Prometheus's role node finds a node's metrics (InternalIP:10250). */
export const KUBELET_PORT = 10250;

/** The node's pod-facing kubelet endpoint. */
export interface NodeServing {
  /** An address of this host that pods reach (the Node's InternalIP). */
  readonly address: string;
  /** KUBELET_PORT, or 0 for any free port (tests). */
  readonly port: number;
  /** PEM serving certificate for `address`, signed by the cluster CA, and its key. */
  readonly cert: string;
  readonly key: string;
}

/** Zone, API server token, cluster DNS and the pod-facing endpoint have no default (none means none). */
export type ResolvedNodeAgentOptions = Resolved<
  NodeAgentOptions,
  Exclude<keyof NodeAgentOptions, 'zone' | 'apiServerToken' | 'clusterDns' | 'serving'>
>;

/** Applies the kubelet-like defaults once; the agent reads only the resolved options. */
export function resolveNodeAgentOptions(o: NodeAgentOptions): ResolvedNodeAgentOptions {
  return withDefaults(
    {
      clock: () => new Date(),
      heartbeatSeconds: 10,
      nodeStatusSeconds: 60,
      logsPort: 10250,
      parallelStarts: Math.max(2, cpus().length),
      backoffBaseMs: 10_000,
      backoffMaxMs: 300_000,
      syncIntervalMs: 1000,
      resyncIntervalMs: 60_000,
      contentRefreshIntervalMs: 3_000,
      labels: {},
      logger: silentLogger,
      kubeletVersion: KUBELET_VERSION,
    },
    o,
  );
}

export class NodeAgent {
  private readonly client: KubeClient;
  private readonly events: EventRecorder;
  private readonly workers = new Map<string, PodWorker>();
  /** Pod UID by sandbox id, to wake a pod's worker when one of its containers exits. */
  private readonly sandboxes = new Map<string, string>();
  private unsubscribeExits: (() => void) | undefined;
  private readonly starts: Limiter;
  private readonly logServer: LogServer;
  private readonly logger: Logger;
  private readonly o: ResolvedNodeAgentOptions;
  private readonly clock: () => Date;
  private stopped = true;
  private heartbeat: NodeJS.Timeout | undefined;
  /** The next renewal after a failed one (sooner than the period), and how many failed in a row. */
  private leaseRetry: NodeJS.Timeout | undefined;
  private leaseFailures = 0;
  /** The pods bound to this node; its events add, update and remove pod workers once `adopting` is over. */
  private readonly pods: Informer<V1Pod>;
  /** Every Service, for the containers' service variables (the kubelet's service lister). */
  private readonly services: Informer<V1Service>;
  private adopting = true;
  private facts: NodeFacts | undefined;
  private runtimeVersion = '';
  private nodeUid: string | undefined;
  private conditions: Record<string, unknown>[] | undefined;
  private lastNodeStatus = 0;
  private port = 0;
  private servingPort = 0;

  constructor(options: NodeAgentOptions) {
    const o = resolveNodeAgentOptions(options);
    this.o = o;
    this.client = new KubeClient(o.kubeConfig, { userAgent: componentUserAgent('kubelet') });
    this.logger = o.logger.child({ node: o.nodeName });
    this.events = new EventRecorder({
      client: this.client,
      component: 'kubelet',
      host: o.nodeName,
      onError: (e) => this.logger.warn({ err: e }, 'writing an event failed'),
    });
    this.pods = new Informer<V1Pod>({
      client: this.client,
      path: '/api/v1/pods',
      fieldSelector: `spec.nodeName=${o.nodeName}`,
      onError: (e) => this.logger.warn({ err: e }, 'pod watch failed; resuming'),
    });
    this.services = new Informer<V1Service>({
      client: this.client,
      path: '/api/v1/services',
      onError: (e) => this.logger.warn({ err: e }, 'service watch failed; resuming'),
    });
    this.pods.on((type, pod) => {
      if (this.adopting || this.stopped) return;
      if (type === 'delete') this.workers.get(pod.metadata?.uid ?? '')?.remove();
      else this.upsert(pod);
    });
    const metrics = new MetricsEndpoint(
      new MetricsCollector({
        nodeName: o.nodeName,
        runtime: o.runtime,
        stateDir: o.stateDir,
        imageOf: (ns, pod, c) => this.imageOf(ns, pod, c),
        claimVolumes: () => [...this.workers.values()].flatMap((w) => w.claimVolumes()),
      }),
    );
    this.logServer = new LogServer(
      (ns, pod, c, prev) => this.logFile(ns, pod, c, prev),
      this.logger,
      new StreamingServer({ runtime: o.runtime, logger: this.logger }),
      metrics,
      o.apiServerToken,
    );
    this.clock = o.clock;
    this.starts = new Limiter(o.parallelStarts);
  }

  /** The port of the logs endpoint (after start). */
  get logsPort(): number {
    return this.port;
  }

  /** The port of the pod-facing endpoint (after start; 0 without one). */
  get kubeletPort(): number {
    return this.servingPort;
  }

  get podsDir(): string {
    return path.join(this.o.stateDir, 'pods');
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.o.runtime.start();
    this.unsubscribeExits = this.o.runtime.onContainerExit?.((sid) =>
      this.workers.get(this.sandboxes.get(sid) ?? '')?.kick(),
    );
    this.port = await this.logServer.start(this.o.logsPort);
    const serving = this.o.serving;
    if (serving)
      this.servingPort = await this.logServer.startTls(
        serving.port,
        serving.address,
        serving,
        kubeletGate({ reviews: apiReviews(this.client), nodeName: this.o.nodeName }),
      );
    this.runtimeVersion = await this.o.runtime.version();
    this.facts = await nodeFacts(this.o.stateDir, this.runtimeVersion);
    await this.registerNode();
    await this.renewLease();
    const period = this.o.heartbeatSeconds * 1000;
    this.heartbeat = setInterval(() => void this.beat(), period);
    // The first list adopts what runs: sandboxes of pods deleted meanwhile go first, then a worker
    // per pod; the watch's events (a re-list after 410 Gone included) then drive the workers.
    this.adopting = true;
    await Promise.all([this.services.startSynced(), this.pods.startSynced()]);
    await this.removeOrphans(this.pods.list());
    this.adopting = false;
    for (const p of this.pods.list()) this.upsert(p);
    this.logger.info(
      { pods: this.workers.size, logsPort: this.port, kubeletPort: this.servingPort },
      'node agent started',
    );
  }

  /** Stops heartbeats, the watch, pod workers and the logs endpoint. Containers keep running. */
  async stop(): Promise<void> {
    this.logger.debug('node agent stopping');
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    clearTimeout(this.leaseRetry);
    await Promise.all([this.pods.stop(), this.services.stop()]);
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
    this.sandboxes.clear();
    this.unsubscribeExits?.();
    this.unsubscribeExits = undefined;
    await this.logServer.stop();
    await this.o.runtime.stop();
    this.client.close();
  }

  // --- node and lease ----------------------------------------------------------------------

  private async registerNode(): Promise<void> {
    const node = nodeObject(
      {
        nodeName: this.o.nodeName,
        podCIDR: this.o.podCIDR,
        ...(this.o.zone ? { zone: this.o.zone } : {}),
        labels: { 'wharf.dev/runtime': this.o.runtime.kind, ...this.o.labels },
      },
      this.facts!,
    );
    const path_ = `/api/v1/nodes/${this.o.nodeName}`;
    let current = await this.client.getOptional<{
      metadata: { uid: string };
      status?: { conditions?: Record<string, unknown>[] };
    }>(path_);
    if (!current) {
      try {
        current = await this.client.create('/api/v1/nodes', node);
      } catch (e) {
        if (!isStatus(e, 409)) throw e;
        current = await this.client.get(path_);
      }
    } else {
      current = await this.client.patch(path_, { metadata: { labels: (node.metadata as { labels: unknown }).labels } });
    }
    this.nodeUid = current!.metadata.uid;
    this.conditions = current!.status?.conditions;
    await this.updateNodeStatus();
  }

  private async updateNodeStatus(): Promise<void> {
    if (this.facts)
      this.facts = {
        ...this.facts,
        ...(await nodeFacts(this.o.stateDir, this.runtimeVersion).catch(() => this.facts!)),
      };
    const status = nodeStatus({
      nodeName: this.o.nodeName,
      facts: this.facts!,
      logsPort: this.port,
      internalIP: this.o.serving?.address ?? '127.0.0.1',
      ...(this.conditions ? { previous: this.conditions } : {}),
      kubeletVersion: this.o.kubeletVersion,
      now: `${this.clock().toISOString().slice(0, 19)}Z`,
    });
    // Strategic merge, as the kubelet does: conditions merge by type, so those other reporters own
    // (the node problem detector's KernelDeadlock, ...) survive the agent's status updates.
    await this.client.patch(`/api/v1/nodes/${this.o.nodeName}/status`, { status }, 'strategic');
    this.conditions = status.conditions as Record<string, unknown>[];
    this.lastNodeStatus = this.clock().getTime();
  }

  private async renewLease(): Promise<void> {
    const base = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    const now = this.clock();
    try {
      await this.client.patch(`${base}/${this.o.nodeName}`, {
        spec: { holderIdentity: this.o.nodeName, renewTime: microTime(now) },
      });
    } catch (e) {
      if (!isStatus(e, 404)) throw e;
      await this.client.create(base, leaseObject(this.o.nodeName, this.nodeUid, 40, now));
    }
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.renewLease().catch((e: unknown) => {
        if (!isStatus(e, 404)) this.retryLease();
        throw e;
      });
      this.leaseFailures = 0;
      if (this.clock().getTime() - this.lastNodeStatus >= this.o.nodeStatusSeconds * 1000)
        await this.updateNodeStatus();
    } catch (e) {
      // A node deleted by an admin comes back, as the kubelet re-registers.
      if (isStatus(e, 404))
        await this.registerNode().catch((e2) => this.logger.error({ err: e2 }, 're-registering the node failed'));
      else if (this.leaseFailures <= 1) this.logger.warn({ err: e }, 'heartbeat failed');
      else this.logger.debug({ err: e, failures: this.leaseFailures }, 'heartbeat failed again');
    }
  }

  /** After a failed renewal: another, with backoff, until one succeeds (the period's beats go on meanwhile). */
  private retryLease(): void {
    this.leaseFailures++;
    clearTimeout(this.leaseRetry);
    if (!this.stopped) this.leaseRetry = setTimeout(() => void this.beat(), leaseRetryMs(this.leaseFailures));
  }

  // --- pods --------------------------------------------------------------------------------

  /** Sandboxes and pod dirs of pods that no longer exist (deleted while the agent was down). */
  private async removeOrphans(pods: readonly V1Pod[]): Promise<void> {
    const uids = new Set(pods.map((p) => p.metadata?.uid ?? ''));
    const ids = new Set(
      pods.map((p) =>
        sandboxId({ uid: p.metadata?.uid ?? '', name: p.metadata?.name ?? '', namespace: p.metadata?.namespace ?? '' }),
      ),
    );
    for (const s of await this.o.runtime.listPodSandboxes()) {
      if (ids.has(s.id) || this.workers.has(s.config.uid)) continue;
      this.logger.info(
        { sandbox: s.id, pod: `${s.config.namespace}/${s.config.name}` },
        'removing the sandbox of a deleted pod',
      );
      await this.o.runtime
        .removePodSandbox(s.id)
        .catch((e) => this.logger.warn({ err: e, sandbox: s.id }, 'removing a sandbox failed'));
      await tearDownVolumes(this.podsDir, s.config.uid).catch((e) =>
        this.logger.warn({ err: e, uid: s.config.uid }, 'removing pod volumes failed'),
      );
    }
    if (existsSync(this.podsDir)) {
      for (const uid of await readdir(this.podsDir)) {
        if (!uids.has(uid) && !this.workers.has(uid))
          await tearDownVolumes(this.podsDir, uid).catch((e) =>
            this.logger.warn({ err: e, uid }, 'removing pod volumes failed'),
          );
      }
    }
  }

  private upsert(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const w = this.workers.get(uid);
    if (w) return w.update(pod);
    const worker = new PodWorker(pod, {
      nodeName: this.o.nodeName,
      hostIP: '127.0.0.1',
      ...(this.o.clusterDns ? { clusterDns: this.o.clusterDns } : {}),
      runtime: this.o.runtime,
      images: this.o.images,
      client: this.client,
      events: this.events,
      config: this.configSource(),
      podsDir: this.podsDir,
      backoff: { baseMs: this.o.backoffBaseMs, maxMs: this.o.backoffMaxMs },
      syncIntervalMs: this.o.syncIntervalMs,
      ...(this.unsubscribeExits
        ? { resyncIntervalMs: this.o.resyncIntervalMs, contentRefreshIntervalMs: this.o.contentRefreshIntervalMs }
        : {}),
      starts: this.starts,
      logger: this.logger.child({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` }),
      onFinished: (id) => {
        this.workers.delete(id);
        this.sandboxes.delete(sid);
      },
    });
    const sid = podSandboxId(pod);
    this.workers.set(uid, worker);
    this.sandboxes.set(sid, uid);
    worker.kick();
  }

  private configSource(): ConfigSource {
    const data = async (
      kind: 'configmaps' | 'secrets',
      ns: string,
      name: string,
    ): Promise<Record<string, string> | undefined> => {
      const o = await this.client.getOptional<{ data?: Record<string, string> }>(
        `/api/v1/namespaces/${ns}/${kind}/${name}`,
      );
      return o ? (o.data ?? {}) : undefined;
    };
    return {
      configMap: (ns, name) => data('configmaps', ns, name),
      secret: (ns, name) => data('secrets', ns, name),
      services: (ns) => ({ services: this.services.list(ns), master: this.services.get('default', 'kubernetes') }),
    };
  }

  /** The image of a container of a pod on this node, as its spec names it (cAdvisor's `image` label). */
  private imageOf(ns: string, podName: string, container: string): string | undefined {
    const pod = [...this.workers.values()].find(
      (x) => x.current.metadata?.namespace === ns && x.current.metadata.name === podName,
    )?.current;
    return [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])].find((c) => c.name === container)
      ?.image;
  }

  // --- logs --------------------------------------------------------------------------------

  private async logFile(ns: string, podName: string, container: string, previous: boolean): Promise<LogFile | string> {
    const w = [...this.workers.values()].find(
      (x) => x.current.metadata?.namespace === ns && x.current.metadata.name === podName,
    );
    if (!w) return `pod "${podName}" in namespace "${ns}" is not on node ${this.o.nodeName}`;
    const pod = w.current;
    const names = [
      ...(pod.spec?.initContainers ?? []),
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.ephemeralContainers ?? []),
    ].map((c) => c.name);
    if (!names.includes(container)) return `container "${container}" in pod "${podName}" is not valid`;
    const sid = sandboxId({ uid: pod.metadata?.uid ?? '', name: podName, namespace: ns });
    const all = (await this.o.runtime.listContainers({ sandboxId: sid })).filter((c) => c.name === container);
    const newest = all.reduce<(typeof all)[number] | undefined>(
      (a, c) => (!a || c.attempt > a.attempt ? c : a),
      undefined,
    );
    if (!newest) return `container "${container}" in pod "${podName}" is waiting to start`;
    const chosen = previous ? all.find((c) => c.attempt === newest.attempt - 1) : newest;
    if (!chosen) return `previous terminated container "${container}" in pod "${podName}" not found`;
    const runtime = this.o.runtime;
    return {
      path: chosen.logPath,
      running: async () => (await runtime.containerStatus(chosen.id).catch(() => undefined))?.state === 'running',
    };
  }
}
