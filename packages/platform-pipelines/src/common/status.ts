// Writes a run's status only when it changed: a sync that learns nothing new costs no write and
// wakes no watcher.
import type { KubeClient } from '@wharf/client';
import { isDeepStrictEqual } from 'node:util';

export async function writeStatusIfChanged<T extends { status?: unknown }>(
  client: KubeClient,
  path: string,
  obj: T,
  status: unknown,
): Promise<void> {
  if (isDeepStrictEqual(obj.status, status)) return;
  await client.replace(`${path}/status`, { ...obj, status });
}
