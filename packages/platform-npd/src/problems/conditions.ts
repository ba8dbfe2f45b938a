// The NodeConditions a detector owns, as a pure state machine. Unlike upstream NPD, whose
// conditions only go back to False when the detector restarts (and then flap: every restart first
// writes False, then True again when the log is re-read), a condition here clears on its recovery
// line, a custom plugin's OK, or its TTL; and a restarted detector starts from what the Node
// already shows, so a standing problem stays True throughout.
import type { ConditionSpec } from '../config/monitor-config.js';
import type { Finding } from './finding.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ConditionState {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionMs: number;
  /** When the problem was last seen (for the TTL). */
  readonly lastProblemMs?: number;
}

/** A condition as the Node shows it (status.conditions[]). */
export interface NodeConditionLike {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

export type Conditions = ReadonlyMap<string, ConditionState>;

const healthy = (spec: ConditionSpec, at: number): ConditionState => ({
  type: spec.type,
  status: 'False',
  reason: spec.reason,
  message: spec.message,
  lastTransitionMs: at,
});

/**
 * The starting states: each condition as the Node shows it (so a restart changes nothing), with
 * the problem times remembered from before the restart; the healthy state for conditions the Node
 * does not have yet.
 */
export function initialConditions(
  specs: readonly ConditionSpec[],
  onNode: readonly NodeConditionLike[],
  remembered: Readonly<Record<string, number>>,
  now: number,
): Conditions {
  const out = new Map<string, ConditionState>();
  for (const spec of specs) {
    const c = onNode.find((x) => x.type === spec.type);
    const status = c?.status === 'True' || c?.status === 'Unknown' || c?.status === 'False' ? c.status : undefined;
    if (!c || !status) {
      out.set(spec.type, healthy(spec, now));
      continue;
    }
    const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : now;
    const lastProblemMs = remembered[spec.type] ?? (status === 'True' ? since : undefined);
    out.set(spec.type, {
      type: spec.type,
      status,
      reason: c.reason ?? '',
      message: c.message ?? '',
      lastTransitionMs: since,
      ...(lastProblemMs !== undefined ? { lastProblemMs } : {}),
    });
  }
  return out;
}

/** A condition that changed, with the state it left. */
export interface ConditionChange {
  readonly from: ConditionState;
  readonly to: ConditionState;
}

/** Applies findings (and, at `now`, the TTLs); answers the new states and what changed. */
export function applyFindings(
  specs: readonly ConditionSpec[],
  states: Conditions,
  findings: readonly Finding[],
  now: number,
): { states: Conditions; changes: ConditionChange[] } {
  const next = new Map(states);
  const set = (
    spec: ConditionSpec,
    status: ConditionStatus,
    reason: string,
    message: string,
    at: number,
    lastProblemMs?: number,
  ): void => {
    const cur = next.get(spec.type) ?? healthy(spec, at);
    next.set(spec.type, {
      type: spec.type,
      status,
      reason,
      message,
      lastTransitionMs: cur.status === status ? cur.lastTransitionMs : at,
      ...(lastProblemMs !== undefined
        ? { lastProblemMs }
        : cur.lastProblemMs !== undefined && status !== 'False'
          ? { lastProblemMs: cur.lastProblemMs }
          : {}),
    });
  };
  for (const f of findings) {
    if (f.kind === 'temporary') continue;
    const spec = specs.find((s) => s.type === f.condition);
    if (!spec) continue;
    if (f.kind === 'permanent')
      set(spec, 'True', f.reason, f.message, f.timeMs, Math.max(f.timeMs, next.get(spec.type)?.lastProblemMs ?? 0));
    else if (f.kind === 'unknown') set(spec, 'Unknown', f.reason, f.message, f.timeMs);
    else if (next.get(spec.type)?.status !== 'False') set(spec, 'False', spec.reason, spec.message, f.timeMs);
  }
  for (const spec of specs) {
    const s = next.get(spec.type);
    if (spec.ttlMs !== undefined && s?.status === 'True' && now - (s.lastProblemMs ?? s.lastTransitionMs) >= spec.ttlMs)
      set(spec, 'False', spec.reason, spec.message, now);
  }
  const changes: ConditionChange[] = [];
  for (const [type, to] of next) {
    const from = states.get(type);
    if (from && (from.status !== to.status || from.reason !== to.reason || from.message !== to.message))
      changes.push({ from, to });
  }
  return { states: next, changes };
}

/** When the next TTL runs out, or undefined if none is pending. */
export function nextExpiry(specs: readonly ConditionSpec[], states: Conditions): number | undefined {
  let at: number | undefined;
  for (const spec of specs) {
    const s = states.get(spec.type);
    if (spec.ttlMs === undefined || s?.status !== 'True') continue;
    const t = (s.lastProblemMs ?? s.lastTransitionMs) + spec.ttlMs;
    at = at === undefined ? t : Math.min(at, t);
  }
  return at;
}
