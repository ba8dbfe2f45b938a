// The impact preview of a ConfigSet change (`wharf config set --dry-run`): which applications
// and components read which of the changed keys, how (env, args, files), and what the platform
// will do about it — a health-gated rollout, an in-place file update, or nothing — following
// the rules of the Application controller (platform-apps/src/application/inputs.ts): a
// `rollout` reference pins each new version (a new revision even when it reads none of the
// changed keys), `inPlace` files follow the ConfigSet's mirror, `manual` keeps its version.
import type { Application, ConfigRef } from '@wharf/platform-apps';
import { renderTable } from '../kube/output.js';
import type { KeyChange } from './diff.js';

export type Effect = 'rollout' | 'inPlace' | 'nothing';

export interface ImpactEntry {
  readonly application: string;
  readonly component: string;
  /** `env`, `args`, or `file /mount/path`. */
  readonly reads: string;
  /** The changed keys this reference reads. */
  readonly keys: readonly string[];
  readonly effect: Effect;
  /** Why, in a few words. */
  readonly note: string;
  /** A change that will break this reference (a key it lists is removed). */
  readonly problem?: string;
}

const readsOf = (ref: ConfigRef): string =>
  ref.as === 'file' ? `file ${ref.mountPath ?? ''}` : ref.prefix ? `${ref.as} (prefix ${ref.prefix})` : ref.as;

export function impactOf(
  configSet: string,
  changes: readonly KeyChange[],
  apps: readonly Application[],
): ImpactEntry[] {
  const changed = changes.map((c) => c.key);
  const removed = new Set(changes.filter((c) => c.change === 'removed').map((c) => c.key));
  const out: ImpactEntry[] = [];
  for (const app of apps) {
    for (const comp of app.spec.components) {
      for (const ref of comp.config ?? []) {
        if (ref.configSet !== configSet) continue;
        const keys = ref.keys ? changed.filter((k) => ref.keys?.includes(k)) : changed;
        const missing = (ref.keys ?? []).filter((k) => removed.has(k));
        const update = ref.update ?? 'rollout';
        const base = { application: app.metadata?.name ?? '', component: comp.name, reads: readsOf(ref), keys };
        const problem = missing.length
          ? {
              problem: `reads removed key${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: the application will report ConfigKeyNotFound and not roll out`,
            }
          : {};
        if (!changes.length) out.push({ ...base, effect: 'nothing', note: 'no key changes' });
        else if (update === 'manual')
          out.push({
            ...base,
            effect: 'nothing',
            note: 'update: manual — keeps its pinned version until the next rollout',
            ...problem,
          });
        else if (update === 'inPlace')
          out.push({
            ...base,
            effect: keys.length ? 'inPlace' : 'nothing',
            note: keys.length ? 'files change in the running pods, no restart' : 'reads none of the changed keys',
            ...problem,
          });
        else
          out.push({
            ...base,
            effect: 'rollout',
            note: `a new revision, one canary pod per component, then all, rolled back if unhealthy${keys.length ? '' : ' (reads none of the changed keys, but pins every version)'}`,
            ...problem,
          });
      }
    }
  }
  return out;
}

const EFFECT_WORDS: Record<Effect, string> = { rollout: 'rollout', inPlace: 'in place', nothing: 'nothing' };

/** The preview as people read it: who reads what, and what happens. */
export function renderImpact(configSet: string, namespace: string, entries: readonly ImpactEntry[]): string {
  if (!entries.length)
    return `No application in namespace ${namespace} reads configset ${configSet}: nothing else changes.\n`;
  const table = renderTable(
    ['APPLICATION', 'COMPONENT', 'READS', 'CHANGED KEYS READ', 'EFFECT', 'WHY'],
    entries.map((e) => [e.application, e.component, e.reads, e.keys.join(',') || '-', EFFECT_WORDS[e.effect], e.note]),
  );
  const problems = entries
    .filter((e) => e.problem)
    .map((e) => `warning: ${e.application}/${e.component} ${e.problem}\n`)
    .join('');
  return table + problems;
}
