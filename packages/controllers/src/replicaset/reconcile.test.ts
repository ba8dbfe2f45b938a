import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podsToDelete, reconcileReplicaSet } from './reconcile.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const rs: V1ReplicaSet = {
  metadata: { name: 'web-abc', namespace: 'default', uid: 'rs-uid', generation: 3 },
  spec: {
    replicas: 3,
    minReadySeconds: 10,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } },
  },
};

function pod(
  name: string,
  opts: { node?: string; ready?: number; phase?: string; owned?: boolean; created?: number } = {},
): V1Pod {
  const ready =
    opts.ready !== undefined
      ? [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(opts.ready).toISOString() as unknown as Date }]
      : [];
  return {
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'web' },
      creationTimestamp: new Date(opts.created ?? NOW - 100_000).toISOString() as unknown as Date,
      ...(opts.owned === false
        ? {}
        : {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true },
            ],
          }),
    },
    spec: { containers: [], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: { phase: opts.phase ?? (opts.ready !== undefined ? 'Running' : 'Pending'), conditions: ready },
  };
}

describe('reconcileReplicaSet', () => {
  it('creates the missing pods and reports status with minReadySeconds', () => {
    const plan = reconcileReplicaSet(rs, {
      pods: [pod('a', { node: 'n', ready: NOW - 60_000 }), pod('b', { node: 'n', ready: NOW - 5_000 })],
      now: NOW,
      canManagePods: true,
    });
    expect(plan.actions).toContainEqual({ type: 'create', count: 1 });
    expect(plan.actions).toContainEqual({
      type: 'status',
      status: { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 3 },
    });
    expect(plan.requeueAfterMs).toBe(5_001);
  });

  it('replaces a terminating pod at once without counting it, and neither deletes nor adopts it', () => {
    const stuck = pod('stuck', { node: 'dead', ready: NOW - 60_000 });
    const terminating = { ...stuck, metadata: { ...stuck.metadata, deletionTimestamp: new Date(NOW - 30_000) } };
    const orphan = {
      ...pod('orphan', { node: 'dead', ready: NOW - 60_000, owned: false }),
      metadata: { ...pod('orphan', { owned: false }).metadata, deletionTimestamp: new Date(NOW) },
    };
    const plan = reconcileReplicaSet(rs, {
      pods: [
        pod('a', { node: 'n', ready: NOW - 60_000 }),
        pod('b', { node: 'n', ready: NOW - 60_000 }),
        terminating,
        orphan,
      ],
      now: NOW,
      canManagePods: true,
    });
    expect(plan.actions).toContainEqual({ type: 'create', count: 1 });
    expect(plan.actions.filter((a) => a.type === 'delete' || a.type === 'adopt')).toEqual([]);
    expect(plan.actions).toContainEqual({
      type: 'status',
      status: expect.objectContaining({ replicas: 2, readyReplicas: 2 }),
    });
  });

  it('adopts matching orphans and waits on expectations', () => {
    const plan = reconcileReplicaSet(rs, { pods: [pod('o', { owned: false })], now: NOW, canManagePods: false });
    expect(plan.actions[0]).toMatchObject({ type: 'adopt' });
    expect(plan.actions.some((a) => a.type === 'create')).toBe(false);
  });

  it('deletes unscheduled, then pending, then not-ready, then doubled-up, then newest-ready pods first', () => {
    const pods = [
      pod('ready-old', { node: 'n1', ready: NOW - 100_000 }),
      pod('ready-new', { node: 'n2', ready: NOW - 1_000 }),
      pod('unscheduled'),
      pod('pending', { node: 'n1' }),
      pod('notready', { node: 'n3', phase: 'Running' }),
    ];
    expect(podsToDelete(pods, 5, pods).map((p) => p.metadata?.name)).toEqual([
      'unscheduled',
      'pending',
      'notready',
      'ready-old',
      'ready-new',
    ]);
    const plan = reconcileReplicaSet(
      { ...rs, spec: { ...rs.spec!, replicas: 3 } },
      { pods, now: NOW, canManagePods: true },
    );
    const del = plan.actions.find((a) => a.type === 'delete');
    expect(del?.type === 'delete' && del.pods.map((p) => p.metadata?.name)).toEqual(['unscheduled', 'pending']);
  });
});
