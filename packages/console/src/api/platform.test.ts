import { describe, expect, it } from 'vitest';
import { changesBetween, readyOf, stateOf, type Application } from './platform.js';

const app = (conditions: { type: string; status: string; reason?: string }[]): Application => ({
  metadata: { name: 'shop' },
  spec: { components: [{ name: 'web', replicas: 3, runtime: { image: 'busybox:1' } }] },
  status: { conditions, components: [{ name: 'web', replicas: 3, readyReplicas: 2, updatedReplicas: 2 }] },
});

describe("the Applications page's reading of an Application", () => {
  it('states it as `wharf app ls` does: Degraded over Progressing over Ready', () => {
    expect(stateOf(app([]))).toBe('Pending');
    expect(stateOf(app([{ type: 'Ready', status: 'True', reason: 'Available' }]))).toBe('Ready');
    expect(
      stateOf(
        app([
          { type: 'Ready', status: 'True' },
          { type: 'Progressing', status: 'True', reason: 'Canary' },
        ]),
      ),
    ).toBe('Canary');
    expect(
      stateOf(
        app([
          { type: 'Progressing', status: 'True', reason: 'Canary' },
          { type: 'Degraded', status: 'True', reason: 'CrashLooping' },
        ]),
      ),
    ).toBe('CrashLooping');
    expect(stateOf(app([{ type: 'Ready', status: 'False', reason: 'PodsNotReady' }]))).toBe('PodsNotReady');
  });
  it('counts ready pods from status and desired from the spec', () => {
    expect(readyOf(app([]), 'web')).toEqual({ ready: 2, desired: 3 });
    expect(readyOf(app([]), 'absent')).toEqual({ ready: 0, desired: 1 });
  });
  it('diffs two config versions per key, sorted', () => {
    expect(changesBetween({ A: '1', B: 'x', C: 'same' }, { B: 'y', C: 'same', D: 'new' })).toEqual([
      { key: 'A', change: 'removed', before: '1' },
      { key: 'B', change: 'changed', before: 'x', after: 'y' },
      { key: 'D', change: 'added', after: 'new' },
    ]);
  });
});
