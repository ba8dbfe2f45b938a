import { describe, expect, it } from 'vitest';
import { groupRuns } from './pod-runs.js';

describe('groupRuns', () => {
  it('groups consecutive batched actions and keeps the order of the plan', () => {
    const plan = [
      { type: 'rev' },
      { type: 'create', n: 1 },
      { type: 'create', n: 2 },
      { type: 'claim' },
      { type: 'create', n: 3 },
      { type: 'status' },
      { type: 'status' },
    ];
    expect(groupRuns(plan, ['create']).map((run) => run.map((a) => a.type).join('+'))).toEqual([
      'rev',
      'create+create',
      'claim',
      'create',
      'status',
      'status',
    ]);
  });
});
