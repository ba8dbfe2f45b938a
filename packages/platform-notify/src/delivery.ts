// Retries with back-off, then a fallback: the decisions of one delivery, with the sending, the
// recording and the waiting passed in (tests give a fake sleep and a scripted channel). A
// message goes to its channel up to `maxAttempts` times, waiting backoffMs, 2×, 4×… (capped)
// between attempts; when every attempt failed, it goes the same way to the fallback channel (and
// that one's fallback, never visiting a channel twice).
import type { Outcome } from './channels/response.js';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, backoffMs: 1000 };
export const MAX_BACKOFF_MS = 30_000;

/** The wait before attempt `attempt` (1-based; none before the first). */
export const backoffBefore = (attempt: number, policy: RetryPolicy): number =>
  attempt <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, policy.backoffMs * 2 ** (attempt - 2));

/** A channel as delivery sees it. */
export interface DeliveryTarget {
  readonly name: string;
  readonly policy: RetryPolicy;
  readonly fallback?: string;
  /** One attempt; never throws (failures are Outcomes). */
  send(): Promise<Outcome>;
}

export interface DeliveryDeps {
  /** The channel of that name in the same namespace, or undefined when it does not exist. */
  resolve(name: string): Promise<DeliveryTarget | undefined>;
  record(channel: string, attempt: number, outcome: Outcome, fallbackFor: string | undefined): void;
  sleep(ms: number): Promise<void>;
}

export interface DeliveryResult {
  /** The channel that took the message, or undefined when all failed. */
  readonly deliveredBy?: string;
  readonly attempts: number;
}

async function tryChannel(
  t: DeliveryTarget,
  deps: DeliveryDeps,
  fallbackFor: string | undefined,
): Promise<{ ok: boolean; attempts: number }> {
  for (let attempt = 1; attempt <= t.policy.maxAttempts; attempt++) {
    const wait = backoffBefore(attempt, t.policy);
    if (wait > 0) await deps.sleep(wait);
    const outcome = await t.send();
    deps.record(t.name, attempt, outcome, fallbackFor);
    if (outcome.success) return { ok: true, attempts: attempt };
  }
  return { ok: false, attempts: t.policy.maxAttempts };
}

export async function deliver(first: DeliveryTarget, deps: DeliveryDeps): Promise<DeliveryResult> {
  const visited = new Set<string>();
  let target: DeliveryTarget | undefined = first;
  let total = 0;
  while (target && !visited.has(target.name)) {
    visited.add(target.name);
    const r = await tryChannel(target, deps, target === first ? undefined : first.name);
    total += r.attempts;
    if (r.ok) return { deliveredBy: target.name, attempts: total };
    target = target.fallback ? await deps.resolve(target.fallback) : undefined;
  }
  return { attempts: total };
}
