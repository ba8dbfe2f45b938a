// projected: several sources (configMap, secret, downwardAPI, serviceAccountToken) merged into one
// directory on a tmpfs. Service-account tokens come from the TokenRequest API, bound to the pod,
// and are requested again once 80% of their lifetime has passed (as the kubelet's token manager).
import type { V1Pod } from '@kubernetes/client-node';
import type { ServiceAccountToken } from '../api.js';
import type { FileProjection } from '../atomic-writer.js';
import { setUpContent, tearDownContent } from '../content.js';
import { DEFAULT_MODE, downwardPayload, keyedPayload } from '../payload.js';
import { VolumeError, type MountedVolume, type VolumeHost, type VolumePlugin, type VolumeSpec } from '../plugin.js';

interface CachedToken extends ServiceAccountToken {
  readonly issuedAt: number;
}

export class ProjectedPlugin implements VolumePlugin {
  readonly name = 'kubernetes.io/projected';
  private host!: VolumeHost;
  /** `<dir>/<path>` → token, so refreshes reuse a token until it is due. */
  private readonly tokens = new Map<string, CachedToken>();

  init(host: VolumeHost): void {
    this.host = host;
  }

  canSupport(spec: VolumeSpec): boolean {
    return spec.volume?.projected !== undefined;
  }

  needsUpdate(): boolean {
    return true;
  }

  async setUp(pod: V1Pod, spec: VolumeSpec, dir: string): Promise<MountedVolume> {
    const src = spec.volume!.projected!;
    const ns = pod.metadata?.namespace ?? 'default';
    const defaultMode = src.defaultMode ?? DEFAULT_MODE;
    const payload = new Map<string, FileProjection>();
    const add = (files: Map<string, FileProjection>): void => {
      for (const [p, f] of files) payload.set(p, f);
    };
    for (const [i, s] of (src.sources ?? []).entries()) {
      if (s.configMap) {
        const name = s.configMap.name ?? '';
        add(
          keyedPayload(
            {
              kind: 'configmap',
              name,
              ...(s.configMap.items ? { items: s.configMap.items } : {}),
              ...(s.configMap.optional !== undefined ? { optional: s.configMap.optional } : {}),
            },
            await this.host.api.configMap(ns, name, spec.fresh),
            defaultMode,
          ),
        );
      } else if (s.secret) {
        const name = s.secret.name ?? '';
        add(
          keyedPayload(
            {
              kind: 'secret',
              name,
              ...(s.secret.items ? { items: s.secret.items } : {}),
              ...(s.secret.optional !== undefined ? { optional: s.secret.optional } : {}),
            },
            await this.host.api.secret(ns, name, spec.fresh),
            defaultMode,
          ),
        );
      } else if (s.downwardAPI) {
        add(downwardPayload(pod, s.downwardAPI.items ?? [], defaultMode, this.host.allocatable));
      } else if (s.serviceAccountToken) {
        const t = s.serviceAccountToken;
        const token = await this.token(pod, `${dir}/${t.path}`, t.audience, t.expirationSeconds ?? 3600);
        payload.set(t.path, { data: Buffer.from(token, 'utf8'), mode: defaultMode });
      } else {
        throw new VolumeError(
          `volume ${spec.name}: projected source ${i} has no supported kind (configMap, secret, downwardAPI, serviceAccountToken)`,
        );
      }
    }
    return setUpContent(this.host, dir, 'memory', payload);
  }

  async tearDown(dir: string): Promise<void> {
    for (const k of this.tokens.keys()) if (k.startsWith(`${dir}/`)) this.tokens.delete(k);
    await tearDownContent(this.host, dir);
  }

  private async token(
    pod: V1Pod,
    key: string,
    audience: string | undefined,
    expirationSeconds: number,
  ): Promise<string> {
    const now = this.host.clock();
    const cached = this.tokens.get(key);
    if (cached && now < cached.issuedAt + 0.8 * (cached.expiresAt - cached.issuedAt)) return cached.token;
    const sa = pod.spec?.serviceAccountName || 'default';
    const fresh = await this.host.api.serviceAccountToken(pod.metadata?.namespace ?? 'default', sa, {
      ...(audience ? { audiences: [audience] } : {}),
      expirationSeconds,
      pod: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
    });
    this.tokens.set(key, { ...fresh, issuedAt: now });
    return fresh.token;
  }
}
