// ConfigSet requests the `wharf config` verbs share, failing with one line that names the
// ConfigSet (or version) and namespace.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { type ConfigSet, configVersionName, paths } from '@wharf/platform-apps';
import type { Connection } from '../kube/context.js';
import { isStatus } from '@wharf/client';
import { about, CliError, explain } from '../kube/errors.js';

export const configSetPath = (c: Connection, name: string): string =>
  `${paths.configSets(c.namespace)}/${encodeURIComponent(name)}`;

export function getConfigSet(c: Connection, name: string): Promise<ConfigSet> {
  return about({ verb: 'get', resource: 'configset', name, namespace: c.namespace }, () =>
    c.client.get<ConfigSet>(configSetPath(c, name)),
  );
}

export async function findConfigSet(c: Connection, name: string): Promise<ConfigSet | undefined> {
  return about({ verb: 'get', resource: 'configset', name, namespace: c.namespace }, () =>
    c.client.getOptional<ConfigSet>(configSetPath(c, name)),
  );
}

/** The immutable ConfigMap of version `v`, with a clear error naming the kept versions when it is gone. */
export async function getVersion(c: Connection, name: string, v: number): Promise<V1ConfigMap> {
  const cm = configVersionName(name, v);
  try {
    return await c.client.get<V1ConfigMap>(`/api/v1/namespaces/${c.namespace}/configmaps/${cm}`);
  } catch (e) {
    if (!isStatus(e, 404)) throw explain(e, { verb: 'get', resource: 'configmap', name: cm, namespace: c.namespace });
    const cs = await getConfigSet(c, name);
    const kept = (cs.status?.history ?? []).map((h) => h.version).sort((a, b) => a - b);
    throw new CliError(
      `configset ${name} has no version ${v} in namespace ${c.namespace}; kept: ${kept.join(', ') || 'none'}`,
    );
  }
}
