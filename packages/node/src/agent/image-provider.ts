// What the agent needs from an image store: a root filesystem and the image's config for an
// image reference. @wharf/images implements it against the registry; tests map names to a
// directory. Pull policy and pull secrets are the provider's business; the pod worker fetches the
// Secrets the pod's imagePullSecrets name.

export interface ImageConfig {
  readonly entrypoint?: string[];
  readonly cmd?: string[];
  /** `NAME=value` entries. */
  readonly env?: string[];
  readonly workingDir?: string;
  /** `uid[:gid]` (numeric; names are not resolved). */
  readonly user?: string;
}

export interface EnsuredImage {
  /** Directory of the unpacked image; never written by the runtime. */
  readonly rootfs: string;
  readonly config: ImageConfig;
  /** Reported as containerStatuses[].imageID. @default the image reference */
  readonly imageID?: string;
  /** False when the image was already present (event "already present" instead of Pulling/Pulled). @default true */
  readonly pulled?: boolean;
}

/** A Secret named by the pod's imagePullSecrets, as the API serves it. */
export interface PullSecret {
  readonly metadata?: { readonly name?: string };
  /** kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg; other types are ignored. */
  readonly type?: string;
  /** base64 values (`.dockerconfigjson` / `.dockercfg`). */
  readonly data?: Readonly<Record<string, string>>;
}

export interface ImageProvider {
  /** Makes the image available locally; rejects (ideally with ImagePullError) when it cannot. */
  ensure(image: string, pullPolicy: string, pullSecrets: readonly PullSecret[]): Promise<EnsuredImage>;
  /** Whether the image is in the local store already (so `ensure` with IfNotPresent will not pull). */
  isPresent?(image: string): Promise<boolean>;
}

/** The image could not be pulled; the container waits with ErrImagePull / ImagePullBackOff. */
export class ImagePullError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_IMAGE_PULL';
  constructor(
    readonly image: string,
    reason: string,
  ) {
    super(`failed to pull image "${image}": ${reason}`);
    this.name = 'ImagePullError';
  }
}
