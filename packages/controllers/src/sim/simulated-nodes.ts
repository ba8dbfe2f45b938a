// KWOK-style simulated nodes for tests and benchmarks: registers N fake nodes with capacity and
// zone labels, renews their Leases in kube-node-lease, reports pods bound to them Running and
// Ready after a delay, and removes pods marked for deletion at once. No containers run. Pods of
// Jobs then finish, as KWOK's pod-complete stage: Succeeded after a delay, or Failed when the
// pod's `sim.wharf.dev/exit-code` annotation is not 0 (`sim.wharf.dev/complete-after-ms`
// overrides the delay and makes any pod finish; -1 never finishes).
import type { KubeConfig, V1Node, V1Pod } from '@kubernetes/client-node';
import { type Clock, Informer, isStatus, keyOf, KubeClient, realClock, timestamp } from '@wharf/client';

export interface SimulatedNodesOptions {
  readonly kubeConfig: KubeConfig;
  readonly count: number;
  /** Node names are `${prefix}${i}`. @default 'sim-node-' */
  readonly prefix?: string;
  /** Zone labels, assigned round-robin. @default ['zone-a'] */
  readonly zones?: readonly string[];
  /** @default 0 */
  readonly podReadyDelayMs?: number;
  /** @default { cpu: '4', memory: '8Gi', pods: '110' } */
  readonly capacity?: Record<string, string>;
  /** Extra labels on every node. */
  readonly labels?: Record<string, string>;
  /** @default 10000 */
  readonly heartbeatMs?: number;
  /** @default realClock */
  readonly clock?: Clock;
  /** How long a Job's pod runs before it finishes. @default 1000 */
  readonly podCompleteDelayMs?: number;
}

export const SIM_COMPLETE_AFTER = 'sim.wharf.dev/complete-after-ms';
export const SIM_EXIT_CODE = 'sim.wharf.dev/exit-code';

export class SimulatedNodes {
  private client: KubeClient | undefined;
  private pods: Informer<V1Pod> | undefined;
  private heartbeat: unknown;
  private readonly timers = new Map<string, unknown>();
  private readonly handled = new Set<string>();
  /** Nodes whose heartbeats are stopped: as dead, they renew nothing and touch no pod. */
  private readonly silent = new Set<string>();
  private readonly clock: Clock;
  readonly names: readonly string[];

  constructor(private readonly opts: SimulatedNodesOptions) {
    this.clock = opts.clock ?? realClock;
    this.names = Array.from({ length: opts.count }, (_, i) => `${opts.prefix ?? 'sim-node-'}${i}`);
  }

  zoneOf(i: number): string {
    const zones = this.opts.zones?.length ? this.opts.zones : ['zone-a'];
    return zones[i % zones.length] ?? 'zone-a';
  }

  async start(): Promise<void> {
    const client = (this.client = new KubeClient(this.opts.kubeConfig));
    await ensure(
      client.create('/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'kube-node-lease' },
      }),
    );
    const batch = 50;
    for (let i = 0; i < this.names.length; i += batch) {
      await Promise.all(this.names.slice(i, i + batch).map((name, j) => this.register(name, i + j)));
    }
    const ours = new Set(this.names);
    this.pods = new Informer<V1Pod>({ client, path: '/api/v1/pods', clock: this.clock });
    this.pods.on((type, pod) => {
      const node = pod.spec?.nodeName;
      if (!node || !ours.has(node)) return;
      if (type === 'delete') return this.forget(keyOf(pod));
      if (this.silent.has(node)) return;
      this.onPod(pod);
    });
    this.pods.start();
    await this.pods.synced;
    const beat = (): void => {
      void this.renewLeases();
      this.heartbeat = this.clock.setTimeout(beat, this.opts.heartbeatMs ?? 10_000);
    };
    this.heartbeat = this.clock.setTimeout(beat, this.opts.heartbeatMs ?? 10_000);
  }

  async stop(): Promise<void> {
    this.clock.clearTimeout(this.heartbeat);
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
    await this.pods?.stop();
    this.client?.close();
  }

  private async register(name: string, i: number): Promise<void> {
    const client = this.client as KubeClient;
    const now = timestamp(this.clock.now());
    const capacity = this.opts.capacity ?? { cpu: '4', memory: '8Gi', pods: '110' };
    const node: V1Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          type: 'kwok',
          'topology.kubernetes.io/zone': this.zoneOf(i),
          ...(this.opts.labels ?? {}),
        },
        annotations: { 'kwok.x-k8s.io/node': 'fake' },
      },
      spec: {},
      status: {
        capacity,
        allocatable: capacity,
        phase: 'Running',
        addresses: [
          { type: 'InternalIP', address: `10.200.${Math.floor(i / 250)}.${(i % 250) + 1}` },
          { type: 'Hostname', address: name },
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
          ...['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
            type,
            status: 'False',
            reason: `KubeletHasNo${type}`,
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          })),
        ],
        nodeInfo: {
          architecture: 'amd64',
          operatingSystem: 'linux',
          kubeletVersion: 'v1.32.0-wharf-sim',
          kubeProxyVersion: '',
          containerRuntimeVersion: 'sim://0',
          kernelVersion: '',
          osImage: 'simulated',
          machineID: '',
          systemUUID: '',
          bootID: '',
        },
      },
    };
    await ensure(client.create('/api/v1/nodes', node));
    await this.renewLease(name);
  }

  /** Stops a node's Lease renewals and pod handling, as if its machine lost power. */
  stopHeartbeat(name: string): void {
    this.silent.add(name);
  }

  /** Brings a silent node back: it renews its Lease and posts Ready again, as a kubelet would. */
  async resumeHeartbeat(name: string): Promise<void> {
    if (!this.silent.delete(name)) return;
    const client = this.client as KubeClient;
    await this.renewLease(name);
    const now = timestamp(this.clock.now());
    await client.patch(
      `/api/v1/nodes/${name}/status`,
      {
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
              lastHeartbeatTime: now,
              lastTransitionTime: now,
            },
          ],
        },
      },
      'strategic',
    );
    // As a kubelet re-listing its pods: those deleted while it was silent are confirmed gone now.
    for (const pod of this.pods?.list() ?? []) if (pod.spec?.nodeName === name) this.onPod(pod);
  }

  private async renewLeases(): Promise<void> {
    await Promise.all(
      this.names.filter((n) => !this.silent.has(n)).map((n) => this.renewLease(n).catch(() => undefined)),
    );
  }

  private async renewLease(name: string): Promise<void> {
    const client = this.client as KubeClient;
    const spec = {
      holderIdentity: name,
      leaseDurationSeconds: 40,
      renewTime: new Date(this.clock.now()).toISOString().replace('Z', '000Z'),
    };
    try {
      await client.patch(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`, { spec });
    } catch (e) {
      if (!isStatus(e, 404)) throw e;
      await ensure(
        client.create('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace: 'kube-node-lease' },
          spec,
        }),
      );
    }
  }

  private forget(key: string): void {
    this.clock.clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.handled.delete(key);
  }

  private onPod(pod: V1Pod): void {
    const key = keyOf(pod);
    const client = this.client as KubeClient;
    const path = `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`;
    if (pod.metadata?.deletionTimestamp) {
      this.forget(key);
      client.delete(path, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } }).catch(() => undefined);
      return;
    }
    if (
      this.handled.has(key) ||
      pod.status?.phase === 'Running' ||
      pod.status?.phase === 'Succeeded' ||
      pod.status?.phase === 'Failed'
    )
      return;
    this.handled.add(key);
    this.timers.set(
      key,
      this.clock.setTimeout(() => {
        this.timers.delete(key);
        client.patch(`${path}/status`, { status: this.runningStatus(pod) }).then(
          () => this.scheduleCompletion(pod, path),
          () => this.handled.delete(key),
        );
      }, this.opts.podReadyDelayMs ?? 0),
    );
  }

  /** Finishes a Job's pod (or an annotated one) after its run time. */
  private scheduleCompletion(pod: V1Pod, path: string): void {
    const key = keyOf(pod);
    const annotated = pod.metadata?.annotations?.[SIM_COMPLETE_AFTER];
    const isJobPod = pod.metadata?.ownerReferences?.some((r) => r.controller && r.kind === 'Job');
    if (annotated === undefined && !isJobPod) return;
    const delay = annotated === undefined ? (this.opts.podCompleteDelayMs ?? 1000) : Number(annotated);
    if (!Number.isFinite(delay) || delay < 0 || !this.handled.has(key)) return;
    this.timers.set(
      key,
      this.clock.setTimeout(() => {
        this.timers.delete(key);
        const exitCode = Number(pod.metadata?.annotations?.[SIM_EXIT_CODE] ?? 0) || 0;
        const now = timestamp(this.clock.now());
        const cond = (
          type: string,
          status: string,
        ): { type: string; status: string; lastProbeTime: null; lastTransitionTime: Date; reason?: string } => ({
          type,
          status,
          lastProbeTime: null,
          lastTransitionTime: now,
          ...(status === 'False' ? { reason: 'PodCompleted' } : {}),
        });
        const status = {
          phase: exitCode === 0 ? 'Succeeded' : 'Failed',
          conditions: [
            cond('PodReadyToStartContainers', 'False'),
            cond('Initialized', 'True'),
            cond('Ready', 'False'),
            cond('ContainersReady', 'False'),
            cond('PodScheduled', 'True'),
          ],
          containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
            name: c.name,
            image: c.image ?? '',
            imageID: '',
            ready: false,
            started: false,
            restartCount: 0,
            containerID: `sim://${c.name}`,
            state: {
              terminated: {
                exitCode,
                reason: exitCode === 0 ? 'Completed' : 'Error',
                startedAt: now,
                finishedAt: now,
                containerID: `sim://${c.name}`,
              },
            },
          })),
        };
        (this.client as KubeClient).patch(`${path}/status`, { status }).catch(() => undefined);
      }, delay),
    );
  }

  private runningStatus(pod: V1Pod): NonNullable<V1Pod['status']> {
    const now = timestamp(this.clock.now());
    const node = this.names.indexOf(pod.spec?.nodeName ?? '');
    const n = this.handled.size;
    const cond = (type: string): { type: string; status: string; lastProbeTime: null; lastTransitionTime: Date } => ({
      type,
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: now,
    });
    return {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(
        cond,
      ) as unknown as NonNullable<V1Pod['status']>['conditions'],
      hostIP: `10.200.${Math.floor(node / 250)}.${(node % 250) + 1}`,
      podIP: `10.244.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`,
      startTime: now,
      containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready: true,
        started: true,
        restartCount: 0,
        containerID: `sim://${c.name}`,
        state: { running: { startedAt: now } },
      })),
    };
  }
}

async function ensure(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isStatus(e, 409)) throw e;
  }
}
