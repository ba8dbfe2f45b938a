// Alertmanager's silences through `wharf up`'s gateway (/alertmanager/api/v2, see
// packages/cli/src/console/alertmanager.ts), which authorizes with RBAC on monitoring.wharf.dev
// `silences` in the namespace a silence's `namespace=` matcher names, and signs it with the user's name.
import { api } from './client.js';
import type { AccessQuery } from './access.js';

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

const BASE = '/alertmanager/api/v2';

/** Labels Prometheus adds that say nothing about which alert it is (and change between evaluations). */
const NOT_IDENTIFYING = new Set(['__name__']);

/** A silence of exactly this alert: an equality matcher for each of its labels, as Alertmanager's UI pre-fills. */
export function matchersOf(labels: Record<string, string>): Matcher[] {
  return Object.entries(labels)
    .filter(([k]) => !NOT_IDENTIFYING.has(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
}

function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  let hit: boolean;
  try {
    hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(v) : v === m.value;
  } catch {
    return false;
  }
  return m.isEqual === false ? !hit : hit;
}

/** The active silences that mute an alert with these labels (all matchers must match, as Alertmanager decides). */
export function silencing(silences: readonly Silence[], labels: Record<string, string>): Silence[] {
  return silences.filter((s) => s.status.state === 'active' && s.matchers.every((m) => matches(m, labels)));
}

/** "alertname=Watchdog, namespace=~team-.*" */
export const describeMatchers = (ms: readonly Matcher[]): string =>
  ms.map((m) => `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}${m.value}`).join(', ');

export async function listSilences(namespace: string, signal?: AbortSignal): Promise<Silence[]> {
  const all = await api<Silence[]>(
    `${BASE}/silences${namespace ? `?namespace=${encodeURIComponent(namespace)}` : ''}`,
    { signal },
  );
  // Newest first; expired ones last.
  return all.sort(
    (a, b) =>
      Number(a.status.state === 'expired') - Number(b.status.state === 'expired') ||
      b.startsAt.localeCompare(a.startsAt),
  );
}

export async function createSilence(matchers: Matcher[], hours: number, comment: string): Promise<string> {
  const endsAt = new Date(Date.now() + hours * 3600_000).toISOString();
  return (await api<{ silenceID: string }>(`${BASE}/silences`, { method: 'POST', body: { matchers, endsAt, comment } }))
    .silenceID;
}

export async function expireSilence(id: string): Promise<void> {
  await api(`${BASE}/silence/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

/** The access review the Silence and Expire buttons wait for; the question the gateway asks too. */
export const silenceAccess = (verb: 'create' | 'delete' | 'list', namespace: string): AccessQuery => ({
  verb,
  group: 'monitoring.wharf.dev',
  resource: 'silences',
  namespace,
});

/** The namespace a silence is confined to ('' = cluster-wide), as the gateway reads it. */
export const silenceNamespace = (ms: readonly Matcher[]): string =>
  ms.find((m) => m.name === 'namespace' && !m.isRegex && m.isEqual !== false)?.value ?? '';
