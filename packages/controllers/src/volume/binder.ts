// The PersistentVolume binder's decisions, without I/O (kube-controller-manager's
// persistentvolume-binder): a claim is bound to the smallest Available volume that satisfies it
// (class, size, access modes, volume mode, selector, and for WaitForFirstConsumer classes the
// node the scheduler chose), or handed to its class's provisioner; a bound pair gets both
// statuses Bound; a volume whose claim is gone becomes Released (its provisioner then reclaims a
// Delete volume; a Retain one stays for an admin).
import type { V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { matchesSelector, quantityValue } from '@wharf/api';
import { matchesNodeSelectorTerms, SELECTED_NODE_ANNOTATION as SELECTED_NODE } from '../scheduler/filters.js';

export const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';

export type ClaimAction =
  /** Point the volume at the claim (spec.claimRef). */
  | { readonly type: 'claim-volume'; readonly volume: string; readonly claimRef: Record<string, string> }
  /** Set the claim's volumeName (and bind-completed). */
  | { readonly type: 'bind-claim'; readonly volume: string }
  | { readonly type: 'claim-status'; readonly status: NonNullable<V1PersistentVolumeClaim['status']> }
  | { readonly type: 'annotate-claim'; readonly annotations: Record<string, string> }
  | { readonly type: 'event'; readonly reason: string; readonly message: string; readonly warning: boolean };

export interface ClaimInputs {
  readonly volumes: readonly V1PersistentVolume[];
  readonly storageClass: (name: string) => V1StorageClass | undefined;
  readonly node: (name: string) => V1Node | undefined;
}

const className = (o: V1PersistentVolume | V1PersistentVolumeClaim): string => o.spec?.storageClassName ?? '';
const requested = (c: V1PersistentVolumeClaim): number => quantityValue(c.spec?.resources?.requests?.storage) ?? 0;
const capacityOf = (v: V1PersistentVolume): number => quantityValue(v.spec?.capacity?.storage) ?? 0;

/** Whether the volume's claimRef names this claim (a uid, once set, must match too). */
export function refersTo(v: V1PersistentVolume, c: V1PersistentVolumeClaim): boolean {
  const ref = v.spec?.claimRef;
  if (!ref || ref.name !== c.metadata?.name || (ref.namespace ?? '') !== (c.metadata?.namespace ?? '')) return false;
  return !ref.uid || ref.uid === c.metadata?.uid;
}

function claimRef(c: V1PersistentVolumeClaim): Record<string, string> {
  return {
    kind: 'PersistentVolumeClaim',
    apiVersion: 'v1',
    namespace: c.metadata?.namespace ?? '',
    name: c.metadata?.name ?? '',
    uid: c.metadata?.uid ?? '',
    resourceVersion: c.metadata?.resourceVersion ?? '',
  };
}

/** Whether an unclaimed volume can serve the claim on `node` (any node when undefined). */
export function satisfies(v: V1PersistentVolume, c: V1PersistentVolumeClaim, node: V1Node | undefined): boolean {
  if (v.metadata?.deletionTimestamp || className(v) !== className(c)) return false;
  if ((v.spec?.volumeMode ?? 'Filesystem') !== (c.spec?.volumeMode ?? 'Filesystem')) return false;
  if (capacityOf(v) < requested(c)) return false;
  const modes = v.spec?.accessModes ?? [];
  if (!(c.spec?.accessModes ?? []).every((m) => modes.includes(m))) return false;
  if (c.spec?.selector && !matchesSelector(c.spec.selector, v.metadata?.labels ?? {})) return false;
  const terms = v.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (
    node &&
    terms &&
    !matchesNodeSelectorTerms(terms, node.metadata?.labels ?? {}, { 'metadata.name': node.metadata?.name ?? '' })
  )
    return false;
  return true;
}

/** The smallest Available, unclaimed volume that serves the claim on `node`. */
export function bestVolume(
  volumes: readonly V1PersistentVolume[],
  c: V1PersistentVolumeClaim,
  node: V1Node | undefined,
): V1PersistentVolume | undefined {
  return volumes
    .filter((v) => !v.spec?.claimRef && (v.status?.phase ?? 'Available') === 'Available' && satisfies(v, c, node))
    .sort((a, b) => capacityOf(a) - capacityOf(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
}

function boundStatus(c: V1PersistentVolumeClaim, v: V1PersistentVolume): ClaimAction[] {
  const status = { phase: 'Bound', accessModes: v.spec?.accessModes ?? [], capacity: { ...(v.spec?.capacity ?? {}) } };
  const cur = c.status;
  const same =
    cur?.phase === 'Bound' &&
    JSON.stringify(cur.accessModes ?? []) === JSON.stringify(status.accessModes) &&
    JSON.stringify(cur.capacity ?? {}) === JSON.stringify(status.capacity);
  return same ? [] : [{ type: 'claim-status', status: { ...(cur ?? {}), ...status } }];
}

/** What to do for one claim. */
export function reconcileClaim(c: V1PersistentVolumeClaim, inputs: ClaimInputs): ClaimAction[] {
  if (c.metadata?.deletionTimestamp) return [];
  const byName = new Map(inputs.volumes.map((v) => [v.metadata?.name ?? '', v]));
  const volumeName = c.spec?.volumeName;
  if (volumeName) {
    const v = byName.get(volumeName);
    if (!v) {
      // Pre-bound by its author to a volume that does not exist yet: it waits. Bound once: lost.
      const wasBound =
        c.metadata?.annotations?.[BIND_COMPLETED] === 'yes' ||
        c.status?.phase === 'Bound' ||
        c.status?.phase === 'Lost';
      if (!wasBound)
        return c.status?.phase === 'Pending'
          ? []
          : [{ type: 'claim-status', status: { ...(c.status ?? {}), phase: 'Pending' } }];
      return c.status?.phase === 'Lost'
        ? []
        : [
            { type: 'claim-status', status: { ...(c.status ?? {}), phase: 'Lost' } },
            {
              type: 'event',
              reason: 'ClaimLost',
              message: 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
              warning: true,
            },
          ];
    }
    if (!v.spec?.claimRef) return [{ type: 'claim-volume', volume: volumeName, claimRef: claimRef(c) }];
    if (!refersTo(v, c)) {
      return c.status?.phase === 'Lost'
        ? []
        : [
            { type: 'claim-status', status: { ...(c.status ?? {}), phase: 'Lost' } },
            {
              type: 'event',
              reason: 'ClaimMisbound',
              message: `Two claims are bound to the same volume, this one is bound incorrectly (volume ${volumeName})`,
              warning: true,
            },
          ];
    }
    return boundStatus(c, v);
  }
  // A volume made for this claim (by a provisioner, or pre-bound by an admin): complete the binding.
  const prebound = inputs.volumes.find((v) => refersTo(v, c) && !v.metadata?.deletionTimestamp);
  if (prebound) return [{ type: 'bind-claim', volume: prebound.metadata?.name ?? '' }];
  const sc = className(c) ? inputs.storageClass(className(c)) : undefined;
  const waitForConsumer = sc?.volumeBindingMode === 'WaitForFirstConsumer';
  const selected = c.metadata?.annotations?.[SELECTED_NODE];
  const pending =
    c.status?.phase === 'Pending'
      ? []
      : [{ type: 'claim-status' as const, status: { ...(c.status ?? {}), phase: 'Pending' } }];
  if (waitForConsumer && !selected) {
    return [
      ...pending,
      {
        type: 'event',
        reason: 'WaitForFirstConsumer',
        message: 'waiting for first consumer to be created before binding',
        warning: false,
      },
    ];
  }
  const found = bestVolume(inputs.volumes, c, selected ? inputs.node(selected) : undefined);
  if (found) return [{ type: 'claim-volume', volume: found.metadata?.name ?? '', claimRef: claimRef(c) }];
  if (sc?.provisioner && sc.provisioner !== 'kubernetes.io/no-provisioner') {
    if (c.metadata?.annotations?.[STORAGE_PROVISIONER] === sc.provisioner) return pending;
    return [
      ...pending,
      {
        type: 'annotate-claim',
        annotations: { [STORAGE_PROVISIONER]: sc.provisioner, [BETA_STORAGE_PROVISIONER]: sc.provisioner },
      },
      {
        type: 'event',
        reason: 'ExternalProvisioning',
        message: `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator.`,
        warning: false,
      },
    ];
  }
  const why =
    className(c) && !sc
      ? `storageclass.storage.k8s.io "${className(c)}" not found`
      : 'no persistent volumes available for this claim and no storage class is set';
  return [...pending, { type: 'event', reason: 'FailedBinding', message: why, warning: !!(className(c) && !sc) }];
}

/** The phase a volume should have, given the claim its claimRef names (undefined: none / gone). */
export function volumePhase(v: V1PersistentVolume, claim: V1PersistentVolumeClaim | undefined): string {
  if (!v.spec?.claimRef) return 'Available';
  if (!v.spec.claimRef.uid) return claim ? 'Bound' : 'Available'; // pre-bound, waiting for its claim
  if (claim && claim.metadata?.uid === v.spec.claimRef.uid) return 'Bound';
  return 'Released';
}
