// Makes a backend on this host reachable as an aggregated API: a selector-less Service whose
// Endpoints point at the backend's loopback port, and an APIService that trusts the backend's
// own CA (no insecureSkipTLSVerify). Objects whose content changes between starts (the port) are
// replaced; everything is created when missing.
import type { KubeClient } from '../client.js';
import { isStatus } from '../client.js';

type Body = Record<string, unknown> & {
  metadata: { name: string; resourceVersion?: string; [field: string]: unknown };
};

/** Creates `body` under `collection`, or replaces the existing object with it. */
export async function applyObject(client: KubeClient, collection: string, body: Body): Promise<void> {
  const current = await client.getOptional<{ metadata: { resourceVersion?: string } }>(
    `${collection}/${body.metadata.name}`,
  );
  if (current) {
    await client.replace(`${collection}/${body.metadata.name}`, {
      ...body,
      metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion },
    });
    return;
  }
  try {
    await client.create(collection, body);
  } catch (e) {
    if (!isStatus(e, 409)) throw e;
  }
}

export interface AggregatedApi {
  readonly group: string;
  readonly version: string;
  /** Namespace and name of the Service the APIService points at. */
  readonly namespace: string;
  readonly service: string;
  /** The backend's loopback port. */
  readonly port: number;
  /** PEM of the CA that signed the backend's serving certificate for `<service>.<namespace>.svc`. */
  readonly caBundle: string;
}

export async function registerAggregatedApi(client: KubeClient, a: AggregatedApi): Promise<void> {
  const ns = a.namespace;
  await applyObject(client, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await applyObject(client, `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: a.service, namespace: ns },
    spec: { ports: [{ name: 'https', port: 443, targetPort: a.port }] },
  });
  await applyObject(client, `/api/v1/namespaces/${ns}/endpoints`, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: a.service, namespace: ns },
    subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: a.port }] }],
  });
  const name = `${a.version}.${a.group}`;
  await applyObject(client, '/apis/apiregistration.k8s.io/v1/apiservices', {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name },
    spec: {
      group: a.group,
      version: a.version,
      service: { namespace: ns, name: a.service, port: 443 },
      caBundle: Buffer.from(a.caBundle).toString('base64'),
      groupPriorityMinimum: 1000,
      versionPriority: 15,
    },
  });
}
