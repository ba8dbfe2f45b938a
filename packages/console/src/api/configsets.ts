// Editing a ConfigSet from the Configuration page, as `wharf config set KEY=VALUE -m MESSAGE`
// does it (packages/cli/src/config/actions.ts): one merge patch of spec.data carrying the
// resourceVersion that was read (a concurrent change is a 409, not a silent overwrite) and the
// version's message in an annotation. The platform publishes the write as a new immutable version;
// every application reading it with `update: rollout` rolls that version out under health gates.
import { api } from './client.js';
import { changesBetween, configSetsPath, GROUP, type Application, type ConfigSet, type KeyChange } from './platform.js';

type ConfigRef = NonNullable<Application['spec']['components'][number]['config']>[number];

const MERGE = 'application/merge-patch+json';
export const ANNOTATION_CHANGE_MESSAGE = `${GROUP}/change-message`;

export const configSetPath = (ns: string, name: string): string => `${configSetsPath(ns)}/${encodeURIComponent(name)}`;

/** One key set (a string) or removed (null), as the user asked for it. */
export interface KeyEdit {
  key: string;
  value: string | null;
}

/** A Secret-like key name, as `wharf config set` accepts (env var names and file names). */
export const KEY_PATTERN = /^[-._a-zA-Z0-9]+$/;

/** spec.data as a merge patch: a key set to a string, or removed (null). */
export type DataPatch = Record<string, string | null>;

export const keyPatch = (edit: KeyEdit): DataPatch => ({ [edit.key]: edit.value });

/** The patch that makes `current` equal `target` again (a rollback to the version holding `target`). */
export function restorePatch(current: Record<string, string>, target: Record<string, string>): DataPatch {
  return {
    ...Object.fromEntries(
      Object.keys(current)
        .filter((k) => !(k in target))
        .map((k) => [k, null]),
    ),
    ...target,
  };
}

function patchOf(cs: ConfigSet, data: DataPatch, message: string): unknown {
  return {
    metadata: {
      resourceVersion: cs.metadata.resourceVersion,
      annotations: { [ANNOTATION_CHANGE_MESSAGE]: message.trim() || null },
    },
    spec: { data },
  };
}

/** The data after the edit, to diff against the current data before anything is written. */
export function editedData(cs: ConfigSet, edit: KeyEdit): Record<string, string> {
  const data = { ...(cs.spec.data ?? {}) };
  if (edit.value === null) delete data[edit.key];
  else data[edit.key] = edit.value;
  return data;
}

/**
 * Asks the API server with dryRun=All (validation, admission webhooks, conflicts; nothing is
 * stored) and answers the per-key changes the write would make.
 */
export async function checkEdit(ns: string, cs: ConfigSet, edit: DataPatch, message: string): Promise<KeyChange[]> {
  const would = await api<ConfigSet>(`${configSetPath(ns, cs.metadata.name)}?dryRun=All&fieldManager=wharf-console`, {
    method: 'PATCH',
    contentType: MERGE,
    body: patchOf(cs, edit, message),
  });
  return changesBetween(cs.spec.data ?? {}, would.spec.data ?? {});
}

/** Writes the edit; the answer's generation is what the published version must have observed. */
export function saveEdit(ns: string, cs: ConfigSet, edit: DataPatch, message: string): Promise<ConfigSet> {
  return api<ConfigSet>(`${configSetPath(ns, cs.metadata.name)}?fieldManager=wharf-console`, {
    method: 'PATCH',
    contentType: MERGE,
    body: patchOf(cs, edit, message),
  });
}

/** The version published for a write of `generation`, once the platform has published it. */
export function publishedVersion(cs: ConfigSet | undefined, after: number, generation: number): number | undefined {
  const v = cs?.status?.version ?? 0;
  return v > after && (cs?.status?.observedGeneration ?? 0) >= generation ? v : undefined;
}

export type Effect = 'rollout' | 'inPlace' | 'nothing';

export interface ImpactEntry {
  application: string;
  component: string;
  /** `env`, `args` or `file`, with the mount path of files. */
  reads: string;
  /** The changed keys this reference reads. */
  keys: string[];
  effect: Effect;
  /** i18n key under `configsets.why`. */
  why: 'noChange' | 'manual' | 'inPlace' | 'inPlaceNone' | 'rollout' | 'rolloutNone';
  /** Keys it lists that the change removes: the app would report ConfigKeyNotFound. */
  missing: string[];
}

/**
 * Who reads the ConfigSet and what the platform does about a change, by the Application
 * controller's rules as `wharf config set --dry-run` states them (packages/cli/src/config/impact.ts):
 * `rollout` pins every version (a new revision even when it reads none of the changed keys),
 * `inPlace` files follow without a restart, `manual` keeps its version until the next rollout.
 */
/** How a component reads a ConfigSet, in a few words: `env`, `args (PREFIX*)` or `file /path`. */
export function readsOf(ref: ConfigRef): string {
  return ref.as === 'file' ? `file ${ref.mountPath ?? ''}` : ref.prefix ? `${ref.as} (${ref.prefix}*)` : ref.as;
}

export function impactOf(
  configSet: string,
  changes: readonly KeyChange[],
  apps: readonly Application[],
): ImpactEntry[] {
  const changed = changes.map((c) => c.key);
  const removed = new Set(changes.filter((c) => c.change === 'removed').map((c) => c.key));
  return apps.flatMap((app) =>
    app.spec.components.flatMap((comp) =>
      (comp.config ?? [])
        .filter((r) => r.configSet === configSet)
        .map((ref): ImpactEntry => {
          const keys = ref.keys ? changed.filter((k) => ref.keys?.includes(k)) : changed;
          const base = {
            application: app.metadata.name,
            component: comp.name,
            reads: readsOf(ref),
            keys,
            missing: (ref.keys ?? []).filter((k) => removed.has(k)),
          };
          const update = ref.update ?? 'rollout';
          if (!changes.length) return { ...base, effect: 'nothing', why: 'noChange' };
          if (update === 'manual') return { ...base, effect: 'nothing', why: 'manual' };
          if (update === 'inPlace')
            return keys.length
              ? { ...base, effect: 'inPlace', why: 'inPlace' }
              : { ...base, effect: 'nothing', why: 'inPlaceNone' };
          return { ...base, effect: 'rollout', why: keys.length ? 'rollout' : 'rolloutNone' };
        }),
    ),
  );
}

/** The applications reading a ConfigSet, for the list page. */
export function readersOf(configSet: string, apps: readonly Application[]): string[] {
  return [
    ...new Set(
      apps
        .filter((a) => a.spec.components.some((c) => (c.config ?? []).some((r) => r.configSet === configSet)))
        .map((a) => a.metadata.name),
    ),
  ].sort();
}
