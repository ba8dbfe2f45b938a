// The in-memory window of recent store events and the watchers fed from it. Publishing happens
// right after a write commits, on the same tick, so a watcher never misses or reorders an event.
import type { StoredObject } from '@wharf/api';

export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  key: string;
  revision: number;
  object: StoredObject;
  /** The stored JSON text of `object`. */
  json: string;
  prevObject?: StoredObject;
}

/** Receives events; `undefined` means the watch was closed by the store (compaction or shutdown). */
export type WatchCallback = (ev: StoreEvent | undefined) => void;

export interface Watcher {
  stop(): void;
}

interface Subscription {
  prefix: string;
  cb: WatchCallback;
}

/** A ring of the most recent events plus the set of live watchers. */
export class EventWindow {
  private readonly ring: (StoreEvent | undefined)[];
  private start = 0;
  private count = 0;
  private readonly subs = new Set<Subscription>();
  /** Watches from a revision ≥ this can be served from memory. */
  oldestReplayable = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<StoreEvent | undefined>(capacity);
  }

  /** Empties the window; `revision` is the store's current revision. */
  reset(revision: number): void {
    this.start = 0;
    this.count = 0;
    this.oldestReplayable = revision;
  }

  publish(ev: StoreEvent): void {
    if (this.count === this.capacity) {
      const dropped = this.ring[this.start];
      this.start = (this.start + 1) % this.capacity;
      this.count--;
      if (dropped) this.oldestReplayable = dropped.revision;
    }
    this.ring[(this.start + this.count) % this.capacity] = ev;
    this.count++;
    for (const s of this.subs) if (ev.key.startsWith(s.prefix)) s.cb(ev);
  }

  /** Replays buffered events after `fromRevision` under `prefix`, then delivers live ones. */
  subscribe(prefix: string, fromRevision: number, cb: WatchCallback): Watcher {
    for (let i = 0; i < this.count; i++) {
      const ev = this.ring[(this.start + i) % this.capacity];
      if (ev && ev.revision > fromRevision && ev.key.startsWith(prefix)) cb(ev);
    }
    const sub: Subscription = { prefix, cb };
    this.subs.add(sub);
    return { stop: () => this.subs.delete(sub) };
  }

  /** The buffered events after `revision`, oldest first. */
  eventsAfter(revision: number): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (let i = 0; i < this.count; i++) {
      const ev = this.ring[(this.start + i) % this.capacity];
      if (ev && ev.revision > revision) out.push(ev);
    }
    return out;
  }

  /** Resolves true once `reached()` holds (checked after each event), or false after `ms`. */
  waitUntil(reached: () => boolean, ms: number): Promise<boolean> {
    if (reached()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const sub: Subscription = {
        prefix: '',
        cb: (ev) => {
          if (!ev || reached()) done(ev !== undefined);
        },
      };
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.subs.delete(sub);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), ms);
      this.subs.add(sub);
    });
  }

  /** History at or below `revision` is gone; the window itself keeps only newer events. */
  compacted(revision: number): void {
    if (revision > this.oldestReplayable) this.oldestReplayable = revision;
  }

  closeAll(): void {
    for (const s of this.subs) s.cb(undefined);
    this.subs.clear();
  }
}
