// Installs (or upgrades) CustomResourceDefinitions and waits until the API serves them
// (Established): what every platform package does at start.
import { ApiError, type KubeClient } from './client.js';
import { silentLogger, type Logger } from './log.js';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

interface CrdLike {
  readonly metadata: { readonly name: string };
}

/**
 * Creates or updates each CRD and waits for Established. A 403 on update is tolerated: on a real
 * cluster a component's account may read CRDs but not write them, and the ones applied from
 * deploy/ stand.
 */
export async function installCrds(
  client: KubeClient,
  crds: readonly object[],
  logger: Logger = silentLogger,
  timeoutMs = 30_000,
): Promise<void> {
  for (const crd of crds as CrdLike[]) {
    const path = `${CRD_PATH}/${crd.metadata.name}`;
    const current = await client.getOptional<{ metadata: { resourceVersion: string } }>(path);
    try {
      if (!current) await client.create(CRD_PATH, crd);
      else
        await client.replace(path, {
          ...crd,
          metadata: { ...crd.metadata, resourceVersion: current.metadata.resourceVersion },
        });
    } catch (e) {
      if (!(e instanceof ApiError && (e.status === 403 || e.status === 409))) throw e;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds as CrdLike[]) {
    for (;;) {
      const got = await client.getOptional<{ status?: { conditions?: { type: string; status: string }[] } }>(
        `${CRD_PATH}/${crd.metadata.name}`,
      );
      if (got?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline)
        throw new Error(`CRD ${crd.metadata.name} not Established within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  logger.info({ crds: crds.length }, 'CRDs installed');
}
