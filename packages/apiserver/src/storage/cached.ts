// What both stores share: the in-memory copy every read is answered from, and the window of recent
// events watches are fed from. The back-ends differ in how they write and where the copy comes from.
import type { StoredObject } from '@wharf/api';
import { EventWindow } from './events.js';
import { KeyIndex, type Listed } from './memory.js';

export abstract class CachedStore {
  protected readonly entries = new KeyIndex();
  protected readonly window: EventWindow;
  /** The newest revision the copy reflects. */
  protected rev = 0;
  protected compactRev = 0;

  constructor(windowSize: number) {
    this.window = new EventWindow(windowSize);
  }

  /** The newest revision reads reflect. */
  get revision(): number {
    return this.rev;
  }

  /** Revisions at or below this are gone from history. */
  get compactedRevision(): number {
    return this.compactRev;
  }

  get(key: string): StoredObject | undefined {
    return this.entries.get(key)?.object;
  }

  /** The stored JSON text of a key (what the API returns), without re-serialising. */
  getJson(key: string): string | undefined {
    return this.entries.get(key)?.json;
  }

  list(prefix: string): Listed[] {
    return this.entries.list(prefix);
  }

  counts(): Map<string, number> {
    return this.entries.counts();
  }

  waitForRevision(revision: number, ms: number): Promise<boolean> {
    return this.window.waitUntil(() => this.rev >= revision, ms);
  }
}
