import { describe, expect, it } from 'vitest';
import { KeyQueue, keyNamespace } from './key-queue.js';

describe('KeyQueue', () => {
  it('syncs a key once however often it was added before the sync', async () => {
    const synced: string[] = [];
    const q = new KeyQueue((k) => void synced.push(k), { delayMs: 1_000_000 });
    q.add('a');
    q.add('b');
    q.add('a');
    await q.flush();
    expect(synced).toEqual(['a', 'b']);
    q.stop();
  });

  it('retries a failing key after its back-off until it succeeds', async () => {
    let calls = 0;
    const done = new Promise<number>((resolve) => {
      const q = new KeyQueue(
        () => {
          calls++;
          if (calls < 3) throw new Error('conflict');
          resolve(calls);
          q.stop();
        },
        { baseDelayMs: 1 },
      );
      q.add('ns');
    });
    expect(await done).toBe(3);
  });

  it('reads the namespace of namespaced store keys only', () => {
    expect(keyNamespace('/registry/core/pods/team/web-1')).toBe('team');
    expect(keyNamespace('/registry/core/namespaces/team')).toBe('');
  });
});
