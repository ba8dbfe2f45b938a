// Installs (or upgrades) CustomResourceDefinitions and waits until the API serves them: what
// every platform package does at start.
import type { KubeClient } from './client.js';
import type { Logger } from './log.js';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

interface Crd {
  metadata: { name: string; resourceVersion?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

export async function installCrds(client: KubeClient, crds: readonly object[], logger: Logger, timeoutMs = 30_000): Promise<void> {
  for (const crd of crds as Crd[]) {
    const name = crd.metadata.name;
    const current = await client.getOptional<Crd>(`${CRD_PATH}/${name}`);
    if (!current) await client.create(`${CRD_PATH}`, crd);
    else await client.replace(`${CRD_PATH}/${name}`, { ...crd, metadata: { ...crd.metadata, resourceVersion: current.metadata.resourceVersion } });
  }
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds as Crd[]) {
    for (;;) {
      const got = await client.get<Crd>(`${CRD_PATH}/${crd.metadata.name}`);
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not Established within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  logger.info({ crds: crds.length }, 'CRDs installed');
}
