// The volume plugin interface, modelled on the kubelet's VolumePlugin: a plugin is probed and
// initialised once with the node's VolumeHost, says which volume specs it can serve, and sets up
// (and tears down) one volume of one pod in a directory the manager hands it.
import type { Logger } from '@wharf/client';
import type { V1PersistentVolume, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { VolumeApi } from './api.js';
import type { Mounter } from './mounter.js';

/** A volume cannot be set up, refreshed or torn down (FailedMount); names the volume. */
export class VolumeError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_VOLUME';
  constructor(message: string) {
    super(message);
    this.name = 'VolumeError';
  }
}

/**
 * One volume to set up: a pod volume or, for a persistentVolumeClaim, the PersistentVolume it is
 * bound to (as the kubelet's volume.Spec wraps either).
 */
export interface VolumeSpec {
  /** The pod's volume name (for a PVC, the pod volume that names the claim). */
  readonly name: string;
  readonly volume?: V1Volume;
  readonly persistentVolume?: V1PersistentVolume;
  /** The claim's readOnly flag or the PV's access modes ask for read-only. @default false */
  readonly readOnly?: boolean;
  /** Re-read the source now, not from a read shared a moment ago (the pod changed: it may ask for new content). */
  readonly fresh?: boolean;
}

/** What the node offers plugins (kubelet: VolumeHost). */
export interface VolumeHost {
  readonly nodeName: string;
  /** `<podsDir>/<uid>/volumes/<escaped plugin name>/<volume name>` is where managed volumes live. */
  readonly podsDir: string;
  /** Reads ConfigMaps, Secrets, PVCs, PVs and service-account tokens. */
  readonly api: VolumeApi;
  readonly mounter: Mounter;
  /**
   * A tmpfs the node's memory-backed content volumes (secret, projected, downwardAPI) share, each in
   * `<memoryDir>/<uid>/<plugin>/<volume>`: no mount of their own per pod. Undefined: each mounts a
   * tmpfs of its own on its dir.
   */
  readonly memoryDir?: string;
  /** Node allocatable, for resourceFieldRef without a limit. */
  readonly allocatable: { readonly cpu: number; readonly memory: number; readonly ephemeralStorage: number };
  readonly clock: () => number;
  readonly logger: Logger;
}

/** A set-up volume: the host path bind-mounted into containers. */
export interface MountedVolume {
  readonly hostPath: string;
  /** Every mount of this volume is read-only (API data volumes, read-only claims). @default false */
  readonly readOnly?: boolean;
  /**
   * The node must not change it either (an image volume is the image store's shared copy): a
   * subPath that does not exist is an error instead of a directory made for it. @default false
   */
  readonly immutable?: boolean;
}

export interface VolumePlugin {
  /** Unique, e.g. `kubernetes.io/configmap`; its escaped form (`/` → `~`) names the volume's parent dir. */
  readonly name: string;
  /**
   * Probe and initialise with the host; throwing disables the plugin (the registry logs why).
   * Runs once, before any other call.
   */
  init(host: VolumeHost): Promise<void> | void;
  /** True when this plugin serves the spec. Exactly one registered plugin may answer true. */
  canSupport(spec: VolumeSpec): boolean;
  /**
   * Sets up the volume in `dir` (created by the manager, empty on first call) or elsewhere (hostPath)
   * and answers what to bind-mount. Must be idempotent: the manager calls it again after an agent
   * restart and, when `needsUpdate` says so, on every refresh.
   */
  setUp(pod: V1Pod, spec: VolumeSpec, dir: string): Promise<MountedVolume>;
  /**
   * Removes what setUp made in `dir` (unmounts, external detach). The manager then unmounts anything
   * left below the pod dir and removes it. Gets no spec: it must work from disk alone, after an
   * agent restart.
   */
  tearDown(dir: string): Promise<void>;
  /** Content comes from API objects that may change: re-run setUp on refresh. @default false */
  needsUpdate?(spec: VolumeSpec): boolean;
}

/** `kubernetes.io/empty-dir` → `kubernetes.io~empty-dir`, as the kubelet names plugin dirs. */
export function escapePluginName(name: string): string {
  return name.replaceAll('/', '~');
}
