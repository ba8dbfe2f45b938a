// The runner of the remediation ladder: every pass lists the policies, the nodes and the pods of
// nodes under remediation, asks reconcileRemediation what to do and does it, recording each step as
// an Event on the Node. Passes are small (policies and nodes, plus pods of at most a few nodes), so
// plain lists every few seconds keep this runner simple and restart-safe: all state is on the Nodes.
import {
  EventRecorder,
  isStatus,
  PeriodicPass,
  realClock,
  silentLogger,
  type Clock,
  type KubeClient,
  type Logger,
} from '@wharf/client';
import { runHook } from './hook.js';
import {
  POLICIES_PATH,
  STATE_ANNOTATION,
  withDefaults,
  type NodeRemediation,
  type RemediationPolicy,
} from './policy.js';
import {
  reconcileRemediation,
  remediationState,
  type NodeLike,
  type PodLike,
  type RemediationAction,
} from './reconcile.js';

export interface RemediationControllerOptions {
  readonly client: Pick<KubeClient, 'get' | 'patch' | 'create'>;
  /** Time between passes. @default 2000 */
  readonly periodMs?: number;
  /** @default realClock */
  readonly clock?: Clock;
  /** @default silentLogger */
  readonly logger?: Logger;
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export class RemediationController {
  private readonly pass: PeriodicPass;
  private readonly events: EventRecorder;
  private readonly log: Logger;
  private readonly periodMs: number;
  private readonly hooks = new Set<string>();

  constructor(private readonly opts: RemediationControllerOptions) {
    const clock = opts.clock ?? realClock;
    this.periodMs = opts.periodMs ?? 2000;
    this.log = (opts.logger ?? silentLogger).child({ component: 'remediation-controller' });
    this.events = new EventRecorder({
      client: opts.client,
      component: 'remediation-controller',
      clock,
      onError: (e) => this.log.warn({ err: e }, 'writing an event failed'),
    });
    this.pass = new PeriodicPass({
      clock,
      run: () =>
        this.runPass().then(
          () => this.periodMs,
          (e: unknown) => {
            this.log.warn({ err: e }, 'remediation pass failed');
            return this.periodMs;
          },
        ),
    });
  }

  start(): void {
    this.pass.start();
  }

  async stop(): Promise<void> {
    await this.pass.stop();
  }

  private async runPass(): Promise<void> {
    const c = this.opts.client;
    let policies: RemediationPolicy[];
    try {
      policies = (await c.get<{ items: RemediationPolicy[] }>(POLICIES_PATH)).items;
    } catch (e) {
      if (isStatus(e, 404)) return; // the CRD is not installed (yet)
      throw e;
    }
    const nodes = (await c.get<{ items: NodeLike[] }>('/api/v1/nodes')).items;
    const podsByNode = new Map<string, PodLike[]>();
    for (const n of nodes.filter((x) => remediationState(x))) {
      podsByNode.set(
        n.metadata.name,
        (
          await c.get<{ items: PodLike[] }>(
            `/api/v1/pods?fieldSelector=spec.nodeName%3D${encodeURIComponent(n.metadata.name)}`,
          )
        ).items,
      );
    }
    const actions = reconcileRemediation({ policies: policies.map(withDefaults), nodes, podsByNode, now: new Date() });
    for (const a of actions) await this.act(a);
  }

  private nodeRef(node: string): { apiVersion: string; kind: string; name: string; uid: string } {
    return { apiVersion: 'v1', kind: 'Node', name: node, uid: node };
  }

  private async act(a: RemediationAction): Promise<void> {
    const c = this.opts.client;
    const path = `/api/v1/nodes/${a.node}`;
    // Evictions repeat every pass while a PodDisruptionBudget blocks them: debug, not info.
    this.log[a.type === 'evict' ? 'debug' : 'info'](
      { action: a.type, node: a.node, ...('pod' in a ? { pod: `${a.namespace}/${a.pod}` } : {}) },
      'remediation step',
    );
    switch (a.type) {
      case 'cordon': {
        const node = await c.get<{ spec?: { taints?: Taint[] } }>(path);
        const taints = (node.spec?.taints ?? []).filter((t) => t.key !== a.policy.taint.key);
        await c.patch(path, {
          metadata: { annotations: { [STATE_ANNOTATION]: JSON.stringify(a.state) } },
          spec: { unschedulable: true, taints: [...taints, a.policy.taint] },
        });
        this.events.emit(
          this.nodeRef(a.node),
          'Warning',
          'RemediationCordoned',
          `${a.policy.conditionType} is ${a.policy.conditionStatus}: tainted ${a.policy.taint.key}:${a.policy.taint.effect} and cordoned (policy ${a.policy.name})`,
        );
        return;
      }
      case 'evict':
        try {
          await c.create(`/api/v1/namespaces/${a.namespace}/pods/${a.pod}/eviction`, {
            apiVersion: 'policy/v1',
            kind: 'Eviction',
            metadata: { name: a.pod, namespace: a.namespace },
          });
          this.events.emit(this.nodeRef(a.node), 'Normal', 'RemediationEvicted', `evicted pod ${a.namespace}/${a.pod}`);
        } catch (e) {
          // 429: a PodDisruptionBudget does not allow it now; the next pass tries again.
          if (isStatus(e, 429))
            this.events.emit(
              this.nodeRef(a.node),
              'Warning',
              'RemediationDrainBlocked',
              `cannot evict pod ${a.namespace}/${a.pod}: its PodDisruptionBudget allows no disruption now`,
            );
          else if (!isStatus(e, 404)) throw e;
        }
        return;
      case 'step':
        await this.saveState(a.node, a.state);
        this.events.emit(this.nodeRef(a.node), 'Normal', a.reason, a.message);
        return;
      case 'hook':
        if (this.hooks.has(a.node)) return;
        this.hooks.add(a.node);
        await this.saveState(a.node, a.state);
        this.events.emit(
          this.nodeRef(a.node),
          'Normal',
          'RemediationHookStarted',
          `running the hook of policy ${a.policy.name}`,
        );
        void runHook(a.policy, a.node)
          .then(async (r) => {
            await this.saveState(a.node, { ...a.state, step: r.ok ? 'HookSucceeded' : 'HookFailed' });
            this.events.emit(
              this.nodeRef(a.node),
              r.ok ? 'Normal' : 'Warning',
              r.ok ? 'RemediationHookSucceeded' : 'RemediationHookFailed',
              r.detail,
            );
          })
          .catch((e: unknown) => this.log.warn({ err: e, node: a.node }, 'recording the hook result failed'))
          .finally(() => this.hooks.delete(a.node));
        return;
      case 'uncordon': {
        const node = await c.get<{ spec?: { taints?: Taint[] } }>(path);
        const taints = (node.spec?.taints ?? []).filter((t) => t.key !== a.state.taintKey);
        await c.patch(path, {
          metadata: { annotations: { [STATE_ANNOTATION]: null } },
          spec: { taints, ...(a.state.wasUnschedulable ? {} : { unschedulable: false }) },
        });
        this.events.emit(this.nodeRef(a.node), 'Normal', 'RemediationCompleted', a.message);
        return;
      }
      case 'defer':
        this.events.emit(this.nodeRef(a.node), 'Warning', 'RemediationDeferred', a.message);
        return;
    }
  }

  private async saveState(node: string, state: NodeRemediation): Promise<void> {
    await this.opts.client.patch(`/api/v1/nodes/${node}`, {
      metadata: { annotations: { [STATE_ANNOTATION]: JSON.stringify(state) } },
    });
  }
}
