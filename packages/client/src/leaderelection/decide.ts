// Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection does:
// the holder renews `renewTime`; a candidate takes over only once renewTime + leaseDuration has
// passed (or the holder released it), and every write is a compare-and-swap on resourceVersion.
import type { V1Lease } from '@kubernetes/client-node';
import { timeOf } from '../clock.js';

export interface LeaseConfig {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
}

export type LeaseDecision =
  /** No Lease yet: create one naming us. */
  | { readonly type: 'create'; readonly lease: V1Lease }
  /** Renew ours or take over an expired one; `lease` carries the observed resourceVersion. */
  | { readonly type: 'update'; readonly lease: V1Lease; readonly takeover: boolean }
  /** Someone else holds a live Lease: stay a candidate until `expiresAt`. */
  | { readonly type: 'wait'; readonly holder: string; readonly expiresAt: number };

/** Lease times are MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): Date {
  return new Date(ms).toISOString().replace('Z', '000Z') as unknown as Date;
}

/** When a Lease stops protecting its holder (NaN renewTime or duration: already expired). */
export function leaseExpiry(lease: V1Lease): number {
  const renew = timeOf(lease.spec?.renewTime);
  const duration = lease.spec?.leaseDurationSeconds;
  if (!Number.isFinite(renew) || duration === undefined) return -Infinity;
  return renew + duration * 1000;
}

/** What a candidate (or the current leader) should do with the Lease it just read. */
export function decideLeadership(current: V1Lease | undefined, cfg: LeaseConfig, now: number): LeaseDecision {
  const spec = {
    holderIdentity: cfg.identity,
    leaseDurationSeconds: cfg.leaseDurationSeconds,
    acquireTime: microTime(now),
    renewTime: microTime(now),
    leaseTransitions: 0,
  };
  if (!current) {
    return {
      type: 'create',
      lease: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: cfg.name, namespace: cfg.namespace },
        spec,
      },
    };
  }
  const holder = current.spec?.holderIdentity ?? '';
  const expiresAt = leaseExpiry(current);
  const ours = holder === cfg.identity;
  if (!ours && holder !== '' && expiresAt > now) return { type: 'wait', holder, expiresAt };
  const transitions = current.spec?.leaseTransitions ?? 0;
  const lease: V1Lease = {
    ...current,
    spec: ours
      ? {
          ...current.spec,
          ...spec,
          acquireTime: current.spec?.acquireTime ?? spec.acquireTime,
          leaseTransitions: transitions,
        }
      : { ...current.spec, ...spec, leaseTransitions: transitions + 1 },
  };
  return { type: 'update', lease, takeover: !ours };
}

/** The Lease a leader writes when it steps down, so a candidate need not wait for expiry. */
export function releasedLease(current: V1Lease, now: number): V1Lease {
  return {
    ...current,
    spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now) },
  };
}
