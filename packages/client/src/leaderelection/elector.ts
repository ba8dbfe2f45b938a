// The runner of leader election: reads the Lease, acts on decideLeadership, renews while leading
// and steps down when renewals fail for longer than renewDeadline or another holder appears.
import { leaderStatus } from '../queue-metrics.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { V1Lease } from '@kubernetes/client-node';
import { withDefaults, type Resolved } from '@wharf/api';
import { isStatus, type KubeClient } from '../client.js';
import { realClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../log.js';
import { decideLeadership, releasedLease } from './decide.js';

export interface LeaderElectorOptions {
  readonly client: Pick<KubeClient, 'get' | 'create' | 'replace'>;
  /** @default 'kube-system' */
  readonly namespace?: string;
  /** @default 'wharf-controller-manager' */
  readonly name?: string;
  /** @default `${hostname}_${pid}-${uuid}` */
  readonly identity?: string;
  /** @default 15 */
  readonly leaseDurationSeconds?: number;
  /** How often the leader renews. @default 2000 */
  readonly renewIntervalMs?: number;
  /** How often a candidate retries. @default 2000 */
  readonly retryIntervalMs?: number;
  /** A leader that could not renew for this long steps down. @default 10000 */
  readonly renewDeadlineMs?: number;
  /** @default realClock */
  readonly clock?: Clock;
  readonly onStartedLeading: () => Promise<void> | void;
  readonly onStoppedLeading: () => Promise<void> | void;
  /** Failures of lease writes and of the callbacks go here at warn. @default silentLogger */
  readonly logger?: Logger;
}

/** The options with every default applied: what the elector reads. */
export type ResolvedLeaderElectorOptions = Resolved<
  LeaderElectorOptions,
  | 'namespace'
  | 'name'
  | 'identity'
  | 'leaseDurationSeconds'
  | 'renewIntervalMs'
  | 'retryIntervalMs'
  | 'renewDeadlineMs'
  | 'clock'
  | 'logger'
>;

/** Applies the defaults once, so the elector never repeats them where it reads an option. */
export function resolveLeaderElectorOptions(o: LeaderElectorOptions): ResolvedLeaderElectorOptions {
  return withDefaults(
    {
      namespace: 'kube-system',
      name: 'wharf-controller-manager',
      identity: o.identity ?? defaultIdentity(),
      leaseDurationSeconds: 15,
      renewIntervalMs: 2000,
      retryIntervalMs: 2000,
      renewDeadlineMs: 10_000,
      clock: realClock,
      logger: silentLogger,
    },
    o,
  );
}

export function defaultIdentity(): string {
  return `${hostname()}_${process.pid}-${randomUUID()}`;
}

export class LeaderElector {
  readonly identity: string;
  private readonly opts: ResolvedLeaderElectorOptions;
  private readonly clock: Clock;
  private readonly path: string;
  private isLeading = false;
  /** Our last write to the Lease succeeded: we hold it, whether or not we act as leader yet. */
  private holds = false;
  private lastRenew = -Infinity;
  private timer: unknown;
  private running = false;
  private inFlight: Promise<void> = Promise.resolve();
  /** Leadership callbacks run one after another, never overlapping. */
  private transitions: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectorOptions) {
    this.opts = resolveLeaderElectorOptions(options);
    this.identity = this.opts.identity;
    this.clock = this.opts.clock;
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${this.opts.namespace}/leases`;
  }

  get leading(): boolean {
    return this.isLeading;
  }

  private get name(): string {
    return this.opts.name;
  }

  /** Starts campaigning; resolves after the first attempt (and its leadership callback) with whether we lead. */
  async start(): Promise<boolean> {
    if (this.running) return this.isLeading;
    this.running = true;
    await this.tick();
    await this.transitions;
    return this.isLeading;
  }

  /** Stops campaigning; a leader stops its work first, then releases the Lease. */
  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    await this.inFlight;
    this.setLeading(false);
    await this.transitions;
    if (this.holds)
      await this.release().catch((e: unknown) =>
        this.opts.logger.warn({ err: e }, 'leader election: releasing the lease failed'),
      );
  }

  private tick(): Promise<void> {
    this.inFlight = this.attempt().then(() => {
      if (!this.running) return;
      const next = this.isLeading ? this.opts.renewIntervalMs : this.opts.retryIntervalMs;
      this.timer = this.clock.setTimeout(() => void this.tick(), next);
    });
    return this.inFlight;
  }

  private async attempt(): Promise<void> {
    const now = this.clock.now();
    try {
      const current = await this.read();
      const decision = decideLeadership(
        current,
        {
          namespace: this.opts.namespace,
          name: this.name,
          identity: this.identity,
          leaseDurationSeconds: this.opts.leaseDurationSeconds,
        },
        now,
      );
      if (decision.type === 'wait') {
        // Another live holder: whatever we believed, we are not the leader.
        this.holds = false;
        this.setLeading(false);
        return;
      }
      if (decision.type === 'create') await this.opts.client.create(this.path, decision.lease);
      else await this.opts.client.replace(`${this.path}/${this.name}`, decision.lease);
      this.lastRenew = now;
      this.holds = true;
      if (this.running) this.setLeading(true);
    } catch (e) {
      // 409: someone else wrote first; the next read shows who.
      if (!isStatus(e, 409)) this.opts.logger.warn({ err: e }, 'leader election: lease update failed');
      if (this.isLeading && this.clock.now() - this.lastRenew > this.opts.renewDeadlineMs) {
        this.holds = false;
        this.setLeading(false);
      }
    }
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.opts.client.get<V1Lease>(`${this.path}/${this.name}`);
    } catch (e) {
      if (isStatus(e, 404)) return undefined;
      throw e;
    }
  }

  private async release(): Promise<void> {
    const current = await this.read();
    if (!current || current.spec?.holderIdentity !== this.identity) return;
    await this.opts.client.replace(`${this.path}/${this.name}`, releasedLease(current, this.clock.now()));
  }

  private setLeading(leading: boolean): void {
    if (leading === this.isLeading) return;
    this.isLeading = leading;
    leaderStatus(this.opts.name, leading);
    const cb = leading ? this.opts.onStartedLeading : this.opts.onStoppedLeading;
    this.transitions = this.transitions
      .then(cb)
      .catch((e: unknown) =>
        this.opts.logger.error({ err: e }, `leader election: ${leading ? 'start' : 'stop'} callback failed`),
      );
  }
}

/** What a controller manager may tune of its election. */
export type LeaderElectionOptions = Omit<
  LeaderElectorOptions,
  'client' | 'clock' | 'onStartedLeading' | 'onStoppedLeading' | 'logger'
>;
