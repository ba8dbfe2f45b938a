// Delivery ids already accepted, per Repository, in a JSON file under the git server's data dir,
// so a replayed delivery is refused after a restart too. The newest `keep` ids per repository
// are remembered (forges retry within hours; an id older than thousands of deliveries is gone).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class DeliveryLog {
  private readonly seen: Map<string, string[]>;

  constructor(
    private readonly file: string,
    private readonly keep = 1000,
  ) {
    let stored: Record<string, string[]> = {};
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(`delivery log ${file} is unreadable: ${(e as Error).message}`);
    }
    this.seen = new Map(Object.entries(stored));
  }

  /** Records the id; false when it was seen before (a replay). */
  accept(repository: string, id: string): boolean {
    const ids = this.seen.get(repository) ?? [];
    if (ids.includes(id)) return false;
    ids.push(id);
    if (ids.length > this.keep) ids.splice(0, ids.length - this.keep);
    this.seen.set(repository, ids);
    this.save();
    return true;
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.seen)));
    renameSync(tmp, this.file);
  }
}
