// configMap: the ConfigMap's keys (or `items`) as files, refreshed in place when it changes.
import type { V1Pod } from '@kubernetes/client-node';
import { setUpContent, tearDownContent } from '../content.js';
import { DEFAULT_MODE, keyedPayload } from '../payload.js';
import type { MountedVolume, VolumeHost, VolumePlugin, VolumeSpec } from '../plugin.js';

export class ConfigMapPlugin implements VolumePlugin {
  readonly name = 'kubernetes.io/configmap';
  private host!: VolumeHost;

  init(host: VolumeHost): void {
    this.host = host;
  }

  canSupport(spec: VolumeSpec): boolean {
    return spec.volume?.configMap !== undefined;
  }

  needsUpdate(): boolean {
    return true;
  }

  async setUp(pod: V1Pod, spec: VolumeSpec, dir: string): Promise<MountedVolume> {
    const src = spec.volume!.configMap!;
    const ns = pod.metadata?.namespace ?? 'default';
    const object = await this.host.api.configMap(ns, src.name ?? '', spec.fresh);
    const payload = keyedPayload(
      {
        kind: 'configmap',
        name: src.name ?? '',
        ...(src.items ? { items: src.items } : {}),
        ...(src.optional !== undefined ? { optional: src.optional } : {}),
      },
      object,
      src.defaultMode ?? DEFAULT_MODE,
    );
    return setUpContent(this.host, dir, 'disk', payload);
  }

  tearDown(dir: string): Promise<void> {
    return tearDownContent(this.host, dir);
  }
}
