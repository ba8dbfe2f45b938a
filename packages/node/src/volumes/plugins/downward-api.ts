// downwardAPI: the pod's own metadata and its containers' resources as files, on a tmpfs as the
// kubelet keeps them; refreshed when labels or annotations change.
import type { V1Pod } from '@kubernetes/client-node';
import { setUpContent, tearDownContent } from '../content.js';
import { DEFAULT_MODE, downwardPayload } from '../payload.js';
import type { MountedVolume, VolumeHost, VolumePlugin, VolumeSpec } from '../plugin.js';

export class DownwardApiPlugin implements VolumePlugin {
  readonly name = 'kubernetes.io/downward-api';
  private host!: VolumeHost;

  init(host: VolumeHost): void {
    this.host = host;
  }

  canSupport(spec: VolumeSpec): boolean {
    return spec.volume?.downwardAPI !== undefined;
  }

  needsUpdate(): boolean {
    return true;
  }

  async setUp(pod: V1Pod, spec: VolumeSpec, dir: string): Promise<MountedVolume> {
    const src = spec.volume!.downwardAPI!;
    return setUpContent(
      this.host,
      dir,
      'memory',
      downwardPayload(pod, src.items ?? [], src.defaultMode ?? DEFAULT_MODE, this.host.allocatable),
    );
  }

  tearDown(dir: string): Promise<void> {
    return tearDownContent(this.host, dir);
  }
}
