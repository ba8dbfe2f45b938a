import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podTemplateHash } from './hash.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, reconcileDeployment, REVISION, type DeploymentAction } from './reconcile.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

function deployment(image: string, replicas = 3, extra: Partial<V1Deployment['spec']> = {}): V1Deployment {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 2, annotations: { [REVISION]: '1' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
      ...extra,
    },
    status: {
      observedGeneration: 1,
      replicas,
      updatedReplicas: replicas,
      availableReplicas: replicas,
      readyReplicas: replicas,
    },
  };
}

function rsFor(
  d: V1Deployment,
  image: string,
  replicas: number,
  available: number,
  revision: string,
  created: string,
): V1ReplicaSet {
  const hash = podTemplateHash({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });
  return {
    metadata: {
      name: `web-${hash}`,
      namespace: 'default',
      uid: `rs-${image}`,
      creationTimestamp: new Date(created),
      generation: 1,
      labels: { app: 'web', 'pod-template-hash': hash },
      annotations: { [REVISION]: revision, [DESIRED_REPLICAS]: String(d.spec?.replicas), [MAX_REPLICAS]: '4' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }],
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
      template: {
        metadata: { labels: { app: 'web', 'pod-template-hash': hash } },
        spec: { containers: [{ name: 'c', image }] },
      },
    },
    status: { replicas, availableReplicas: available, readyReplicas: available, observedGeneration: 1 },
  };
}

const scaled = (actions: DeploymentAction[]): Record<string, number> =>
  Object.fromEntries(
    actions.flatMap((a) =>
      a.type === 'updateReplicaSet' || a.type === 'createReplicaSet'
        ? [[a.rs.metadata?.name ?? '', a.rs.spec?.replicas ?? 0]]
        : [],
    ),
  );

describe('reconcileDeployment', () => {
  it('creates the first ReplicaSet with the hash label, selector and revision 1', () => {
    const d = deployment('nginx:1', 3);
    d.metadata!.annotations = {};
    d.status = {};
    const plan = reconcileDeployment(d, { replicaSets: [], pods: [], now: NOW });
    const create = plan.actions.find((a) => a.type === 'createReplicaSet');
    expect(create?.type).toBe('createReplicaSet');
    if (create?.type !== 'createReplicaSet') return;
    const hash = create.rs.metadata?.labels?.['pod-template-hash'];
    expect(create.rs.metadata?.name).toBe(`web-${hash}`);
    expect(create.rs.spec?.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(create.rs.spec?.replicas).toBe(3);
    expect(create.rs.metadata?.annotations).toMatchObject({
      [REVISION]: '1',
      [DESIRED_REPLICAS]: '3',
      [MAX_REPLICAS]: '4',
    });
    expect(create.rs.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      controller: true,
      blockOwnerDeletion: true,
    });
    const status = plan.actions.find((a) => a.type === 'status');
    expect(status?.type === 'status' && status.status.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe(
      'NewReplicaSetCreated',
    );
  });

  it('surges the new ReplicaSet by maxSurge first (10 replicas: 25% → 3)', () => {
    const d = deployment('nginx:2', 10);
    const old = rsFor(d, 'nginx:1', 10, 10, '1', '2024-01-01T00:00:00Z');
    const plan = reconcileDeployment(d, { replicaSets: [old], pods: [], now: NOW });
    const created = plan.actions.find((a) => a.type === 'createReplicaSet');
    expect(created?.type === 'createReplicaSet' && created.rs.spec?.replicas).toBe(3);
    expect(created?.type === 'createReplicaSet' && created.rs.metadata?.annotations?.[REVISION]).toBe('2');
  });

  it('scales old ReplicaSets down while availability stays at replicas - maxUnavailable', () => {
    const d = deployment('nginx:2', 10);
    const old = rsFor(d, 'nginx:1', 10, 10, '1', '2024-01-01T00:00:00Z');
    const fresh = rsFor(d, 'nginx:2', 3, 0, '2', '2024-06-01T00:00:00Z');
    // 13 pods, 10 available, minAvailable 8, 3 new unavailable: 13 - 8 - 3 = 2 may go.
    const plan = reconcileDeployment(d, { replicaSets: [old, fresh], pods: [], now: NOW });
    expect(scaled(plan.actions)[old.metadata!.name!]).toBe(8);
  });

  it('takes unhealthy old pods first and never goes below minAvailable', () => {
    const d = deployment('nginx:2', 4);
    const old = rsFor(d, 'nginx:1', 4, 2, '1', '2024-01-01T00:00:00Z');
    const fresh = rsFor(d, 'nginx:2', 1, 0, '2', '2024-06-01T00:00:00Z');
    // maxSurge 1, maxUnavailable 1: 5 pods, minAvailable 3, new unavailable 1 → 1 may go (an unhealthy one).
    const plan = reconcileDeployment(d, { replicaSets: [old, fresh], pods: [], now: NOW });
    expect(scaled(plan.actions)[old.metadata!.name!]).toBe(3);
  });

  it('reports complete with NewReplicaSetAvailable and cleans up beyond revisionHistoryLimit', () => {
    const d = deployment('nginx:3', 2, { revisionHistoryLimit: 1 });
    const r1 = rsFor(d, 'nginx:1', 0, 0, '1', '2024-01-01T00:00:00Z');
    const r2 = rsFor(d, 'nginx:2', 0, 0, '2', '2024-02-01T00:00:00Z');
    const r3 = rsFor(d, 'nginx:3', 2, 2, '3', '2024-03-01T00:00:00Z');
    const plan = reconcileDeployment(d, { replicaSets: [r1, r2, r3], pods: [], now: NOW });
    expect(
      plan.actions
        .filter((a) => a.type === 'deleteReplicaSet')
        .map((a) => a.type === 'deleteReplicaSet' && a.rs.metadata?.name),
    ).toEqual([r1.metadata!.name]);
    const status = plan.actions.find((a) => a.type === 'status');
    expect(status?.type === 'status' && status.status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 0,
      observedGeneration: 2,
    });
    expect(status?.type === 'status' && status.status.conditions?.map((c) => c.reason).sort()).toEqual([
      'MinimumReplicasAvailable',
      'NewReplicaSetAvailable',
    ]);
  });

  it('reports ProgressDeadlineExceeded once the deadline passes without progress', () => {
    const d = deployment('nginx:2', 2, { progressDeadlineSeconds: 10 });
    const old = rsFor(d, 'nginx:1', 1, 1, '1', '2024-01-01T00:00:00Z');
    const fresh = rsFor(d, 'nginx:2', 2, 0, '2', '2024-06-01T00:00:00Z');
    const t = new Date(NOW - 60_000).toISOString() as unknown as Date;
    d.status = {
      observedGeneration: 2,
      replicas: 3,
      updatedReplicas: 2,
      availableReplicas: 1,
      readyReplicas: 1,
      conditions: [
        { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: t, lastTransitionTime: t },
      ],
    };
    const plan = reconcileDeployment(d, { replicaSets: [old, fresh], pods: [], now: NOW });
    const status = plan.actions.find((a) => a.type === 'status');
    expect(status?.type === 'status' && status.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });
  });

  it('Recreate scales old to 0 first and creates the new ReplicaSet once old pods are gone', () => {
    const d = deployment('nginx:2', 2, { strategy: { type: 'Recreate' } });
    const old = rsFor(d, 'nginx:1', 2, 2, '1', '2024-01-01T00:00:00Z');
    const p1 = reconcileDeployment(d, { replicaSets: [old], pods: [], now: NOW });
    expect(scaled(p1.actions)).toEqual({ [old.metadata!.name!]: 0 });
    const gone = { ...old, spec: { ...old.spec!, replicas: 0 }, status: { replicas: 0 } };
    const p2 = reconcileDeployment(d, { replicaSets: [gone], pods: [], now: NOW });
    const created = p2.actions.find((a) => a.type === 'createReplicaSet');
    expect(created?.type === 'createReplicaSet' && created.rs.spec?.replicas).toBe(2);
  });

  it('a rollback to an older template reuses its ReplicaSet under a new revision', () => {
    const d = deployment('nginx:1', 2);
    const r1 = rsFor(d, 'nginx:1', 0, 0, '1', '2024-01-01T00:00:00Z');
    const r2 = rsFor(d, 'nginx:2', 2, 2, '2', '2024-02-01T00:00:00Z');
    const plan = reconcileDeployment(d, { replicaSets: [r1, r2], pods: [], now: NOW });
    const up = plan.actions.find((a) => a.type === 'updateReplicaSet' && a.rs.metadata?.name === r1.metadata?.name);
    expect(up?.type === 'updateReplicaSet' && up.rs.metadata?.annotations).toMatchObject({
      [REVISION]: '3',
      'deployment.kubernetes.io/revision-history': '1',
    });
    expect(plan.actions.find((a) => a.type === 'annotateDeployment')).toMatchObject({
      annotations: { [REVISION]: '3' },
    });
  });

  it('a paused Deployment only scales', () => {
    const d = deployment('nginx:2', 5, { paused: true });
    const old = rsFor(d, 'nginx:1', 3, 3, '1', '2024-01-01T00:00:00Z');
    const plan = reconcileDeployment(d, { replicaSets: [old], pods: [], now: NOW });
    expect(plan.actions.some((a) => a.type === 'createReplicaSet')).toBe(false);
    expect(scaled(plan.actions)).toEqual({ [old.metadata!.name!]: 5 });
  });

  it('scales proportionally mid-rollout', () => {
    const d = deployment('nginx:2', 20);
    // Was 10 (max 13); 8 old + 5 new; scaling to 20 (max 25): +12 split by size.
    const old = rsFor(d, 'nginx:1', 8, 8, '1', '2024-01-01T00:00:00Z');
    const fresh = rsFor(d, 'nginx:2', 5, 0, '2', '2024-06-01T00:00:00Z');
    for (const rs of [old, fresh])
      rs.metadata!.annotations = { ...rs.metadata!.annotations, [DESIRED_REPLICAS]: '10', [MAX_REPLICAS]: '13' };
    const plan = reconcileDeployment(d, { replicaSets: [old, fresh], pods: [], now: NOW });
    const s = scaled(plan.actions);
    expect((s[old.metadata!.name!] ?? 0) + (s[fresh.metadata!.name!] ?? 0)).toBe(25);
    expect(s[old.metadata!.name!]).toBe(15);
    expect(s[fresh.metadata!.name!]).toBe(10);
  });
});
