// Alert history that outlives Alertmanager and the gateway: one ConfigMap per UTC day
// (`alert-history-YYYY-MM-DD`, labelled `platform.wharf.dev/alert-history=true`) in the gateway's
// namespace, one data key per alert occurrence (`<fingerprint>-<startsAt seconds>`) whose JSON
// says when it fired and, once Alertmanager reports it, when it resolved. A day is read with
// `kubectl get configmap alert-history-2026-12-05 -o yaml` or `wharf alerts history`. Silences
// (who silenced what, from Alertmanager's API) are kept beside them as `silence-<id>` keys.
// A ConfigMap holds 1 MiB, about 2,500 entries: enough for a day of a small platform's alerts.
import { isStatus, type KubeClient, type Logger } from '@wharf/client';
import type { AmWebhookPayload } from './types.js';

export const HISTORY_LABEL = 'platform.wharf.dev/alert-history';

export interface HistoryEntry {
  readonly fingerprint: string;
  readonly alertname: string;
  readonly status: 'firing' | 'resolved';
  readonly startsAt: string;
  /** Set once resolved. */
  readonly endsAt?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly summary?: string;
  readonly receiver: string;
  /** When the gateway last heard of this alert. */
  readonly updatedAt: string;
}

export const dayOf = (iso: string): string => new Date(Date.parse(iso) || Date.now()).toISOString().slice(0, 10);
export const historyConfigMapName = (day: string): string => `alert-history-${day}`;

/** The ConfigMap entries (by day, then key) a webhook payload writes. Pure, for tests. */
export function historyEntries(p: AmWebhookPayload, nowIso: string): Map<string, Record<string, string>> {
  const byDay = new Map<string, Record<string, string>>();
  for (const a of p.alerts) {
    const started = Math.floor((Date.parse(a.startsAt) || 0) / 1000);
    const entry: HistoryEntry = {
      fingerprint: a.fingerprint,
      alertname: a.labels.alertname ?? '',
      status: a.status,
      startsAt: a.startsAt,
      ...(a.status === 'resolved' ? { endsAt: a.endsAt } : {}),
      labels: a.labels,
      ...(a.annotations.summary ? { summary: a.annotations.summary } : {}),
      receiver: p.receiver,
      updatedAt: nowIso,
    };
    const day = dayOf(a.startsAt);
    const data = byDay.get(day) ?? {};
    data[`${a.fingerprint}-${started}`] = JSON.stringify(entry);
    byDay.set(day, data);
  }
  return byDay;
}

/**
 * Writes history entries in batches: while one write is in flight, the entries of later payloads
 * gather and go in the next one (a later entry for the same key replaces an earlier one, so a
 * resolve never goes before its fire). A burst of webhooks costs a few patches, not one each.
 */
export class AlertHistory {
  private pending = new Map<string, Record<string, string>>();
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly logger: Logger,
  ) {}

  /** Records a payload's alerts; resolves once they are stored (rejects if the write failed). */
  record(p: AmWebhookPayload, nowIso: string): Promise<void> {
    return this.recordEntries(historyEntries(p, nowIso));
  }

  /** Records data keys by day (alerts, silences); resolves once they are stored. */
  recordEntries(byDay: Map<string, Record<string, string>>): Promise<void> {
    for (const [day, data] of byDay) this.pending.set(day, { ...this.pending.get(day), ...data });
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.pending.size) {
      const batch = this.pending;
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      try {
        await this.write(batch);
        for (const w of waiters) w.resolve();
      } catch (e) {
        this.logger.warn({ err: (e as Error).message }, 'could not record alert history');
        for (const w of waiters) w.reject(e);
      }
    }
    this.writing = false;
  }

  private async write(byDay: Map<string, Record<string, string>>): Promise<void> {
    for (const [day, data] of byDay) {
      const name = historyConfigMapName(day);
      const path = `/api/v1/namespaces/${this.namespace}/configmaps`;
      try {
        await this.client.patch(`${path}/${name}`, { data });
      } catch (e) {
        if (!isStatus(e, 404)) throw e;
        try {
          await this.client.create(path, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name, namespace: this.namespace, labels: { [HISTORY_LABEL]: 'true' } },
            data,
          });
        } catch (e2) {
          if (!isStatus(e2, 409)) throw e2;
          await this.client.patch(`${path}/${name}`, { data });
        }
      }
    }
  }
}

/** A silence as Alertmanager's API v2 reports it, kept in the history: who silenced what, when. */
export interface SilenceEntry {
  readonly kind: 'silence';
  readonly id: string;
  readonly createdBy: string;
  readonly comment: string;
  readonly matchers: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly state: string;
  readonly updatedAt: string;
}

/** Every history entry in `namespace`, newest first (what `wharf alerts history` prints). */
export async function readHistory(client: KubeClient, namespace: string): Promise<(HistoryEntry | SilenceEntry)[]> {
  const list = await client.get<{ items: { data?: Record<string, string> }[] }>(
    `/api/v1/namespaces/${namespace}/configmaps?labelSelector=${encodeURIComponent(`${HISTORY_LABEL}=true`)}`,
  );
  const out: (HistoryEntry | SilenceEntry)[] = [];
  for (const cm of list.items)
    for (const v of Object.values(cm.data ?? {})) {
      try {
        out.push(JSON.parse(v) as HistoryEntry | SilenceEntry);
      } catch {
        // an entry someone edited by hand: skipped, not fatal
      }
    }
  return out.sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt));
}
