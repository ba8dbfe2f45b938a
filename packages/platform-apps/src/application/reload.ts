// The optional reload call after an inPlace change: once the mutable mirror of a ConfigSet has new
// content, the node agents re-project the files into the running pods within a few seconds (they
// do every 1.5–3 s), so the call is due `delaySeconds` later: an HTTP GET on every Ready pod of the
// components that read the ConfigSet in place with a `reload`, or a command run in each pod's
// container of the component (exec). Pending calls live in status, so a controller restart still
// makes them.
import type { V1Pod } from '@kubernetes/client-node';
import type { Application, PendingReload } from '../types.js';
import { LABELS } from '../types.js';
import { isPodReady, msOf } from './health.js';

const DEFAULT_DELAY_S = 5;

export type ReloadCall =
  | { readonly pod: string; readonly url: string }
  | { readonly pod: string; readonly container: string; readonly command: readonly string[] };

export interface DueReload {
  readonly configSet: string;
  readonly version: number;
  readonly calls: readonly ReloadCall[];
}

export interface ReloadPlan {
  readonly pending: PendingReload[];
  readonly due: DueReload[];
  readonly recheckMs: number | undefined;
}

type Reload = NonNullable<NonNullable<Application['spec']['components'][number]['config']>[number]['reload']>;

/** The components' in-place references to a ConfigSet that ask for a reload. */
function reloadRefs(app: Application, configSet: string): { component: string; reload: Reload; delayS: number }[] {
  return app.spec.components.flatMap((c) =>
    (c.config ?? [])
      .filter((r) => r.configSet === configSet && r.update === 'inPlace' && r.reload)
      .map((r) => ({ component: c.name, reload: r.reload!, delayS: r.reload!.delaySeconds ?? DEFAULT_DELAY_S })),
  );
}

/** The call a reload makes on one pod (the component's container is named as the component). */
function callOn(pod: V1Pod, component: string, reload: Reload): ReloadCall | undefined {
  const name = pod.metadata?.name ?? '';
  if (reload.exec) return { pod: name, container: component, command: reload.exec.command };
  if (reload.httpGet && pod.status?.podIP)
    return { pod: name, url: `http://${host(pod.status.podIP)}:${reload.httpGet.port}${reload.httpGet.path}` };
  return undefined;
}

const host = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);

/**
 * `changed`: mirrors whose content changed in this reconcile (never their creation: new pods start
 * with the content). Answers what stays pending and what is due now.
 */
export function planReloads(
  app: Application,
  prior: readonly PendingReload[],
  changed: readonly { configSet: string; version: number }[],
  pods: readonly V1Pod[],
  now: number,
): ReloadPlan {
  let pending = [...prior];
  for (const c of changed) {
    const refs = reloadRefs(app, c.configSet);
    if (!refs.length) continue;
    const delayS = Math.max(...refs.map((r) => r.delayS));
    pending = [
      ...pending.filter((p) => p.configSet !== c.configSet),
      { configSet: c.configSet, version: c.version, at: new Date(now + delayS * 1000).toISOString() },
    ];
  }
  const due: DueReload[] = [];
  const left: PendingReload[] = [];
  let recheckMs: number | undefined;
  for (const p of pending) {
    const wait = (msOf(p.at) ?? 0) - now;
    if (wait > 0) {
      left.push(p);
      recheckMs = Math.min(recheckMs ?? wait, wait);
      continue;
    }
    const calls = reloadRefs(app, p.configSet).flatMap((r) =>
      pods
        .filter((pod) => pod.metadata?.labels?.[LABELS.component] === r.component && isPodReady(pod))
        .flatMap((pod) => callOn(pod, r.component, r.reload) ?? []),
    );
    due.push({ configSet: p.configSet, version: p.version, calls });
  }
  return { pending: left, due, recheckMs };
}
