// The Application requests the verbs share, each failing with a one-line error naming the
// application and namespace.
import { isStatus } from '@wharf/client';
import { type Application, type ApplicationRevision, LABELS, paths } from '@wharf/platform-apps';
import type { Connection } from '../kube/context.js';
import { about, explain } from '../kube/errors.js';

export const appPath = (c: Connection, name: string): string =>
  `${paths.applications(c.namespace)}/${encodeURIComponent(name)}`;

export function getApp(c: Connection, name: string): Promise<Application> {
  return about({ verb: 'get', resource: 'application', name, namespace: c.namespace }, () =>
    c.client.get<Application>(appPath(c, name)),
  );
}

export async function listApps(c: Connection): Promise<Application[]> {
  return (
    await about({ verb: 'list', resource: 'application', namespace: c.namespace }, () =>
      c.client.get<{ items: Application[] }>(paths.applications(c.namespace)),
    )
  ).items;
}

/** The kept revisions of an application, oldest first. */
export async function listRevisions(c: Connection, app: string): Promise<ApplicationRevision[]> {
  const q = new URLSearchParams({ labelSelector: `${LABELS.application}=${app}` });
  const list = await about({ verb: 'list', resource: 'applicationrevision', namespace: c.namespace }, () =>
    c.client.get<{ items: ApplicationRevision[] }>(`${paths.revisions(c.namespace)}?${q}`),
  );
  return list.items.filter((r) => r.spec.application === app).sort((a, b) => a.spec.revision - b.spec.revision);
}

/** The newest revision number (0 if none). */
export async function latestRevision(c: Connection, app: string): Promise<number> {
  return (await listRevisions(c, app)).at(-1)?.spec.revision ?? 0;
}

/**
 * Reads the Application, changes its spec with `edit` and writes it back with its
 * resourceVersion, retrying on a conflict with a concurrent writer (the controller's status).
 */
export async function updateApp(
  c: Connection,
  name: string,
  edit: (app: Application) => Application,
): Promise<Application> {
  for (let attempt = 0; ; attempt++) {
    const next = edit(await getApp(c, name));
    try {
      return await c.client.replace<Application>(appPath(c, name), next);
    } catch (e) {
      if (isStatus(e, 409) && attempt < 5) continue;
      throw explain(e, { verb: 'update', resource: 'application', name, namespace: c.namespace });
    }
  }
}
