// The token cleaner (kube-controller-manager's tokencleaner): bootstrap token Secrets in
// kube-system are deleted once their expiration has passed, checked every minute and on start.
import { BOOTSTRAP_SECRET_PREFIX, BOOTSTRAP_TOKEN_TYPE, tokenExpiry } from '../auth/bootstrap-tokens.js';
import { namespacePrefix } from '../storage/index.js';
import type { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { deleteObject } from './delete.js';

export class TokenCleaner {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly api: ObjectApi,
    private readonly everyMs = 60_000,
    private readonly now = (): number => Date.now(),
  ) {}

  start(): void {
    void this.clean();
    this.timer = setInterval(() => void this.clean(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Deletes the expired bootstrap tokens; answers their names. */
  async clean(): Promise<string[]> {
    const served = this.api.registry.lookup('', 'v1', 'secrets');
    if (!served) return [];
    const removed: string[] = [];
    for (const { object } of this.api.store.list(namespacePrefix('', 'secrets', 'kube-system'))) {
      const name = object.metadata.name;
      if (
        !name.startsWith(BOOTSTRAP_SECRET_PREFIX) ||
        object.type !== BOOTSTRAP_TOKEN_TYPE ||
        object.metadata.deletionTimestamp
      )
        continue;
      const expiry = tokenExpiry(object);
      if (expiry === undefined || expiry > this.now()) continue;
      await deleteObject(this.api, served, 'kube-system', name, {}, internalContext());
      removed.push(name);
    }
    return removed;
  }
}
