// Failed sign-ins counted per key (a username, a client address) in a sliding window: once a key
// has `max` failures in the window, attempts are refused until the oldest failure leaves it.
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `keys` may try again; 0 if none of them is over the limit. */
  blockedFor(keys: readonly string[]): number {
    const t = this.now();
    let wait = 0;
    for (const k of keys) {
      const recent = this.recent(k, t);
      if (recent.length >= this.max) wait = Math.max(wait, (recent[recent.length - this.max] ?? t) + this.windowMs - t);
    }
    return wait;
  }

  fail(keys: readonly string[]): void {
    const t = this.now();
    for (const k of keys) this.failures.set(k, [...this.recent(k, t), t]);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, t: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((x) => x > t - this.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }
}
