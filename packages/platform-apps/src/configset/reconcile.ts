// The ConfigSet controller's pure core: each change of spec.data/binaryData publishes version
// N+1 as an immutable ConfigMap `NAME-vN` (so pods pin an exact version and kubectl users see
// it) and records it in status.history with author, time and message; versions beyond
// historyLimit are pruned unless a kept ApplicationRevision pins them.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { hashOf } from '../common/hash.js';
import { setCondition } from '../common/conditions.js';
import {
  ANNOTATIONS,
  type ConfigSet,
  type ConfigSetStatus,
  type ConfigVersion,
  configVersionName,
  DEFAULTS,
  LABELS,
} from '../types.js';

export type ConfigSetAction =
  | { readonly type: 'createConfigMap'; readonly configMap: V1ConfigMap }
  | { readonly type: 'deleteConfigMap'; readonly name: string }
  | { readonly type: 'status'; readonly status: ConfigSetStatus }
  | { readonly type: 'published'; readonly version: ConfigVersion };

export interface ConfigSetObserved {
  /** The version ConfigMaps of this ConfigSet (label platform.wharf.dev/configset). */
  readonly configMaps: readonly V1ConfigMap[];
  /** ConfigMap names pinned by ApplicationRevisions that are kept. */
  readonly pinned: ReadonlySet<string>;
  /** RFC 3339. */
  readonly now: string;
}

/** The hash of what a version holds. */
export const dataHash = (cs: Pick<ConfigSet, 'spec'>): string =>
  hashOf({ data: cs.spec.data ?? {}, binaryData: cs.spec.binaryData ?? {} });

const versionOf = (cm: V1ConfigMap): number => Number(cm.metadata?.labels?.[LABELS.configVersion] ?? 0);

/** The history entry a version ConfigMap records about itself (so a lost status write is repaired). */
function entryOf(cm: V1ConfigMap): ConfigVersion {
  const a = cm.metadata?.annotations ?? {};
  return {
    version: versionOf(cm),
    configMap: cm.metadata?.name ?? '',
    time: a[`${LABELS.configSet}-time`] ?? cm.metadata?.creationTimestamp?.toString() ?? '',
    hash: a[`${LABELS.configSet}-hash`] ?? '',
    keys: [...Object.keys(cm.data ?? {}), ...Object.keys(cm.binaryData ?? {})].sort(),
    ...(a[ANNOTATIONS.changeAuthor] ? { author: a[ANNOTATIONS.changeAuthor] } : {}),
    ...(a[ANNOTATIONS.changeMessage] ? { message: a[ANNOTATIONS.changeMessage] } : {}),
  };
}

export function reconcileConfigSet(cs: ConfigSet, observed: ConfigSetObserved): ConfigSetAction[] {
  const name = cs.metadata?.name ?? '';
  const actions: ConfigSetAction[] = [];
  const hash = dataHash(cs);
  const byVersion = [...observed.configMaps]
    .filter((cm) => versionOf(cm) > 0)
    .sort((a, b) => versionOf(b) - versionOf(a));
  // History is rebuilt from the ConfigMaps: they are the record, status is their summary.
  let history = byVersion.map(entryOf);
  const latest = history[0];
  // Our own last publish, not yet in the ConfigMap cache: wait for it rather than publish twice.
  if ((latest?.version ?? 0) < (cs.status?.version ?? 0)) return [];
  const status: ConfigSetStatus = { ...(cs.status ?? {}) };
  if (!latest || latest.hash !== hash) {
    const version = (latest?.version ?? 0) + 1;
    const a = cs.metadata?.annotations ?? {};
    const entry: ConfigVersion = {
      version,
      configMap: configVersionName(name, version),
      time: observed.now,
      hash,
      keys: [...Object.keys(cs.spec.data ?? {}), ...Object.keys(cs.spec.binaryData ?? {})].sort(),
      ...(a[ANNOTATIONS.changeAuthor] ? { author: a[ANNOTATIONS.changeAuthor] } : {}),
      ...(a[ANNOTATIONS.changeMessage] ? { message: a[ANNOTATIONS.changeMessage] } : {}),
    };
    actions.push(
      { type: 'createConfigMap', configMap: versionConfigMap(cs, entry) },
      { type: 'published', version: entry },
    );
    history = [entry, ...history];
  }
  const limit = cs.spec.historyLimit ?? DEFAULTS.configHistoryLimit;
  const kept = history.filter((h, i) => i < limit || observed.pinned.has(h.configMap));
  for (const h of history) if (!kept.includes(h)) actions.push({ type: 'deleteConfigMap', name: h.configMap });
  const head = kept[0]!;
  const next: ConfigSetStatus = {
    ...status,
    version: head.version,
    configMap: head.configMap,
    observedGeneration: cs.metadata?.generation,
    history: kept,
    conditions: setCondition(
      status.conditions,
      { type: 'Ready', status: 'True', reason: 'Published', message: `version ${head.version} is ${head.configMap}` },
      observed.now,
    ),
  };
  if (JSON.stringify(next) !== JSON.stringify(cs.status ?? {})) actions.push({ type: 'status', status: next });
  return actions;
}

/** The immutable ConfigMap of a version, owned by its ConfigSet (deleted with it). */
function versionConfigMap(cs: ConfigSet, v: ConfigVersion): V1ConfigMap {
  const name = cs.metadata?.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: v.configMap,
      namespace: cs.metadata?.namespace,
      labels: {
        [LABELS.configSet]: name,
        [LABELS.configVersion]: String(v.version),
        [LABELS.managedBy]: ANNOTATIONS.managedBy,
      },
      annotations: {
        [`${LABELS.configSet}-time`]: v.time,
        [`${LABELS.configSet}-hash`]: v.hash,
        ...(v.author ? { [ANNOTATIONS.changeAuthor]: v.author } : {}),
        ...(v.message ? { [ANNOTATIONS.changeMessage]: v.message } : {}),
      },
      ownerReferences: [
        {
          apiVersion: cs.apiVersion ?? '',
          kind: 'ConfigSet',
          name,
          uid: cs.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    immutable: true,
    data: { ...(cs.spec.data ?? {}) },
    ...(cs.spec.binaryData ? { binaryData: { ...cs.spec.binaryData } } : {}),
  };
}
