import type { V1OwnerReference, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { timestamp } from '@wharf/client';
import { reconcileDisruptionBudget, scaledValue } from './reconcile.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

function pdb(
  spec: { minAvailable?: number | string; maxUnavailable?: number | string },
  status?: V1PodDisruptionBudget['status'],
): V1PodDisruptionBudget {
  return {
    metadata: { name: 'web', namespace: 'default', generation: 2 },
    spec: { selector: { matchLabels: { app: 'web' } }, ...(spec as object) },
    ...(status ? { status } : {}),
  };
}

function pod(name: string, ready: boolean, owner = 'rs-1', deleting = false): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'web' },
      ownerReferences: owner
        ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }]
        : [],
      ...(deleting ? { deletionTimestamp: new Date(NOW) } : {}),
    },
    spec: { containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

// The ReplicaSet belongs to a Deployment scaled to 5.
const scaleOf = (ref: V1OwnerReference): { key: string; scale: number } | undefined =>
  ref.uid === 'rs-1' ? { key: 'deploy-1', scale: 5 } : undefined;

describe('reconcileDisruptionBudget', () => {
  const pods = [pod('a', true), pod('b', true), pod('c', true), pod('d', false), pod('e', true, 'rs-1', true)];

  it('minAvailable as a number counts against the pods there are', () => {
    const { status } = reconcileDisruptionBudget(pdb({ minAvailable: 2 }), { pods, scaleOf, now: NOW });
    expect(status).toMatchObject({
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 5,
      disruptionsAllowed: 1,
      observedGeneration: 2,
    });
    expect(status?.conditions).toEqual([
      {
        type: 'DisruptionAllowed',
        status: 'True',
        reason: 'SufficientPods',
        message: '',
        observedGeneration: 2,
        lastTransitionTime: timestamp(NOW),
      },
    ]);
  });

  it('maxUnavailable and percentages count against the controller scale', () => {
    expect(reconcileDisruptionBudget(pdb({ maxUnavailable: 1 }), { pods, scaleOf, now: NOW }).status).toMatchObject({
      expectedPods: 5,
      desiredHealthy: 4,
      disruptionsAllowed: 0,
    });
    expect(reconcileDisruptionBudget(pdb({ maxUnavailable: '40%' }), { pods, scaleOf, now: NOW }).status).toMatchObject(
      { expectedPods: 5, desiredHealthy: 3, disruptionsAllowed: 0 },
    );
    expect(reconcileDisruptionBudget(pdb({ minAvailable: '50%' }), { pods, scaleOf, now: NOW }).status).toMatchObject({
      expectedPods: 5,
      desiredHealthy: 3,
      disruptionsAllowed: 0,
    });
    const orphans = [pod('x', true, ''), pod('y', true, '')];
    expect(
      reconcileDisruptionBudget(pdb({ maxUnavailable: '50%' }), { pods: orphans, scaleOf, now: NOW }).status,
    ).toMatchObject({ expectedPods: 2, desiredHealthy: 1, disruptionsAllowed: 1 });
    const s = reconcileDisruptionBudget(pdb({ minAvailable: 4 }), { pods, scaleOf, now: NOW }).status;
    expect(s?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'InsufficientPods' });
    expect(scaledValue('25%', 3)).toBe(1);
  });

  it('holds recently evicted pods out of the count and skips unchanged writes', () => {
    const first = reconcileDisruptionBudget(
      pdb({ minAvailable: 2 }, {
        disruptedPods: { a: timestamp(NOW - 60_000), zz: timestamp(NOW) },
      } as unknown as V1PodDisruptionBudget['status']),
      { pods, scaleOf, now: NOW },
    );
    expect(first.status).toMatchObject({
      currentHealthy: 2,
      disruptionsAllowed: 0,
      disruptedPods: { a: timestamp(NOW - 60_000) },
    });
    expect(first.requeueAfterMs).toBe(60_001);
    const expired = reconcileDisruptionBudget(
      pdb({ minAvailable: 2 }, {
        disruptedPods: { a: timestamp(NOW - 120_000) },
      } as unknown as V1PodDisruptionBudget['status']),
      { pods, scaleOf, now: NOW },
    );
    expect(expired.status).toMatchObject({ currentHealthy: 3, disruptedPods: {} });
    const settled = reconcileDisruptionBudget(pdb({ minAvailable: 2 }, expired.status), {
      pods,
      scaleOf,
      now: NOW + 5_000,
    });
    expect(settled).toEqual({});
  });
});
