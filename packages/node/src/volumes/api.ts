// The API reads volume plugins need, as one small interface (tests pass a map-backed fake), and
// its implementation over the agent's KubeClient. A short TTL cache lets many pods that mount the
// same ConfigMap share one GET per refresh period, as the kubelet's TTL-based configmap manager.
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { KubeClient } from '@wharf/client';

/** ConfigMap or Secret content as the API holds it (Secret `data` and `binaryData` are base64). */
export interface DataObject {
  readonly data?: Readonly<Record<string, string>>;
  readonly binaryData?: Readonly<Record<string, string>>;
}

export interface TokenRequestSpec {
  readonly audiences?: readonly string[];
  readonly expirationSeconds: number;
  readonly pod: { readonly name: string; readonly uid: string };
}

export interface ServiceAccountToken {
  readonly token: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** Each getter answers undefined for an object that does not exist. */
export interface VolumeApi {
  /** `fresh`: a new read, not one made in the last ttlMs. */
  configMap(namespace: string, name: string, fresh?: boolean): Promise<DataObject | undefined>;
  secret(namespace: string, name: string, fresh?: boolean): Promise<DataObject | undefined>;
  persistentVolumeClaim(namespace: string, name: string): Promise<V1PersistentVolumeClaim | undefined>;
  persistentVolume(name: string): Promise<V1PersistentVolume | undefined>;
  serviceAccountToken(namespace: string, serviceAccount: string, spec: TokenRequestSpec): Promise<ServiceAccountToken>;
}

export interface KubeVolumeApiOptions {
  readonly client: KubeClient;
  /** How long a ConfigMap/Secret read is reused. @default 1000 */
  readonly ttlMs?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** VolumeApi over the agent's KubeClient. */
export function kubeVolumeApi(o: KubeVolumeApiOptions): VolumeApi {
  const ttl = o.ttlMs ?? 1000;
  const clock = o.clock ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<DataObject | undefined> }>();
  const cached = (path: string, fresh = false): Promise<DataObject | undefined> => {
    const hit = cache.get(path);
    if (hit && !fresh && clock() - hit.at < ttl) return hit.value;
    const value = o.client.getOptional<DataObject>(path);
    cache.set(path, { at: clock(), value });
    value.catch(() => cache.delete(path));
    if (cache.size > 1000) for (const [k, v] of cache) if (clock() - v.at >= ttl) cache.delete(k);
    return value;
  };
  const ns = (namespace: string, kind: string, name: string): string =>
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}`;
  return {
    configMap: (namespace, name, fresh) => cached(ns(namespace, 'configmaps', name), fresh),
    secret: (namespace, name, fresh) => cached(ns(namespace, 'secrets', name), fresh),
    persistentVolumeClaim: (namespace, name) =>
      o.client.getOptional<V1PersistentVolumeClaim>(ns(namespace, 'persistentvolumeclaims', name)),
    persistentVolume: (name) =>
      o.client.getOptional<V1PersistentVolume>(`/api/v1/persistentvolumes/${encodeURIComponent(name)}`),
    serviceAccountToken: async (namespace, serviceAccount, spec) => {
      const answer = await o.client.create<{ status?: { token?: string; expirationTimestamp?: string } }>(
        `${ns(namespace, 'serviceaccounts', serviceAccount)}/token`,
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            ...(spec.audiences?.length ? { audiences: spec.audiences } : {}),
            expirationSeconds: spec.expirationSeconds,
            boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: spec.pod.name, uid: spec.pod.uid },
          },
        },
      );
      const token = answer.status?.token;
      if (!token) throw new Error(`TokenRequest for serviceaccount ${namespace}/${serviceAccount} answered no token`);
      const expiresAt = Date.parse(answer.status?.expirationTimestamp ?? '') || clock() + spec.expirationSeconds * 1000;
      return { token, expiresAt };
    },
  };
}
