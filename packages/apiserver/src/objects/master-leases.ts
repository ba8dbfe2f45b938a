// The `kubernetes` Service's endpoints with several API servers, as kube-apiserver's lease endpoint
// reconciler keeps them: each API server renews a Lease of its own in kube-system naming where pods
// reach it, and each writes the Service's Endpoints and EndpointSlices from the Leases not expired,
// so pods reach every member that serves, and a member that stops renewing leaves within the TTL.
// One that stops cleanly expires its own Lease first, so it leaves at once.
import type { KubeObject } from '@wharf/api';
import type { ObjectApi } from './api.js';
import { publishMasters, upsert, type Advertised } from './master-service.js';

/** Labels the Leases of API server endpoints. */
export const ENDPOINT_LEASE_LABEL = 'wharf.dev/apiserver-endpoint';
/** A member that has not renewed its Lease for this long is dropped (kube-apiserver's master lease TTL). */
export const ENDPOINT_LEASE_SECONDS = 15;
const NS = 'kube-system';

/** The Lease a member renews: its endpoint in holderIdentity ("10.1.255.1:6443"). */
export function endpointLease(a: Advertised, renewedAt: number): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: `apiserver-endpoint-${a.address.replaceAll('.', '-')}-${a.port}`,
      namespace: NS,
      labels: { [ENDPOINT_LEASE_LABEL]: 'true' },
    },
    spec: {
      holderIdentity: `${a.address}:${a.port}`,
      leaseDurationSeconds: ENDPOINT_LEASE_SECONDS,
      renewTime: new Date(renewedAt).toISOString().replace('Z', '000Z'),
    },
  };
}

interface LeaseLike {
  readonly spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };
}

/** Every endpoint the Leases name, and those whose Lease has not expired at `now`. */
export function endpointsOfLeases(
  leases: readonly LeaseLike[],
  now: number,
): { known: Advertised[]; live: Advertised[] } {
  const known: Advertised[] = [];
  const live: Advertised[] = [];
  for (const l of leases) {
    const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(l.spec?.holderIdentity ?? '');
    if (!m) continue;
    const a = { address: m[1] as string, port: Number(m[2]) };
    known.push(a);
    const until = Date.parse(l.spec?.renewTime ?? '') + (l.spec?.leaseDurationSeconds ?? 0) * 1000;
    if (until > now) live.push(a);
  }
  return { known, live };
}

/**
 * Renews (or, `leaving`, expires) member `self`'s Lease, then publishes the endpoints of the
 * Leases live at `now`. Several members write the same objects: one that loses a race (a 409)
 * writes again on its next round.
 */
export async function reconcileMasterLeases(
  api: ObjectApi,
  self: Advertised,
  now: number,
  leaving = false,
): Promise<void> {
  await upsert(api, 'coordination.k8s.io', 'leases', endpointLease(self, leaving ? 0 : now), ['spec']);
  const served = api.registry.lookup('coordination.k8s.io', 'v1', 'leases');
  if (!served) return;
  const { items } = api.list(served, NS, { labelSelector: ENDPOINT_LEASE_LABEL });
  const { known, live } = endpointsOfLeases(items as LeaseLike[], now);
  await publishMasters(api, known, live);
}
