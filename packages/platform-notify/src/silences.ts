// Who silenced what, kept after Alertmanager forgets it: every `interval` the gateway reads
// Alertmanager's silences (API v2) and records each new or changed one in the alert history
// (key `silence-<id>` in the ConfigMap of the day it starts). Alertmanager unreachable is logged
// at debug and retried on the next pass; it never stops notifications.
import { PeriodicPass, timestamp, type Clock, type Logger } from '@wharf/client';
import { dayOf, type AlertHistory, type SilenceEntry } from './history.js';

interface AmSilence {
  id: string;
  createdBy: string;
  comment: string;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  status: { state: string };
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
}

/** `name="value"`, `name!~"re"`…, as amtool prints matchers. */
export function matcherText(m: AmSilence['matchers'][number]): string {
  const negated = m.isEqual === false;
  const op = m.isRegex ? (negated ? '!~' : '=~') : negated ? '!=' : '=';
  return `${m.name}${op}"${m.value}"`;
}

export interface SilenceRecorderOptions {
  readonly alertmanagerUrl: string;
  readonly history: AlertHistory;
  readonly logger: Logger;
  readonly clock: Clock;
  /** @default 15000 */
  readonly intervalMs?: number;
}

export class SilenceRecorder {
  private readonly seen = new Map<string, string>();
  private readonly pass: PeriodicPass;

  constructor(private readonly opts: SilenceRecorderOptions) {
    this.pass = new PeriodicPass({ clock: opts.clock, run: () => this.once().then(() => opts.intervalMs ?? 15_000) });
  }

  start(): void {
    this.pass.start();
  }

  stop(): Promise<void> {
    return this.pass.stop();
  }

  private async once(): Promise<void> {
    let list: AmSilence[];
    try {
      const res = await fetch(`${this.opts.alertmanagerUrl}/api/v2/silences`, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      list = (await res.json()) as AmSilence[];
    } catch (e) {
      this.opts.logger.debug({ err: (e as Error).message }, 'Alertmanager silences not read');
      return;
    }
    const byDay = new Map<string, Record<string, string>>();
    const now = timestamp(this.opts.clock.now()) as unknown as string;
    const changed: [string, string][] = [];
    for (const s of list) {
      const version = `${s.updatedAt}/${s.status.state}`;
      if (this.seen.get(s.id) === version) continue;
      changed.push([s.id, version]);
      const entry: SilenceEntry = {
        kind: 'silence',
        id: s.id,
        createdBy: s.createdBy,
        comment: s.comment,
        matchers: s.matchers.map(matcherText).join(','),
        startsAt: s.startsAt,
        endsAt: s.endsAt,
        state: s.status.state,
        updatedAt: now,
      };
      const day = dayOf(s.startsAt);
      byDay.set(day, { ...byDay.get(day), [`silence-${s.id}`]: JSON.stringify(entry) });
    }
    if (!byDay.size) return;
    try {
      await this.opts.history.recordEntries(byDay);
      for (const [id, v] of changed) this.seen.set(id, v);
    } catch {
      // logged by AlertHistory; the next pass writes them again
    }
  }
}
