// Controller expectations: after asking for N creations or deletions, a controller waits until
// its informer has seen them before counting pods again, so a stale cache never doubles a
// scale-up. Expectations expire, as in the real controllers, in case an event is lost.

export class Expectations {
  private readonly pending = new Map<string, { adds: number; dels: number; at: number }>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 60_000,
  ) {}

  expect(key: string, adds: number, dels: number): void {
    this.pending.set(key, { adds, dels, at: this.now() });
  }

  observeAdd(key: string): void {
    const e = this.pending.get(key);
    if (e) e.adds--;
  }

  observeDelete(key: string): void {
    const e = this.pending.get(key);
    if (e) e.dels--;
  }

  satisfied(key: string): boolean {
    const e = this.pending.get(key);
    if (!e) return true;
    if ((e.adds <= 0 && e.dels <= 0) || this.now() - e.at > this.ttlMs) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
