// Whether a pod's container has started: before that, asking for its log answers 400 ("waiting to
// start", "no host assigned"), and a follow asked then would never be asked again.
import type { KubeObject } from '../api/types.js';
import { field } from '../components/columns.js';

interface ContainerStatus {
  name: string;
  state?: Record<string, unknown>;
  lastState?: Record<string, unknown>;
}

/** True once `container` runs or has run (a restarted container's previous run has a log too). */
export function hasStarted(pod: KubeObject, container: string): boolean {
  const s = ((field(pod, 'status', 'containerStatuses') as ContainerStatus[] | undefined) ?? []).find(
    (c) => c.name === container,
  );
  return Boolean(s?.state?.running ?? s?.state?.terminated ?? s?.lastState?.terminated);
}
