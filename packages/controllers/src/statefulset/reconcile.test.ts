import type { V1ControllerRevision, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { syncUpdateRevision } from '../common/revisions.js';
import { statefulPod } from './identity.js';
import { reconcileStatefulSet, type StatefulSetAction } from './reconcile.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const iso = (ms: number): Date => new Date(ms).toISOString() as unknown as Date;

function sts(replicas: number, image = 'db:1', extra: Partial<V1StatefulSet['spec']> = {}): V1StatefulSet {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'sts-uid', generation: 1 },
    spec: {
      replicas,
      serviceName: 'web',
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      ...extra,
    } as V1StatefulSet['spec'],
  };
}
function revision(s: V1StatefulSet, others: V1ControllerRevision[] = []): V1ControllerRevision {
  return syncUpdateRevision(s, 'apps/v1', 'StatefulSet', others, undefined).update;
}
function pod(s: V1StatefulSet, ord: number, rev: string, ready = true): V1Pod {
  const p = statefulPod(s, s.spec?.template, rev, ord);
  return {
    ...p,
    metadata: { ...p.metadata, uid: `u${ord}`, creationTimestamp: iso(NOW - 60_000) },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(NOW - 30_000) }],
    },
  };
}
const claim = (name: string): V1PersistentVolumeClaim => ({ metadata: { name, namespace: 'default' } });
const created = (a: StatefulSetAction[]): string[] =>
  a.flatMap((x) => (x.type === 'createPod' ? [x.pod.metadata?.name ?? ''] : []));
const deleted = (a: StatefulSetAction[]): string[] =>
  a.flatMap((x) => (x.type === 'deletePod' ? [x.pod.metadata?.name ?? ''] : []));

describe('reconcileStatefulSet', () => {
  it('creates web-0 with its claim, hostname and subdomain, and waits for it before web-1', () => {
    const s = sts(3);
    const plan = reconcileStatefulSet(s, { pods: [], claims: [], revisions: [], now: NOW, canManagePods: true });
    expect(created(plan.actions)).toEqual(['web-0']);
    expect(
      plan.actions
        .filter((a) => a.type === 'createClaim')
        .map((a) => a.type === 'createClaim' && a.claim.metadata?.name),
    ).toEqual(['data-web-0']);
    const p = plan.actions.find((a) => a.type === 'createPod');
    expect(p?.type === 'createPod' && p.pod.spec).toMatchObject({
      hostname: 'web-0',
      subdomain: 'web',
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }],
    });

    const rev = revision(s);
    const notReady = reconcileStatefulSet(s, {
      pods: [pod(s, 0, rev.metadata!.name!, false)],
      claims: [claim('data-web-0')],
      revisions: [rev],
      now: NOW,
      canManagePods: true,
    });
    expect(created(notReady.actions)).toEqual([]);
    const ready = reconcileStatefulSet(s, {
      pods: [pod(s, 0, rev.metadata!.name!)],
      claims: [claim('data-web-0')],
      revisions: [rev],
      now: NOW,
      canManagePods: true,
    });
    expect(created(ready.actions)).toEqual(['web-1']);
  });

  it('never creates a second web-1 while the old one is terminating (its node may still run it), and recreates it once gone', () => {
    for (const policy of ['OrderedReady', 'Parallel'] as const) {
      const s = sts(3, 'db:1', { podManagementPolicy: policy });
      const rev = revision(s);
      const name = rev.metadata!.name!;
      const old = pod(s, 1, name, false);
      const terminating = { ...old, metadata: { ...old.metadata, deletionTimestamp: iso(NOW - 600_000) } };
      const claims = [claim('data-web-0'), claim('data-web-1'), claim('data-web-2')];
      const plan = reconcileStatefulSet(s, {
        pods: [pod(s, 0, name), terminating, pod(s, 2, name)],
        claims,
        revisions: [rev],
        now: NOW,
        canManagePods: true,
      });
      expect(created(plan.actions)).toEqual([]);
      expect(deleted(plan.actions)).toEqual([]);
      const gone = reconcileStatefulSet(s, {
        pods: [pod(s, 0, name), pod(s, 2, name)],
        claims,
        revisions: [rev],
        now: NOW,
        canManagePods: true,
      });
      expect(created(gone.actions)).toEqual(['web-1']);
    }
  });

  it('creates all pods at once with Parallel', () => {
    const plan = reconcileStatefulSet(sts(3, 'db:1', { podManagementPolicy: 'Parallel' }), {
      pods: [],
      claims: [],
      revisions: [],
      now: NOW,
      canManagePods: true,
    });
    expect(created(plan.actions)).toEqual(['web-0', 'web-1', 'web-2']);
  });

  it('scales down from the highest ordinal, one at a time, keeping the claims', () => {
    const s = sts(1);
    const rev = revision(s);
    const pods = [0, 1, 2].map((i) => pod(s, i, rev.metadata!.name!));
    const plan = reconcileStatefulSet(s, { pods, claims: [], revisions: [rev], now: NOW, canManagePods: true });
    expect(deleted(plan.actions)).toEqual(['web-2']);
    expect(plan.actions.some((a) => a.type === 'setClaimOwners')).toBe(false);
    const del = reconcileStatefulSet(
      sts(1, 'db:1', { persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete', whenDeleted: 'Retain' } }),
      { pods, claims: [claim('data-web-2')], revisions: [rev], now: NOW, canManagePods: true },
    );
    expect(del.actions.find((a) => a.type === 'setClaimOwners')).toMatchObject({
      ownerReferences: [{ kind: 'Pod', name: 'web-2', uid: 'u2' }],
    });
  });

  it('rolls out from the highest ordinal down to the partition, then completes the revision', () => {
    const v1 = sts(3);
    const r1 = revision(v1);
    const v2 = sts(3, 'db:2', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    const withStatus = { ...v2, status: { replicas: 3, currentRevision: r1.metadata!.name! } };
    const pods = [0, 1, 2].map((i) => pod(v1, i, r1.metadata!.name!));
    const plan = reconcileStatefulSet(withStatus, {
      pods,
      claims: ['data-web-0', 'data-web-1', 'data-web-2'].map(claim),
      revisions: [r1],
      now: NOW,
      canManagePods: true,
    });
    expect(deleted(plan.actions)).toEqual(['web-2']);
    const r2 = revision(v2, [r1]);
    const updated = [pod(v1, 0, r1.metadata!.name!), pod(v1, 1, r2.metadata!.name!), pod(v2, 2, r2.metadata!.name!)];
    const done = reconcileStatefulSet(withStatus, {
      pods: updated,
      claims: ['data-web-0', 'data-web-1', 'data-web-2'].map(claim),
      revisions: [r1, r2],
      now: NOW,
      canManagePods: true,
    });
    expect(deleted(done.actions)).toEqual([]);
    expect(done.actions.find((a) => a.type === 'status')).toMatchObject({
      status: {
        updatedReplicas: 2,
        currentReplicas: 1,
        currentRevision: r1.metadata!.name,
        updateRevision: r2.metadata!.name,
      },
    });
  });
});
