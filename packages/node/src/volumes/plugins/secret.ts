// secret: the Secret's keys (or `items`) as files on a tmpfs, so they never reach the node's disk;
// refreshed in place when the Secret changes.
import type { V1Pod } from '@kubernetes/client-node';
import { setUpContent, tearDownContent } from '../content.js';
import { DEFAULT_MODE, keyedPayload } from '../payload.js';
import type { MountedVolume, VolumeHost, VolumePlugin, VolumeSpec } from '../plugin.js';

export class SecretPlugin implements VolumePlugin {
  readonly name = 'kubernetes.io/secret';
  private host!: VolumeHost;

  init(host: VolumeHost): void {
    this.host = host;
  }

  canSupport(spec: VolumeSpec): boolean {
    return spec.volume?.secret !== undefined;
  }

  needsUpdate(): boolean {
    return true;
  }

  async setUp(pod: V1Pod, spec: VolumeSpec, dir: string): Promise<MountedVolume> {
    const src = spec.volume!.secret!;
    const ns = pod.metadata?.namespace ?? 'default';
    const name = src.secretName ?? '';
    const object = await this.host.api.secret(ns, name, spec.fresh);
    const payload = keyedPayload(
      {
        kind: 'secret',
        name,
        ...(src.items ? { items: src.items } : {}),
        ...(src.optional !== undefined ? { optional: src.optional } : {}),
      },
      object,
      src.defaultMode ?? DEFAULT_MODE,
    );
    return setUpContent(this.host, dir, 'memory', payload);
  }

  tearDown(dir: string): Promise<void> {
    return tearDownContent(this.host, dir);
  }
}
