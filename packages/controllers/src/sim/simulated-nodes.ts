// KWOK-style simulated nodes for tests and benchmarks: registers N fake nodes with capacity and
// zone labels, renews their Leases in kube-node-lease, reports pods bound to them Running and
// Ready after a delay, and removes pods marked for deletion at once. No containers run.
import type { KubeConfig, V1Node, V1Pod } from '@kubernetes/client-node';
import { isStatus, KubeClient } from '../runtime/client.js';
import { realClock, timestamp, type Clock } from '../runtime/clock.js';
import { Informer, keyOf } from '../runtime/informer.js';

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
}

export class SimulatedNodes {
  private client: KubeClient | undefined;
  private pods: Informer<V1Pod> | undefined;
  private heartbeat: unknown;
  private readonly timers = new Map<string, unknown>();
  private readonly handled = new Set<string>();
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
    const client = (this.client = await KubeClient.fromKubeConfig(this.opts.kubeConfig));
    await ensure(client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-node-lease' } }));
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
          'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok',
          'topology.kubernetes.io/zone': this.zoneOf(i), ...(this.opts.labels ?? {}),
        },
        annotations: { 'kwok.x-k8s.io/node': 'fake' },
      },
      spec: {},
      status: {
        capacity, allocatable: capacity, phase: 'Running',
        addresses: [{ type: 'InternalIP', address: `10.200.${Math.floor(i / 250)}.${(i % 250) + 1}` }, { type: 'Hostname', address: name }],
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
          ...['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({ type, status: 'False', reason: `KubeletHasNo${type}`, lastHeartbeatTime: now, lastTransitionTime: now })),
        ],
        nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'v1.32.0-wharf-sim', kubeProxyVersion: '', containerRuntimeVersion: 'sim://0', kernelVersion: '', osImage: 'simulated', machineID: '', systemUUID: '', bootID: '' },
      },
    };
    await ensure(client.create('/api/v1/nodes', node));
    await this.renewLease(name);
  }

  private async renewLeases(): Promise<void> {
    await Promise.all(this.names.map((n) => this.renewLease(n).catch(() => undefined)));
  }

  private async renewLease(name: string): Promise<void> {
    const client = this.client as KubeClient;
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date(this.clock.now()).toISOString().replace('Z', '000Z') };
    try {
      await client.patch(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`, { spec });
    } catch (e) {
      if (!isStatus(e, 404)) throw e;
      await ensure(client.create('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec }));
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
      client.delete(path, { gracePeriodSeconds: 0 }).catch(() => undefined);
      return;
    }
    if (this.handled.has(key) || pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    this.handled.add(key);
    this.timers.set(key, this.clock.setTimeout(() => {
      this.timers.delete(key);
      client.patch(`${path}/status`, { status: this.runningStatus(pod) }).catch(() => this.handled.delete(key));
    }, this.opts.podReadyDelayMs ?? 0));
  }

  private runningStatus(pod: V1Pod): NonNullable<V1Pod['status']> {
    const now = timestamp(this.clock.now());
    const node = this.names.indexOf(pod.spec?.nodeName ?? '');
    const n = this.handled.size;
    const cond = (type: string): { type: string; status: string; lastProbeTime: null; lastTransitionTime: Date } => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
    return {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond) as unknown as NonNullable<V1Pod['status']>['conditions'],
      hostIP: `10.200.${Math.floor(node / 250)}.${(node % 250) + 1}`,
      podIP: `10.244.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`,
      startTime: now,
      containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name, image: c.image ?? '', imageID: '', ready: true, started: true, restartCount: 0, containerID: `sim://${c.name}`, state: { running: { startedAt: now } },
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
