import type { V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { reconcileClaim, volumePhase, type ClaimInputs } from './binder.js';

const claim = (
  extra: Partial<V1PersistentVolumeClaim['spec']> = {},
  annotations: Record<string, string> = {},
): V1PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'shop', uid: 'c-1', resourceVersion: '7', annotations },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
    storageClassName: 'fast',
    ...extra,
  },
});
const volume = (
  name: string,
  size: string,
  extra: Partial<V1PersistentVolume['spec']> = {},
  phase = 'Available',
): V1PersistentVolume => ({
  metadata: { name },
  spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: 'fast', ...extra },
  status: { phase },
});
const onNode = (node: string): Partial<V1PersistentVolume['spec']> => ({
  nodeAffinity: {
    required: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }],
    },
  },
});
const node = (name: string): V1Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name } } });
const inputs = (volumes: V1PersistentVolume[], sc?: V1StorageClass): ClaimInputs => ({
  volumes,
  storageClass: (n) => (sc?.metadata?.name === n ? sc : undefined),
  node,
});
const immediate: V1StorageClass = {
  metadata: { name: 'fast' },
  provisioner: 'kubernetes.io/no-provisioner',
  volumeBindingMode: 'Immediate',
};
const waiting: V1StorageClass = {
  metadata: { name: 'fast' },
  provisioner: 'wharf.dev/local-path',
  volumeBindingMode: 'WaitForFirstConsumer',
};

describe('the PersistentVolume binder', () => {
  it('binds a claim to the smallest Available volume that serves it, volume first', () => {
    const actions = reconcileClaim(
      claim(),
      inputs(
        [
          volume('big', '10Gi'),
          volume('small', '2Gi'),
          volume('tiny', '500Mi'),
          volume('other-class', '1Gi', { storageClassName: 'slow' }),
        ],
        immediate,
      ),
    );
    expect(actions).toEqual([
      {
        type: 'claim-volume',
        volume: 'small',
        claimRef: expect.objectContaining({ name: 'data', namespace: 'shop', uid: 'c-1' }),
      },
    ]);
  });

  it('completes a binding a provisioner or an admin prepared, and reports both sides Bound', () => {
    const pv = volume('pvc-c-1', '1Gi', { claimRef: { namespace: 'shop', name: 'data', uid: 'c-1' } });
    expect(reconcileClaim(claim(), inputs([pv], waiting))).toEqual([{ type: 'bind-claim', volume: 'pvc-c-1' }]);
    const bound = reconcileClaim(claim({ volumeName: 'pvc-c-1' }), inputs([pv], waiting));
    expect(bound).toEqual([
      {
        type: 'claim-status',
        status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } },
      },
    ]);
  });

  it('leaves a WaitForFirstConsumer claim alone until the scheduler chose a node, then hands it to the provisioner', () => {
    const before = reconcileClaim(claim(), inputs([], waiting));
    expect(before.map((a) => a.type)).toEqual(['claim-status', 'event']);
    expect(before[1]).toMatchObject({ reason: 'WaitForFirstConsumer' });
    const after = reconcileClaim(claim({}, { 'volume.kubernetes.io/selected-node': 'node-1' }), inputs([], waiting));
    expect(after).toContainEqual({
      type: 'annotate-claim',
      annotations: {
        'volume.kubernetes.io/storage-provisioner': 'wharf.dev/local-path',
        'volume.beta.kubernetes.io/storage-provisioner': 'wharf.dev/local-path',
      },
    });
  });

  it('binds a WaitForFirstConsumer claim only to a local volume of the selected node', () => {
    const volumes = [volume('on-0', '1Gi', onNode('node-0')), volume('on-1', '5Gi', onNode('node-1'))];
    const actions = reconcileClaim(
      claim({ storageClassName: 'fast' }, { 'volume.kubernetes.io/selected-node': 'node-1' }),
      inputs(volumes, { ...waiting, provisioner: 'kubernetes.io/no-provisioner' }),
    );
    expect(actions).toEqual([expect.objectContaining({ type: 'claim-volume', volume: 'on-1' })]);
  });

  it('says why a claim cannot bind: a missing class is a warning', () => {
    const actions = reconcileClaim(claim({ storageClassName: 'gold' }), inputs([], immediate));
    expect(actions).toContainEqual({
      type: 'event',
      reason: 'FailedBinding',
      message: 'storageclass.storage.k8s.io "gold" not found',
      warning: true,
    });
  });

  it('marks a bound claim Lost when its volume is gone, and lets a claim pre-bound to a future volume wait', () => {
    const bound = { ...claim({ volumeName: 'gone' }), status: { phase: 'Bound' } };
    expect(reconcileClaim(bound, inputs([], immediate))[0]).toMatchObject({
      type: 'claim-status',
      status: { phase: 'Lost' },
    });
    expect(reconcileClaim(claim({ volumeName: 'later' }), inputs([], immediate))).toEqual([
      { type: 'claim-status', status: { phase: 'Pending' } },
    ]);
  });

  it('releases a volume whose claim is gone or was replaced by a new one of the same name', () => {
    const pv = volume('pv', '1Gi', { claimRef: { namespace: 'shop', name: 'data', uid: 'c-1' } }, 'Bound');
    expect(volumePhase(pv, claim())).toBe('Bound');
    expect(volumePhase(pv, undefined)).toBe('Released');
    expect(volumePhase(pv, { ...claim(), metadata: { ...claim().metadata, uid: 'c-2' } })).toBe('Released');
    expect(volumePhase(volume('free', '1Gi'), undefined)).toBe('Available');
  });
});
