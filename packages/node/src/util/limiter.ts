// At most `slots` of the wrapped tasks run at once; the others wait, the lowest rank first and
// tasks of the same rank in order of arrival.

interface Waiter {
  readonly rank: number;
  readonly go: () => void;
}

export class Limiter {
  private running = 0;
  /** Sorted by rank; a new waiter goes after those of its rank. */
  private readonly waiting: Waiter[] = [];

  constructor(private readonly slots: number) {}

  async run<T>(task: () => Promise<T>, rank = 0): Promise<T> {
    if (this.running >= this.slots) await new Promise<void>((go) => this.enqueue({ rank, go }));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next.go();
      else this.running--;
    }
  }

  private enqueue(w: Waiter): void {
    const at = this.waiting.findIndex((x) => x.rank > w.rank);
    if (at < 0) this.waiting.push(w);
    else this.waiting.splice(at, 0, w);
  }
}
