// Binds a pre-bound PersistentVolume/claim pair (claimRef and volumeName set both ways) as the
// PersistentVolume controller's bind step does, for clusters without one (Wharf today): both
// statuses go to Bound, the claim's with the volume's capacity and access modes.
import type { KubeClient } from '@wharf/client';

interface Pv {
  spec?: { capacity?: Record<string, string>; accessModes?: string[]; claimRef?: { namespace?: string; name?: string } };
  status?: { phase?: string };
}

export async function bindPreBound(client: KubeClient, pvName: string): Promise<void> {
  const pv = await client.get<Pv>(`/api/v1/persistentvolumes/${pvName}`);
  const ref = pv.spec?.claimRef;
  if (!ref?.namespace || !ref.name) throw new Error(`PersistentVolume ${pvName} has no spec.claimRef to bind`);
  const pvc = `/api/v1/namespaces/${ref.namespace}/persistentvolumeclaims/${ref.name}`;
  const claim = await client.get<{ spec?: { volumeName?: string }; status?: { phase?: string } }>(pvc);
  if (claim.spec?.volumeName !== pvName) throw new Error(`PersistentVolumeClaim ${ref.namespace}/${ref.name} does not name volume ${pvName}`);
  if (pv.status?.phase !== 'Bound') await client.patch(`/api/v1/persistentvolumes/${pvName}/status`, { status: { phase: 'Bound' } }, 'merge');
  if (claim.status?.phase !== 'Bound') {
    await client.patch(`${pvc}/status`, { status: { phase: 'Bound', capacity: pv.spec?.capacity ?? {}, accessModes: pv.spec?.accessModes ?? [] } }, 'merge');
  }
}
