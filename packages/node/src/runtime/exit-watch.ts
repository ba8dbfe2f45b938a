// Tells the agent at once when a running container exits, so pod workers need not poll: one inotify
// watch (fs.watch) per running container on conmon's exit dir, where conmon writes `<id>` when the
// container's process ends. A watch that cannot be set (the dir is missing: a container from before
// exit dirs) is skipped; the pod worker's slow resync still finds that exit.
import { watch, type FSWatcher } from 'node:fs';

export type ExitListener = (sandboxId: string) => void;

export class ExitWatch {
  private readonly watches = new Map<string, FSWatcher>();
  private readonly listeners = new Set<ExitListener>();

  /** Calls `listener` with the sandbox id whenever a watched container's exit dir changes; answers the unsubscribe. */
  subscribe(listener: ExitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Watches `exitDir` for the container of `sandboxId` (idempotent per dir). */
  watch(exitDir: string, sandboxId: string): void {
    if (this.watches.has(exitDir)) return;
    try {
      const w = watch(exitDir, { persistent: false }, () => {
        for (const l of this.listeners) l(sandboxId);
      });
      w.on('error', () => this.unwatch(exitDir));
      this.watches.set(exitDir, w);
    } catch {
      // no exit dir: the resync finds the exit
    }
  }

  unwatch(exitDir: string): void {
    this.watches.get(exitDir)?.close();
    this.watches.delete(exitDir);
  }

  /** Watches in use (tests, and the runtime's stop). */
  get size(): number {
    return this.watches.size;
  }

  closeAll(): void {
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
  }
}
