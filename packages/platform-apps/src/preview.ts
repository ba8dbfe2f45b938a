// Impact preview of a ConfigSet change, before anything changes (`wharf config set ... --dry-run`
// and any other caller): which applications and components read which of the changed keys, how
// (env, args, file), and what will happen (a health-gated rollout, an in-place file update, or
// nothing until the next rollout), with a unified diff per key.
import { createTwoFilesPatch } from 'diff';
import type { Application, ConfigRef, ConfigSet, UpdatePolicy } from './types.js';

export type KeyChange = 'added' | 'changed' | 'removed';

export interface ChangedKey {
  readonly key: string;
  readonly change: KeyChange;
  /** Unified diff of the value (`--- KEY (vN)` / `+++ KEY (new)`). */
  readonly diff: string;
}

export interface Impact {
  readonly application: string;
  readonly component: string;
  readonly key: string;
  /** How the component reads the key. */
  readonly as: 'env' | 'args' | 'file';
  readonly update: UpdatePolicy;
  /** What the change does to the component. */
  readonly action: 'rollout' | 'inPlace' | 'nothing' | 'breaks';
  /** The same in words, e.g. `new revision, canary then 2 replicas under health gates`. */
  readonly detail: string;
}

export interface ConfigChangePreview {
  readonly configSet: string;
  /** The version the change would become. */
  readonly version: number;
  readonly changes: ChangedKey[];
  readonly impacts: Impact[];
}

/** Env var names a container accepts (envFrom skips others). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The preview of replacing the data of `configSet` by `data` (the whole new map; a key absent
 * from it is removed), against the applications of its namespace.
 */
export function previewConfigChange(
  configSet: ConfigSet,
  data: Readonly<Record<string, string>>,
  apps: readonly Application[],
): ConfigChangePreview {
  const name = configSet.metadata?.name ?? '';
  const version = configSet.status?.version ?? 0;
  const old = configSet.spec.data ?? {};
  const changes: ChangedKey[] = [];
  for (const key of [...new Set([...Object.keys(old), ...Object.keys(data)])].sort()) {
    const before = old[key];
    const after = data[key];
    if (before === after) continue;
    const change: KeyChange = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    changes.push({
      key,
      change,
      diff: createTwoFilesPatch(
        `${key} (v${version})`,
        `${key} (new)`,
        withNewline(before),
        withNewline(after),
        undefined,
        undefined,
        { context: 3 },
      ),
    });
  }
  const impacts: Impact[] = [];
  for (const app of apps) {
    if (app.metadata?.namespace !== configSet.metadata?.namespace) continue;
    for (const c of app.spec.components) {
      for (const ref of c.config ?? []) {
        if (ref.configSet !== name) continue;
        for (const ch of changes) {
          if (ref.keys && !ref.keys.includes(ch.key)) continue;
          impacts.push({
            application: app.metadata?.name ?? '',
            component: c.name,
            key: ch.key,
            ...effect(ref, ch, c.replicas ?? 1, usedInArgs(c.runtime, `${ref.prefix ?? ''}${ch.key}`)),
          });
        }
      }
    }
  }
  return { configSet: name, version: version + 1, changes, impacts };
}

const withNewline = (v: string | undefined): string =>
  v === undefined || v === '' || v.endsWith('\n') ? (v ?? '') : `${v}\n`;

const usedInArgs = (rt: { command?: string[]; args?: string[] }, env: string): boolean =>
  [...(rt.command ?? []), ...(rt.args ?? [])].some((a) => a.includes(`$(${env})`));

function effect(
  ref: ConfigRef,
  ch: ChangedKey,
  replicas: number,
  inArgs: boolean,
): Pick<Impact, 'as' | 'update' | 'action' | 'detail'> {
  const update = ref.update ?? 'rollout';
  const as = ref.as === 'file' ? 'file' : inArgs || ref.as === 'args' ? 'args' : 'env';
  if (ch.change === 'removed' && ref.keys?.includes(ch.key)) {
    return {
      as,
      update,
      action: 'breaks',
      detail: `the component names key ${ch.key}: the next revision is refused (ConfigKeyNotFound) until the key is back or the reference changes`,
    };
  }
  const envName = `${ref.prefix ?? ''}${ch.key}`;
  if (as !== 'file' && !ENV_NAME.test(envName))
    return {
      as,
      update,
      action: 'nothing',
      detail: `${envName} is not a valid environment variable name: not injected`,
    };
  if (update === 'manual')
    return {
      as,
      update,
      action: 'nothing',
      detail: 'manual: the running pods keep the current version until the next rollout',
    };
  if (update === 'inPlace')
    return {
      as,
      update,
      action: 'inPlace',
      detail: `file ${ref.mountPath}/${ch.key} changes in ${replicas} running pod(s) without a restart`,
    };
  return {
    as,
    update,
    action: 'rollout',
    detail: `a new revision: one canary pod, then ${replicas} replica(s), under health gates (rolled back automatically if unhealthy)`,
  };
}
