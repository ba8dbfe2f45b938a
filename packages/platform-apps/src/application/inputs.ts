// What an Application's next revision is made of: its spec, the latest published version of each
// ConfigSet it reads with update `rollout`, the version pinned so far for `manual` ones, and the
// content hash of each Secret. Missing ConfigSets, keys and Secrets are problems a person can act
// on, reported in status instead of a stuck rollout. The fingerprint names these inputs: a new
// revision is made only when it changes (so a revision rolled back from is never made again).
import { hashOf } from '../common/hash.js';
import { dataHash } from '../configset/reconcile.js';
import type {
  ApplicationRevision,
  ApplicationSpec,
  ArtifactDelivery,
  ConditionReason,
  ConfigSet,
  PinnedConfig,
  PinnedSecret,
} from '../types.js';

/** What the controller knows of a Secret: never its values. */
export interface SecretInfo {
  readonly hash: string;
  readonly keys: readonly string[];
}

export interface Problem {
  readonly reason: ConditionReason;
  readonly message: string;
}

export interface LiveConfig {
  readonly configSet: string;
  readonly version: number;
  /** The ConfigSet's published content, for the mutable mirror; absent while an edit awaits its version. */
  readonly data?: Record<string, string>;
  readonly binaryData?: Record<string, string>;
  /** When the version was published (RFC 3339). */
  readonly time: string;
}

export interface Inputs {
  readonly config: PinnedConfig[];
  readonly live: LiveConfig[];
  readonly secrets: PinnedSecret[];
  readonly problems: Problem[];
  readonly fingerprint: string;
  /** The newest publish time among the `rollout` config versions (for batchSeconds). */
  readonly newestConfigTime: string | undefined;
}

export interface InputSources {
  readonly app: string;
  readonly configSets: ReadonlyMap<string, ConfigSet>;
  readonly secrets: ReadonlyMap<string, SecretInfo>;
  /** The revision running now: `manual` references keep its versions. */
  readonly current: ApplicationRevision | undefined;
  /** The app's explicit artifact delivery: an image volume takes no file mount inside it. */
  readonly delivery?: ArtifactDelivery;
}

/** The snapshot Secret of a Secret's content for an Application (immutable, one per content). */
export const snapshotName = (app: string, secret: string, hash: string): string =>
  `${app}-${secret}-${hash.slice(0, 10)}`;

/** The spec as released: replicas are scaled in place, never a new revision. */
export const releasedSpec = (spec: ApplicationSpec): unknown => ({
  ...spec,
  components: spec.components.map((c) => ({ ...c, replicas: undefined })),
});

export function resolveInputs(spec: ApplicationSpec, src: InputSources): Inputs {
  const problems: Problem[] = [];
  const config = new Map<string, PinnedConfig>();
  const live = new Map<string, LiveConfig>();
  const secrets = new Map<string, PinnedSecret>();
  let newest: string | undefined;
  for (const comp of spec.components) {
    if (src.delivery === 'imageVolume') problems.push(...nestedInImageVolume(comp));
    for (const ref of comp.config ?? []) {
      const cs = src.configSets.get(ref.configSet);
      const latest = cs?.status?.history?.[0];
      if (!cs || !latest) {
        problems.push({
          reason: 'ConfigSetNotFound',
          message: `component ${comp.name}: ConfigSet ${ref.configSet} ${cs ? 'has no published version yet' : 'does not exist'}`,
        });
        continue;
      }
      for (const key of ref.keys ?? []) {
        if (!latest.keys.includes(key))
          problems.push({
            reason: 'ConfigKeyNotFound',
            message: `component ${comp.name}: key ${key} is not in ConfigSet ${ref.configSet} (version ${latest.version})`,
          });
      }
      const update = ref.update ?? 'rollout';
      if (update === 'inPlace') {
        // The mirror follows spec.data once it is published (the version's hash matches).
        const published = latest.hash === dataHash(cs);
        live.set(ref.configSet, {
          configSet: ref.configSet,
          version: latest.version,
          time: latest.time,
          ...(published ? { data: cs.spec.data ?? {}, binaryData: cs.spec.binaryData ?? {} } : {}),
        });
        continue;
      }
      const pinnedBefore = src.current?.spec.config.find((c) => c.configSet === ref.configSet);
      const pin =
        update === 'manual' && pinnedBefore
          ? pinnedBefore
          : { configSet: ref.configSet, version: latest.version, configMap: latest.configMap };
      // One version per ConfigSet per revision: a `rollout` reference wins over a `manual` one.
      if (!config.has(ref.configSet) || update === 'rollout') config.set(ref.configSet, pin);
      if (update === 'rollout' && (!newest || latest.time > newest)) newest = latest.time;
    }
    for (const ref of comp.secrets ?? []) {
      const s = src.secrets.get(ref.secret);
      if (!s) {
        problems.push({
          reason: 'SecretNotFound',
          message: `component ${comp.name}: Secret ${ref.secret} does not exist`,
        });
        continue;
      }
      for (const key of ref.keys ?? []) {
        if (!s.keys.includes(key))
          problems.push({
            reason: 'SecretKeyNotFound',
            message: `component ${comp.name}: key ${key} is not in Secret ${ref.secret}`,
          });
      }
      const pinnedBefore = src.current?.spec.secrets.find((p) => p.secret === ref.secret);
      const pin =
        (ref.update ?? 'rollout') === 'manual' && pinnedBefore
          ? pinnedBefore
          : { secret: ref.secret, hash: s.hash, snapshot: snapshotName(src.app, ref.secret, s.hash) };
      if (!secrets.has(ref.secret) || (ref.update ?? 'rollout') === 'rollout') secrets.set(ref.secret, pin);
    }
  }
  const pinnedConfig = [...config.values()].sort((a, b) => a.configSet.localeCompare(b.configSet));
  const pinnedSecrets = [...secrets.values()].sort((a, b) => a.secret.localeCompare(b.secret));
  const fingerprint = hashOf(
    {
      spec: releasedSpec(spec),
      config: pinnedConfig.map((c) => [c.configSet, c.version]),
      secrets: pinnedSecrets.map((s) => [s.secret, s.hash]),
    },
    16,
  );
  return {
    config: pinnedConfig,
    live: [...live.values()],
    secrets: pinnedSecrets,
    problems,
    fingerprint,
    newestConfigTime: newest,
  };
}

/**
 * File mounts inside an artifact's mountPath: an image volume is the image store's shared read-only
 * copy, so the node makes no mount point in it and the pod would never start.
 */
export function nestedInImageVolume(comp: ApplicationSpec['components'][number]): Problem[] {
  const files = [...(comp.config ?? []), ...(comp.secrets ?? [])].filter((r) => r.as === 'file' && r.mountPath);
  const under = (path: string, dir: string): boolean => path.startsWith(`${dir.replace(/\/+$/, '')}/`);
  return (comp.artifacts ?? []).flatMap((a) =>
    files
      .filter((r) => under(r.mountPath!, a.mountPath))
      .map((r) => ({
        reason: 'InvalidSpec' as const,
        message: `component ${comp.name}: ${'configSet' in r ? `ConfigSet ${r.configSet}` : `Secret ${r.secret}`} is mounted at ${r.mountPath}, inside artifact ${a.image} at ${a.mountPath}: an image volume is read-only; mount it beside the artifact, or use artifactDelivery initCopy or auto`,
      })),
  );
}
