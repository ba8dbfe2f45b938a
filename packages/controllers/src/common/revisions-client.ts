// Carries out ControllerRevision actions through the API (shared by the DaemonSet and
// StatefulSet runners).
import { isStatus, type KubeClient } from '@wharf/client';
import type { RevisionAction } from './revisions.js';

export async function applyRevisionAction(client: KubeClient, a: RevisionAction): Promise<void> {
  const ns = a.revision.metadata?.namespace ?? 'default';
  const base = `/apis/apps/v1/namespaces/${ns}/controllerrevisions`;
  switch (a.type) {
    case 'createRevision':
      try {
        await client.create(base, a.revision);
      } catch (e) {
        if (!isStatus(e, 409)) throw e;
      }
      return;
    case 'updateRevision':
      await client.patch(`${base}/${a.revision.metadata?.name}`, { revision: a.revision.revision });
      return;
    case 'deleteRevision':
      await client.delete(`${base}/${a.revision.metadata?.name}`).catch((e: unknown) => {
        if (!isStatus(e, 404)) throw e;
      });
      return;
  }
}
