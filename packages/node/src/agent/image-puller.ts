// The images one container attempt needs, pulled as the kubelet does: the container's own image
// and every image volume (`volumes[].image`) it mounts, each with its pull policy and the pod's
// pull secrets. A failure makes the container wait with ErrImagePull, then ImagePullBackOff until
// its back-off ends, naming the image that failed, whichever of the two it was.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { EventRecorder, KubeClient } from '@wharf/client';
import type { MountedVolume } from '../volumes/plugin.js';
import type { EnsuredImage, ImageProvider, PullSecret } from './image-provider.js';
import { eventTarget } from './pod-actions.js';
import type { Waiting } from './pod-status.js';
import { fetchPullSecrets, missingPullSecretsMessage } from './pull-secrets.js';
import { backoffDelay, type BackoffOptions } from './restart.js';

export interface ImagePullerOptions {
  readonly images: ImageProvider;
  readonly client: KubeClient;
  readonly events: EventRecorder;
  /** Back-off between failed pulls of one container. */
  readonly backoff: BackoffOptions;
  readonly clock: () => number;
}

/** What a container attempt starts from. */
export interface PulledImages {
  readonly image: EnsuredImage;
  /** Image volume name → the image's root filesystem, mounted read-only. */
  readonly volumes: ReadonlyMap<string, MountedVolume>;
}

interface PullFailure {
  readonly image: string;
  readonly count: number;
  readonly until: number;
  readonly message: string;
  backOffReported?: boolean;
}

/** One image a container needs: its own, or an image volume's. */
interface Wanted {
  readonly reference: string;
  readonly policy: string;
  /** The image volume's name; undefined for the container's image. */
  readonly volume?: string;
}

/** The policy an image gets when none is set: Always for `:latest` or no tag, else IfNotPresent. */
export function defaultPullPolicy(image: string): string {
  const name = image.split('@')[0] ?? '';
  const tag = name.slice(name.lastIndexOf('/') + 1).split(':')[1];
  if (image.includes('@')) return tag === 'latest' ? 'Always' : 'IfNotPresent';
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** The image volumes a container mounts, once each, in mount order. */
export function imageVolumesOf(
  pod: V1Pod,
  c: V1Container,
): { readonly name: string; readonly reference: string; readonly policy: string }[] {
  const out = new Map<string, { name: string; reference: string; policy: string }>();
  for (const m of c.volumeMounts ?? []) {
    const source = (pod.spec?.volumes ?? []).find((v) => v.name === m.name)?.image;
    if (!source || out.has(m.name)) continue;
    const reference = source.reference ?? '';
    out.set(m.name, { name: m.name, reference, policy: source.pullPolicy ?? defaultPullPolicy(reference) });
  }
  return [...out.values()];
}

/** Pulls for one pod's containers; keeps each container's pull failures and the image IDs seen. */
export class PodImagePuller {
  private readonly failures = new Map<string, PullFailure>();
  private readonly ids = new Map<string, string>();

  constructor(private readonly o: ImagePullerOptions) {}

  /** The imageID each container image and image volume reference resolved to. */
  get imageIDs(): ReadonlyMap<string, string> {
    return this.ids;
  }

  /** Every image the container needs, or undefined with the container's waiting reason set. */
  async pull(
    pod: V1Pod,
    c: V1Container,
    init: boolean,
    waiting: Map<string, Waiting>,
  ): Promise<PulledImages | undefined> {
    const o = this.o;
    const target = eventTarget(pod, c, init);
    const failed = this.failures.get(c.name);
    if (failed && o.clock() < failed.until) {
      if (!failed.backOffReported) {
        failed.backOffReported = true;
        o.events.emit(target, 'Normal', 'BackOff', `Back-off pulling image "${failed.image}"`);
        o.events.emit(target, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      }
      waiting.set(c.name, {
        reason: 'ImagePullBackOff',
        message: `Back-off pulling image "${failed.image}": ${failed.message}`,
      });
      return undefined;
    }
    const image = c.image ?? '';
    const wanted: Wanted[] = [
      { reference: image, policy: c.imagePullPolicy ?? defaultPullPolicy(image) },
      ...imageVolumesOf(pod, c).map((v) => ({ reference: v.reference, policy: v.policy, volume: v.name })),
    ];
    let secrets: readonly PullSecret[] | undefined;
    let own: EnsuredImage | undefined;
    const volumes = new Map<string, MountedVolume>();
    for (const w of wanted) {
      try {
        if (!secrets) {
          const fetched = await fetchPullSecrets(o.client, pod);
          if (fetched.missing.length)
            o.events.emit(
              eventTarget(pod),
              'Warning',
              'FailedToRetrieveImagePullSecret',
              missingPullSecretsMessage(fetched.missing),
            );
          secrets = fetched.secrets;
        }
        const ensured = await this.ensure(target, w, secrets);
        if (w.volume === undefined) own = ensured;
        else {
          volumes.set(w.volume, { hostPath: ensured.rootfs, readOnly: true, immutable: true });
          // Reported as the mount's volumeStatus.image.imageRef.
          this.ids.set(w.reference, ensured.imageID ?? w.reference);
        }
      } catch (e) {
        const count = (failed?.count ?? 0) + 1;
        const raw = (e as Error).message;
        // The waiting message must say which image failed: a volume's is not the container's.
        const message = raw.includes(`"${w.reference}"`) ? raw : `failed to pull image "${w.reference}": ${raw}`;
        this.failures.set(c.name, {
          image: w.reference,
          count,
          until: o.clock() + backoffDelay(count, o.backoff),
          message,
        });
        o.events.emit(target, 'Warning', 'Failed', `Failed to pull image "${w.reference}": ${raw}`);
        o.events.emit(target, 'Warning', 'Failed', 'Error: ErrImagePull');
        waiting.set(c.name, { reason: 'ErrImagePull', message });
        return undefined;
      }
    }
    this.failures.delete(c.name);
    this.ids.set(image, own!.imageID ?? image);
    return { image: own!, volumes };
  }

  /** One pull with its Pulling / Pulled events. */
  private async ensure(
    target: ReturnType<typeof eventTarget>,
    w: Wanted,
    secrets: readonly PullSecret[],
  ): Promise<EnsuredImage> {
    const o = this.o;
    const t0 = o.clock();
    let pullingReported = false;
    // Pulling is reported before the pull starts, as the kubelet does, when it is known that one will.
    if (
      w.policy === 'Always' ||
      (w.policy !== 'Never' && o.images.isPresent && !(await o.images.isPresent(w.reference).catch(() => true)))
    ) {
      o.events.emit(target, 'Normal', 'Pulling', `Pulling image "${w.reference}"`);
      pullingReported = true;
    }
    const ensured = await o.images.ensure(w.reference, w.policy, secrets);
    if (ensured.pulled === false) {
      o.events.emit(target, 'Normal', 'Pulled', `Container image "${w.reference}" already present on machine`);
    } else {
      if (!pullingReported) o.events.emit(target, 'Normal', 'Pulling', `Pulling image "${w.reference}"`);
      o.events.emit(target, 'Normal', 'Pulled', `Successfully pulled image "${w.reference}" in ${o.clock() - t0}ms`);
    }
    return ensured;
  }
}
