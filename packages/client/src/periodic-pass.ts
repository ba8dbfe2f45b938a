// A runner for controllers that work in whole passes over their caches (node lifecycle, PodGC)
// rather than per key: one pass at a time, the next after the delay the pass asks for, and a
// kick that brings the next pass forward (or, during a pass, runs one more right after it).
import type { Clock } from './clock.js';

export interface PeriodicPassOptions {
  readonly clock: Clock;
  /** One pass; resolves with how long to wait before the next. */
  readonly run: () => Promise<number>;
}

export class PeriodicPass {
  private timer: unknown;
  private running = false;
  private pass: Promise<void> | undefined;
  private again: number | undefined;

  constructor(private readonly opts: PeriodicPassOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.opts.clock.clearTimeout(this.timer);
    await this.pass;
  }

  /** The next pass in `ms` at the latest; during a pass, one more `ms` after it ends. */
  kick(ms: number): void {
    if (!this.running) return;
    if (this.pass) this.again = Math.min(this.again ?? ms, ms);
    else this.schedule(ms);
  }

  private schedule(ms: number): void {
    this.opts.clock.clearTimeout(this.timer);
    if (!this.running) return;
    this.timer = this.opts.clock.setTimeout(() => {
      let next = 0;
      this.pass = this.opts
        .run()
        .then((ms) => void (next = ms))
        .finally(() => {
          this.pass = undefined;
          const again = this.again;
          this.again = undefined;
          this.schedule(again ?? next);
        });
    }, ms);
  }
}
