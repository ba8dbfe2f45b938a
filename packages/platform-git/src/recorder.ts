// Pushes and deliveries go into the Repository's status, newest first, the last `keep` of them:
// what `kubectl describe repository` shows. Read-modify-write on the status subresource,
// retried on conflicts (a push and a delivery can land together).
import { ApiError, type KubeClient } from '@wharf/client';
import { GROUP, REPOSITORY_PLURAL, VERSION, type Repository, type RepositoryEvent } from './types.js';

export const repositoryPath = (namespace: string, name: string): string =>
  `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${REPOSITORY_PLURAL}/${encodeURIComponent(name)}`;

export async function updateStatus(
  client: KubeClient,
  namespace: string,
  name: string,
  change: (status: NonNullable<Repository['status']>) => void,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const repo = await client.getOptional<Repository>(repositoryPath(namespace, name));
    if (!repo) return; // deleted meanwhile: nothing to record on
    const status = { ...repo.status };
    change(status);
    if (JSON.stringify(status) === JSON.stringify(repo.status ?? {})) return;
    try {
      await client.replace(`${repositoryPath(namespace, name)}/status`, { ...repo, status });
      return;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409) || attempt >= 5) throw e;
    }
  }
}

export function recordEvent(
  client: KubeClient,
  namespace: string,
  name: string,
  event: RepositoryEvent,
  keep = 20,
): Promise<void> {
  return updateStatus(client, namespace, name, (s) => {
    s.events = [event, ...(s.events ?? [])].slice(0, keep);
    if (event.result !== 'SignatureRefused' && event.result !== 'Replayed') s.lastPushTime = event.time;
  });
}
