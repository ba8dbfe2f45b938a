// The pod worker's entry to the volume plugins (packages/node/src/volumes): one VolumeManager per
// agent (keyed by its KubeClient and pods dir), so every pod of the agent shares the plugins, their
// token cache and the ConfigMap/Secret read cache. The agent only calls setUp, refresh, mountsFor
// and tearDown.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import path from 'node:path';
import { RuntimeStore } from '../runtime/store.js';
import type { BindMount } from '../runtime/types.js';
import { kubeVolumeApi, type VolumeApi } from '../volumes/api.js';
import { mountsFor as volumeMounts, PodVolumesError, VolumeManager, type PodVolumes } from '../volumes/manager.js';
import { VolumeError } from '../volumes/plugin.js';
import type { KubeClient } from '@wharf/client';

export { VolumeError, PodVolumesError, type PodVolumes };

const managers = new WeakMap<KubeClient, Map<string, VolumeManager>>();
/** For tear-down without API access (orphans found at start-up): plugins tear down from disk alone. */
const offline = new Map<string, VolumeManager>();

const noApi: VolumeApi = {
  configMap: () => Promise.reject(new VolumeError('no API access in this context')),
  secret: () => Promise.reject(new VolumeError('no API access in this context')),
  persistentVolumeClaim: () => Promise.reject(new VolumeError('no API access in this context')),
  persistentVolume: () => Promise.reject(new VolumeError('no API access in this context')),
  serviceAccountToken: () => Promise.reject(new VolumeError('no API access in this context')),
};

/**
 * The tmpfs the node's memory-backed volumes share: `volumes/` in the runtime's run dir (store.ts),
 * which the runc runtime mounts at its start; the manager uses it only if it is a tmpfs. None in a
 * state dir an earlier build laid out, whose run dir is the state dir itself (where `volumes/` holds
 * the local provisioner's volumes).
 */
function memoryOption(podsDir: string): { memoryDir?: string } {
  const store = new RuntimeStore(path.dirname(podsDir));
  return store.legacy ? {} : { memoryDir: path.join(store.runDir, 'volumes') };
}

/** The agent's volume manager for `podsDir`. */
export function volumeManager(podsDir: string, client?: KubeClient): VolumeManager {
  if (!client) {
    let m = offline.get(podsDir);
    if (!m) offline.set(podsDir, (m = new VolumeManager({ podsDir, api: noApi, ...memoryOption(podsDir) })));
    return m;
  }
  let byDir = managers.get(client);
  if (!byDir) managers.set(client, (byDir = new Map()));
  let m = byDir.get(podsDir);
  if (!m)
    byDir.set(podsDir, (m = new VolumeManager({ podsDir, api: kubeVolumeApi({ client }), ...memoryOption(podsDir) })));
  return m;
}

/** `<podsDir>/<uid>`, as the kubelet lays out /var/lib/kubelet/pods. */
export function podDir(podsDir: string, uid: string): string {
  return volumeManager(podsDir).podDir(uid);
}

/** Sets up every volume of the pod (idempotent); throws PodVolumesError (FailedMount) naming each failed volume. */
export function setUpVolumes(podsDir: string, pod: V1Pod, client: KubeClient): Promise<PodVolumes> {
  return volumeManager(podsDir, client).setUp(pod);
}

/**
 * Re-projects changed configMap/secret/downwardAPI/projected content (throttled unless `force`;
 * `fresh`: no read shared from the last second); one error per failed volume.
 */
export function refreshVolumes(
  podsDir: string,
  pod: V1Pod,
  client: KubeClient,
  force = false,
  fresh = false,
): Promise<VolumeError[]> {
  return volumeManager(podsDir, client).refresh(pod, force, fresh);
}

/** The container's volumeMounts as bind mounts (subPath created inside, and kept inside, the volume). */
export function mountsFor(c: V1Container, volumes: PodVolumes): Promise<BindMount[]> {
  return volumeMounts(c, volumes);
}

/**
 * Tears down the pod's volumes (tmpfs unmounted, plugin tear-down) and removes the pod dir; hostPath contents are never
 * touched.
 */
export function tearDownVolumes(podsDir: string, uid: string, client?: KubeClient): Promise<void> {
  return volumeManager(podsDir, client).tearDown(uid);
}
