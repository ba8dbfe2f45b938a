// What the Alertmanager gateway decides, without I/O: which namespace a silence belongs to (for
// RBAC), which silences a namespace sees, and a silence the console may create.

/** A matcher of Alertmanager's API v2. */
export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export interface Silence {
  id?: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status?: { state: string };
}

/** The RBAC resource silences are authorized as (no API serves it; the gateway asks the API server). */
export const SILENCE_RBAC = { group: 'monitoring.wharf.dev', resource: 'silences' } as const;

/** The namespace a silence is confined to: its `namespace="NS"` matcher; '' (cluster-wide) without one. */
export function silenceNamespace(matchers: readonly Matcher[]): string {
  const m = matchers.find((x) => x.name === 'namespace' && !x.isRegex && x.isEqual !== false);
  return m?.value ?? '';
}

/** The silences a viewer of `namespace` sees ('' = all). */
export function silencesOf(all: readonly Silence[], namespace: string): Silence[] {
  return namespace ? all.filter((s) => silenceNamespace(s.matchers) === namespace) : [...all];
}

export class SilenceError extends Error {}

/**
 * A new silence from the page's body, signed with who asked: `createdBy` is the user the API
 * server named, never what the page sent, and an `id` (which would replace another silence) is refused.
 */
export function newSilence(body: unknown, user: string, now = Date.now()): Silence {
  const b = (body ?? {}) as Partial<Silence>;
  if (b.id !== undefined)
    throw new SilenceError('a silence is created here, not updated: expire it and create another');
  if (!Array.isArray(b.matchers) || b.matchers.length === 0)
    throw new SilenceError('a silence needs at least one matcher');
  const matchers = b.matchers.map((m): Matcher => {
    if (typeof m?.name !== 'string' || !m.name || typeof m.value !== 'string')
      throw new SilenceError('each matcher needs a name and a value');
    return { name: m.name, value: m.value, isRegex: m.isRegex === true, isEqual: m.isEqual !== false };
  });
  const endsAt = Date.parse(String(b.endsAt));
  if (!Number.isFinite(endsAt) || endsAt <= now) throw new SilenceError('endsAt must be a time in the future');
  const comment = typeof b.comment === 'string' ? b.comment.trim() : '';
  if (!comment) throw new SilenceError('say why (a comment) the alerts are silenced');
  return {
    matchers,
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    createdBy: user,
    comment,
  };
}
