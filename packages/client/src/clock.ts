// Time as a dependency: runners take a Clock so tests can drive timers and "now" by hand.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A Kubernetes timestamp (RFC 3339, seconds) typed as client-node's Date, as the wire carries it. */
export function timestamp(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z') as unknown as Date;
}

/** Reads a wire timestamp (string, or Date when built locally); NaN when absent. */
export function timeOf(v: Date | string | undefined | null): number {
  if (v === undefined || v === null) return NaN;
  return v instanceof Date ? v.getTime() : Date.parse(v);
}
