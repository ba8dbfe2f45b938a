import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ApiError } from './client.js';
import { EventRecorder } from './events.js';
import { Expectations } from './expectations.js';
import { PodControl, slowStartBatch } from './pod-control.js';

describe('slowStartBatch', () => {
  it('doubles the batch and stops after the first batch with a failure', async () => {
    const calls: number[] = [];
    const r = await slowStartBatch(10, 1, async (i) => {
      calls.push(i);
      if (i === 4) throw new Error('boom');
    });
    // batches 1, 2, 4: index 4 fails in the third batch; nothing after it is tried.
    expect(calls.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(r.successes).toBe(6);
    expect((r.error as Error).message).toBe('boom');
  });
});

describe('PodControl', () => {
  it('observes the pods it did not create so the expectations are met', async () => {
    let n = 0;
    const client = {
      create: async <T>(path: string, body: unknown): Promise<T> => {
        if (path.endsWith('/events')) return body as T;
        if (n++ >= 2)
          throw new ApiError({
            method: 'POST',
            path: 'pods',
            status: 403,
            body: '{"reason":"Forbidden","message":"quota"}',
          });
        return body as T;
      },
      delete: async <T>(): Promise<T> => undefined as T,
      patch: async <T>(): Promise<T> => undefined as T,
    };
    const expectations = new Expectations(() => 0);
    const events = new EventRecorder({ client, component: 'test' });
    const pc = new PodControl({ client, events, expectations });
    const pods: V1Pod[] = Array.from({ length: 5 }, () => ({ metadata: { generateName: 'p-', namespace: 'a' } }));
    expectations.expect('a/rs', 5, 0);
    await expect(pc.createPods('a/rs', { kind: 'ReplicaSet', namespace: 'a', name: 'rs' }, pods)).rejects.toThrow(
      'quota',
    );
    expect(n).toBe(3); // batches of 1 and 2; the third create fails and the rest are never tried
    expectations.observeAdd('a/rs');
    expectations.observeAdd('a/rs');
    expect(expectations.satisfied('a/rs')).toBe(true);
  });
});
