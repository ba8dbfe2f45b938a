import { describe, expect, it } from 'vitest';
import { describeMatchers, matchersOf, silenceNamespace, silencing, type Silence } from './silences.js';

const silence = (matchers: Silence['matchers'], state: Silence['status']['state'] = 'active'): Silence => ({
  id: 'x',
  matchers,
  startsAt: '',
  endsAt: '',
  createdBy: '',
  comment: '',
  status: { state },
});

describe('silences on the Monitoring page', () => {
  it('silences exactly one alert by all its labels, and says which active silences mute an alert', () => {
    const labels = { alertname: 'PodCrashLooping', namespace: 'team-a', pod: 'web-1', severity: 'warning' };
    const exact = silence(matchersOf(labels));
    expect(describeMatchers(exact.matchers)).toBe(
      'alertname=PodCrashLooping, namespace=team-a, pod=web-1, severity=warning',
    );
    expect(silenceNamespace(exact.matchers)).toBe('team-a');
    expect(silencing([exact], labels)).toHaveLength(1);
    expect(silencing([exact], { ...labels, pod: 'web-2' })).toHaveLength(0);
    expect(silencing([silence(exact.matchers, 'expired')], labels)).toHaveLength(0);
    const regex = silence([
      { name: 'pod', value: 'web-.*', isRegex: true },
      { name: 'severity', value: 'critical', isRegex: false, isEqual: false },
    ]);
    expect(silencing([regex], labels)).toHaveLength(1);
    expect(silencing([regex], { ...labels, severity: 'critical' })).toHaveLength(0);
    expect(silenceNamespace(regex.matchers)).toBe('');
  });
});
