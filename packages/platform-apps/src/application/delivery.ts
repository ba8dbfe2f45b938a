// Whether the cluster serves image volumes (`volumes[].image`, Kubernetes 1.31+ behind the
// ImageVolume feature gate): an API server without the feature drops the field, so a dry-run
// Deployment that keeps it says yes. Without it, artifacts are copied by init containers.
import type { V1Deployment } from '@kubernetes/client-node';
import type { KubeClient, Logger } from '@wharf/client';
import type { ArtifactDelivery } from '../types.js';

export async function detectArtifactDelivery(
  client: KubeClient,
  logger: Logger,
  namespace = 'default',
): Promise<ArtifactDelivery> {
  const probe = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { generateName: 'wharf-image-volume-probe-' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { probe: 'image-volume' } },
      template: {
        metadata: { labels: { probe: 'image-volume' } },
        spec: {
          containers: [{ name: 'c', image: 'probe', volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
          volumes: [{ name: 'v', image: { reference: 'probe' } }],
        },
      },
    },
  };
  try {
    const got = await client.create<V1Deployment>(
      `/apis/apps/v1/namespaces/${namespace}/deployments?dryRun=All`,
      probe,
    );
    const kept = (got.spec?.template.spec?.volumes?.[0] as { image?: unknown } | undefined)?.image !== undefined;
    logger.info(
      { imageVolumes: kept },
      kept
        ? 'the API server keeps image volumes: artifacts are image volumes'
        : 'the API server drops image volumes: artifacts are copied by init containers',
    );
    return kept ? 'imageVolume' : 'initCopy';
  } catch (e) {
    logger.warn({ err: e }, 'cannot probe image volume support: artifacts are copied by init containers');
    return 'initCopy';
  }
}
