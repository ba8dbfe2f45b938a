import { describe, expect, it } from 'vitest';
import type { ConditionSpec } from '../config/monitor-config.js';
import { applyFindings, initialConditions, nextExpiry } from './conditions.js';

const deadlock: ConditionSpec = {
  type: 'KernelDeadlock',
  reason: 'KernelHasNoDeadlock',
  message: 'kernel has no deadlock',
  ttlMs: 60_000,
};
const ro: ConditionSpec = {
  type: 'ReadonlyFilesystem',
  reason: 'FilesystemIsNotReadOnly',
  message: 'Filesystem is not read-only',
};
const specs = [deadlock, ro];
const problem = (timeMs: number) => ({
  kind: 'permanent' as const,
  condition: 'KernelDeadlock',
  reason: 'DockerHung',
  message: 'task docker:1 blocked for more than 120 seconds.',
  timeMs,
});

describe('the condition state machine', () => {
  it('starts healthy on a Node without the conditions', () => {
    const s = initialConditions(specs, [], {}, 1000);
    expect([...s.values()].map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      'KernelDeadlock=False/KernelHasNoDeadlock',
      'ReadonlyFilesystem=False/FilesystemIsNotReadOnly',
    ]);
  });

  it('sets a condition on a permanent problem, and clears it on recovery with its healthy reason', () => {
    let s = initialConditions(specs, [], {}, 0);
    const set = applyFindings(specs, s, [problem(1000)], 1000);
    expect(set.changes.map((c) => `${c.to.type}: ${c.from.status} → ${c.to.status} ${c.to.reason}`)).toEqual([
      'KernelDeadlock: False → True DockerHung',
    ]);
    expect(set.states.get('KernelDeadlock')?.lastTransitionMs).toBe(1000);
    s = set.states;
    // The same problem again changes nothing (no new transition, no write).
    expect(applyFindings(specs, s, [problem(2000)], 2000).changes).toEqual([]);
    const cleared = applyFindings(specs, s, [{ kind: 'recovered', condition: 'KernelDeadlock', timeMs: 3000 }], 3000);
    expect(cleared.changes.map((c) => `${c.to.status} ${c.to.reason} ${c.to.message}`)).toEqual([
      'False KernelHasNoDeadlock kernel has no deadlock',
    ]);
    // A recovery of a healthy condition is not a change.
    expect(
      applyFindings(specs, cleared.states, [{ kind: 'recovered', condition: 'KernelDeadlock', timeMs: 4000 }], 4000)
        .changes,
    ).toEqual([]);
  });

  it('clears a condition when its TTL passes without a new problem, and says when that will be', () => {
    const s = applyFindings(specs, initialConditions(specs, [], {}, 0), [problem(1000)], 1000).states;
    expect(nextExpiry(specs, s)).toBe(61_000);
    const again = applyFindings(specs, s, [problem(30_000)], 30_000).states;
    expect(nextExpiry(specs, again)).toBe(90_000);
    expect(applyFindings(specs, again, [], 89_000).changes).toEqual([]);
    expect(applyFindings(specs, again, [], 90_000).changes.map((c) => c.to.status)).toEqual(['False']);
  });

  it('a restarted detector keeps what the Node shows: no flap to False and back, no transition rewritten', () => {
    const onNode = [
      {
        type: 'KernelDeadlock',
        status: 'True',
        reason: 'DockerHung',
        message: 'task docker:1 blocked',
        lastTransitionTime: '2026-12-05T10:00:00Z',
      },
    ];
    const s = initialConditions(
      specs,
      onNode,
      { KernelDeadlock: Date.parse('2026-12-05T10:00:30Z') },
      Date.parse('2026-12-05T10:00:40Z'),
    );
    expect(s.get('KernelDeadlock')).toMatchObject({
      status: 'True',
      reason: 'DockerHung',
      lastTransitionMs: Date.parse('2026-12-05T10:00:00Z'),
    });
    // The TTL counts from the last problem before the restart, not from the restart.
    expect(nextExpiry(specs, s)).toBe(Date.parse('2026-12-05T10:01:30Z'));
    expect(applyFindings(specs, s, [], Date.parse('2026-12-05T10:00:41Z')).changes).toEqual([]);
  });

  it('a custom plugin that cannot tell makes its condition Unknown, and OK clears it', () => {
    const s = initialConditions(specs, [], {}, 0);
    const unknown = applyFindings(
      specs,
      s,
      [{ kind: 'unknown', condition: 'ReadonlyFilesystem', reason: 'CheckFailed', message: 'timed out', timeMs: 5 }],
      5,
    );
    expect(unknown.changes.map((c) => c.to.status)).toEqual(['Unknown']);
    expect(
      applyFindings(
        specs,
        unknown.states,
        [{ kind: 'recovered', condition: 'ReadonlyFilesystem', timeMs: 6 }],
        6,
      ).changes.map((c) => c.to.status),
    ).toEqual(['False']);
  });
});
