import { describe, expect, it } from 'vitest';
import { budgetNotes, planDrain, selects } from './drain.js';
import type { KubeObject } from './types.js';

const pod = (
  name: string,
  extra: Partial<KubeObject['metadata']> & { ownerReferences?: object[] } = {},
): KubeObject => ({ metadata: { name, namespace: 'default', ...extra } });

describe('draining a node from the console', () => {
  it('evicts all but DaemonSet and mirror pods, and names the pods no controller recreates', () => {
    const plan = planDrain([
      pod('web-1', { ownerReferences: [{ kind: 'ReplicaSet', controller: true }] }),
      pod('agent', { ownerReferences: [{ kind: 'DaemonSet', controller: true }] }),
      pod('static', { annotations: { 'kubernetes.io/config.mirror': 'x' } }),
      pod('loner'),
    ]);
    expect(plan.evict.map((p) => p.metadata.name)).toEqual(['web-1', 'loner']);
    expect(plan.stay.map((p) => p.metadata.name)).toEqual(['agent', 'static']);
    expect(plan.unmanaged).toEqual(['loner']);
  });
  it('names the budget that holds a pod, by its selector, with what it needs', () => {
    expect(selects({ matchLabels: { app: 'web' } }, { app: 'web', tier: 'a' })).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['b'] }] }, { tier: 'a' })).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, { app: 'web' })).toBe(true);
    expect(selects({}, { app: 'web' })).toBe(true);
    const budgets = [
      {
        metadata: { name: 'web-pdb' },
        spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: 1 },
        status: { currentHealthy: 1, desiredHealthy: 1, disruptionsAllowed: 0 },
      },
      { metadata: { name: 'db-pdb' }, spec: { selector: { matchLabels: { app: 'db' } }, maxUnavailable: 0 } },
    ];
    expect(budgetNotes(pod('web-1', { labels: { app: 'web' } }), budgets)).toEqual([
      'web-pdb (minAvailable 1): 1 healthy, 1 needed, 0 disruptions allowed',
    ]);
  });
});
