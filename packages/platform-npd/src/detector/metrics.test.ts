import { describe, expect, it } from 'vitest';
import type { ConditionState } from '../problems/conditions.js';
import { ProblemMetrics } from './metrics.js';

const state = (status: 'True' | 'False', reason: string): Map<string, ConditionState> =>
  new Map([['KernelDeadlock', { type: 'KernelDeadlock', status, reason, message: '', lastTransitionMs: 0 }]]);

describe('problem metrics', () => {
  it('counts problems by reason and gauges a condition by reason, reading 0 once it clears', () => {
    const m = new ProblemMetrics();
    m.count('TaskHung');
    m.count('TaskHung');
    m.observe(state('True', 'DockerHung'));
    expect(m.render(state('True', 'DockerHung'))).toContain('problem_counter{reason="TaskHung"} 2\n');
    expect(m.render(state('True', 'DockerHung'))).toContain(
      'problem_gauge{type="KernelDeadlock",reason="DockerHung"} 1\n',
    );
    m.observe(state('False', 'KernelHasNoDeadlock'));
    expect(m.render(state('False', 'KernelHasNoDeadlock'))).toContain(
      'problem_gauge{type="KernelDeadlock",reason="DockerHung"} 0\n',
    );
  });
});
