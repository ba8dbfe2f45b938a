// The Secrets a pod's imagePullSecrets name (the ServiceAccount admission has already merged the
// service account's into the pod), read as the kubelet does before a pull: a secret that cannot be
// read is reported, and the pull is still tried without it.
import type { V1Pod } from '@kubernetes/client-node';
import type { PullSecret } from './image-provider.js';
import type { KubeClient } from '@wharf/client';

export interface PodPullSecrets {
  readonly secrets: PullSecret[];
  /** Names that could not be read (missing, or refused). */
  readonly missing: string[];
}

export async function fetchPullSecrets(client: KubeClient, pod: V1Pod): Promise<PodPullSecrets> {
  const ns = pod.metadata?.namespace ?? 'default';
  const secrets: PullSecret[] = [];
  const missing: string[] = [];
  for (const ref of pod.spec?.imagePullSecrets ?? []) {
    if (!ref.name) continue;
    const s = await client
      .getOptional<PullSecret>(`/api/v1/namespaces/${encodeURIComponent(ns)}/secrets/${encodeURIComponent(ref.name)}`)
      .catch(() => undefined);
    if (s) secrets.push(s);
    else missing.push(ref.name);
  }
  return { secrets, missing };
}

/** The kubelet's FailedToRetrieveImagePullSecret message. */
export function missingPullSecretsMessage(missing: readonly string[]): string {
  return `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`;
}
