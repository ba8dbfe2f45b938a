// Records core/v1 Events (what `kubectl describe` shows) without blocking the caller: an event
// that cannot be written is reported to onError and dropped, as client-go's broadcaster does. A
// repeat of the same reason and message for the same object bumps the count and lastTimestamp of
// the event already written instead of writing a new one. Events are written one at a time, in
// order, as client-go's sink goroutine writes them: a burst of them (four per pod start on a node)
// then neither opens a connection per event nor crowds out the writes a user waits on (pod
// status) at the API server; they follow a little later.
import { randomBytes } from 'node:crypto';
import type { KubeClient } from './client.js';
import { realClock, timestamp, type Clock } from './clock.js';

/** The object an event is about (an ObjectReference); `fieldPath` e.g. `spec.containers{web}`. */
export interface EventTarget {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly fieldPath?: string;
}

/** An object an event is about, as read from the API (its apiVersion and kind set). */
export interface EventObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly namespace?: string;
    readonly name?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
  };
}

/** The reference to an object, for an event about it. */
export function eventTarget(o: EventObject): EventTarget {
  const m = o.metadata ?? {};
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    namespace: m.namespace,
    name: m.name,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
  };
}

export interface EventRecorderOptions {
  readonly client: Pick<KubeClient, 'create' | 'patch'>;
  /** source.component and reportingComponent, e.g. `kubelet`, `replicaset-controller`. */
  readonly component: string;
  /** source.host (the node, for the kubelet). @default none */
  readonly host?: string;
  /** reportingInstance. @default host, else component */
  readonly instance?: string;
  /** @default realClock */
  readonly clock?: Clock;
  /** @default ignore */
  readonly onError?: (e: unknown) => void;
  /** How many distinct events are remembered for aggregation. @default 4096 */
  readonly maxRemembered?: number;
  /** How many events may wait to be written; more are dropped (reported to onError). @default 1000 */
  readonly maxQueued?: number;
}

interface Written {
  readonly namespace: string;
  readonly name: string;
  count: number;
}

export class EventRecorder {
  private readonly written = new Map<string, Written>();
  private readonly clock: Clock;
  private readonly maxRemembered: number;
  /** The events not written yet, oldest first; `sending` while one of them is being written. */
  private readonly queue: (() => Promise<void>)[] = [];
  private sending = false;

  constructor(private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
    this.maxRemembered = opts.maxRemembered ?? 4096;
  }

  /** Fire and forget: never fails the caller. */
  emit(about: EventTarget | EventObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const target = ('metadata' in about ? eventTarget(about) : about) as EventTarget;
    if (this.queue.length >= (this.opts.maxQueued ?? 1000)) {
      this.opts.onError?.(new Error(`event queue full: dropped ${reason} about ${target.name ?? 'unknown'}`));
      return;
    }
    const at = this.clock.now();
    this.queue.push(() => this.write(target, type, reason, message, at));
    if (!this.sending) void this.drain();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      await next().catch((e: unknown) => this.opts.onError?.(e));
    }
    this.sending = false;
  }

  /** Forgets the events of an object (after it is gone). */
  forget(uid: string): void {
    for (const k of this.written.keys()) if (k.startsWith(`${uid}/`)) this.written.delete(k);
  }

  /** Writes one event that happened at `at` (ms, the clock's). */
  private async write(target: EventTarget, type: string, reason: string, message: string, at: number): Promise<void> {
    const now = timestamp(at);
    const ns = target.namespace || 'default';
    const key = `${target.uid ?? ''}/${target.fieldPath ?? ''}/${reason}/${message}`;
    const seen = this.written.get(key);
    if (seen) {
      seen.count += 1;
      try {
        await this.opts.client.patch(`/api/v1/namespaces/${seen.namespace}/events/${seen.name}`, {
          count: seen.count,
          lastTimestamp: now,
        });
        return;
      } catch {
        this.written.delete(key); // gone (TTL, namespace deleted): write a new one
      }
    }
    const name = `${target.name ?? 'unknown'}.${at.toString(16)}${randomBytes(4).toString('hex')}`;
    this.remember(key, { namespace: ns, name, count: 1 });
    const instance = this.opts.instance ?? this.opts.host ?? this.opts.component;
    await this.opts.client.create(`/api/v1/namespaces/${ns}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: Object.fromEntries(Object.entries(target).filter(([, v]) => v !== undefined)),
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      reportingComponent: this.opts.component,
      reportingInstance: instance,
    });
  }

  private remember(key: string, w: Written): void {
    this.written.set(key, w);
    if (this.written.size > this.maxRemembered) {
      const oldest = this.written.keys().next().value;
      if (oldest !== undefined) this.written.delete(oldest);
    }
  }
}
