// image (volumes[].image, Kubernetes 1.31+): an OCI image's root filesystem, mounted read-only.
// The pull needs the pod's pull secrets, its pull policy and the container's waiting reasons
// (ErrImagePull / ImagePullBackOff), so the pod executor pulls it with the container's own image
// (agent/image-puller.ts) and mounts the image store's shared unpacked copy; this plugin only
// claims the volume, so the manager knows it, and leaves nothing on the node to tear down.
import type { V1Pod } from '@kubernetes/client-node';
import { VolumeError, type MountedVolume, type VolumePlugin, type VolumeSpec } from '../plugin.js';

export class ImagePlugin implements VolumePlugin {
  readonly name = 'kubernetes.io/image';

  init(): void {}

  canSupport(spec: VolumeSpec): boolean {
    return spec.volume?.image !== undefined;
  }

  async setUp(_pod: V1Pod, spec: VolumeSpec, dir: string): Promise<MountedVolume> {
    if (!spec.volume?.image?.reference) throw new VolumeError(`volume ${spec.name}: image.reference is required`);
    // Replaced by the image's root filesystem when a container that mounts it is started.
    return { hostPath: dir, readOnly: true, immutable: true };
  }

  async tearDown(): Promise<void> {}
}
