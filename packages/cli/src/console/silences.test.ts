import { describe, expect, it } from 'vitest';
import { newSilence, SilenceError, silenceNamespace, silencesOf, type Silence } from './silences.js';

const m = (name: string, value: string, isRegex = false, isEqual = true) => ({ name, value, isRegex, isEqual });
const s = (matchers: Silence['matchers']): Silence => ({
  matchers,
  startsAt: '',
  endsAt: '',
  createdBy: '',
  comment: '',
});

describe("the console's Alertmanager gateway", () => {
  it('confines a silence to the namespace its equality matcher names; regex or negative matchers make it cluster-wide', () => {
    expect(silenceNamespace([m('alertname', 'X'), m('namespace', 'team-a')])).toBe('team-a');
    expect(silenceNamespace([m('namespace', 'team-.*', true)])).toBe('');
    expect(silenceNamespace([m('namespace', 'team-a', false, false)])).toBe('');
    expect(silencesOf([s([m('namespace', 'team-a')]), s([m('alertname', 'Watchdog')])], 'team-a')).toHaveLength(1);
    expect(silencesOf([s([m('namespace', 'team-a')]), s([m('alertname', 'Watchdog')])], '')).toHaveLength(2);
  });
  it('signs a new silence with the user the API named, and refuses updates, no matcher, a past end or no reason', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const ok = newSilence(
      {
        matchers: [m('alertname', 'Watchdog')],
        endsAt: '2026-01-01T01:00:00Z',
        comment: ' maintenance ',
        createdBy: 'mallory',
      },
      'alice',
      now,
    );
    expect(ok).toEqual({
      matchers: [m('alertname', 'Watchdog')],
      startsAt: '2026-01-01T00:00:00.000Z',
      endsAt: '2026-01-01T01:00:00.000Z',
      createdBy: 'alice',
      comment: 'maintenance',
    });
    expect(() =>
      newSilence({ id: 'x', matchers: [m('a', 'b')], endsAt: '2026-01-01T01:00:00Z', comment: 'c' }, 'alice', now),
    ).toThrow(SilenceError);
    expect(() => newSilence({ matchers: [], endsAt: '2026-01-01T01:00:00Z', comment: 'c' }, 'alice', now)).toThrow(
      /at least one matcher/,
    );
    expect(() =>
      newSilence({ matchers: [m('a', 'b')], endsAt: '2025-01-01T01:00:00Z', comment: 'c' }, 'alice', now),
    ).toThrow(/future/);
    expect(() =>
      newSilence({ matchers: [m('a', 'b')], endsAt: '2026-01-01T01:00:00Z', comment: '' }, 'alice', now),
    ).toThrow(/comment/);
  });
});
