// emptyDir: a directory under the pod dir that lives as long as the pod; medium Memory is a tmpfs
// sized by sizeLimit, else by the sum of the containers' memory limits when every container has one
// (the kubelet's SizeMemoryBackedVolumes), else the tmpfs default.
import { chmod, mkdir, rm } from 'node:fs/promises';
import type { V1Pod } from '@kubernetes/client-node';
import { bytes } from '@wharf/api';
import { VolumeError, type MountedVolume, type VolumeHost, type VolumePlugin, type VolumeSpec } from '../plugin.js';

export class EmptyDirPlugin implements VolumePlugin {
  readonly name = 'kubernetes.io/empty-dir';
  private host!: VolumeHost;

  init(host: VolumeHost): void {
    this.host = host;
  }

  canSupport(spec: VolumeSpec): boolean {
    return spec.volume?.emptyDir !== undefined;
  }

  async setUp(pod: V1Pod, spec: VolumeSpec, dir: string): Promise<MountedVolume> {
    const e = spec.volume!.emptyDir!;
    const medium = e.medium ?? '';
    if (medium !== '' && medium !== 'Memory')
      throw new VolumeError(`volume ${spec.name}: emptyDir medium "${medium}" is not supported (use "" or "Memory")`);
    await mkdir(dir, { recursive: true, mode: 0o777 });
    if (medium === 'Memory') {
      const size =
        e.sizeLimit !== undefined
          ? bytes(String(e.sizeLimit), `volumes[${spec.name}].emptyDir.sizeLimit`)
          : podMemoryLimit(pod);
      await this.host.mounter.mountTmpfs(dir, { mode: '1777', ...(size !== undefined ? { sizeBytes: size } : {}) });
    }
    await chmod(dir, 0o777);
    return { hostPath: dir };
  }

  async tearDown(dir: string): Promise<void> {
    if (await this.host.mounter.isMountPoint(dir)) await this.host.mounter.unmount(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

function podMemoryLimit(pod: V1Pod): number | undefined {
  const cs = pod.spec?.containers ?? [];
  let sum = 0;
  for (const c of cs) {
    const l = c.resources?.limits?.memory;
    if (l === undefined) return undefined;
    sum += bytes(String(l), `containers[${c.name}].resources.limits.memory`);
  }
  return cs.length ? sum : undefined;
}
