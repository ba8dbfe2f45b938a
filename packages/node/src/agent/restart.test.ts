import { describe, expect, it } from 'vitest';
import { backoffDelay, podPhase, shouldRestart } from './restart.js';

describe('restart rules', () => {
  it('restarts per restartPolicy', () => {
    expect(shouldRestart('Always', 0)).toBe(true);
    expect(shouldRestart('OnFailure', 0)).toBe(false);
    expect(shouldRestart('OnFailure', 1)).toBe(true);
    expect(shouldRestart('Never', 1)).toBe(false);
  });
  it('backs off 0, 10 s, 20 s, … capped at 300 s', () => {
    expect([0, 1, 2, 3, 5, 6, 40].map((n) => backoffDelay(n))).toEqual([
      0, 10_000, 20_000, 40_000, 160_000, 300_000, 300_000,
    ]);
    expect(backoffDelay(2, { baseMs: 100 })).toBe(200);
  });
  it('computes the phase', () => {
    expect(podPhase(false, false, [{ kind: 'none' }])).toBe('Pending');
    expect(podPhase(true, true, [{ kind: 'none' }])).toBe('Failed');
    expect(podPhase(true, false, [{ kind: 'running' }, { kind: 'terminated', exitCode: 0 }])).toBe('Running');
    expect(podPhase(true, false, [{ kind: 'restarting' }])).toBe('Running');
    expect(podPhase(true, false, [{ kind: 'terminated', exitCode: 0 }])).toBe('Succeeded');
    expect(
      podPhase(true, false, [
        { kind: 'terminated', exitCode: 0 },
        { kind: 'terminated', exitCode: 2 },
      ]),
    ).toBe('Failed');
  });
});
