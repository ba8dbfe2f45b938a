import { describe, expect, it } from 'vitest';
import { parseLogsQuery } from './logs.js';

describe("the merged logs of a component's pods", () => {
  it("asks each pod for the container's log with the tail and follow given, and nothing else", () => {
    const q = parseLogsQuery(
      new URLSearchParams(
        'namespace=default&container=web&pod=web-1&pod=web-2&tailLines=2500&follow=true&timestamps=true',
      ),
    );
    expect(q).toMatchObject({ namespace: 'default', container: 'web', pods: ['web-1', 'web-2'] });
    expect(typeof q !== 'string' && q.upstream.toString()).toBe('container=web&tailLines=2500&follow=true');
  });

  it('refuses what is not a name, no pods, too many, or a tail that is not a number', () => {
    expect(parseLogsQuery(new URLSearchParams('namespace=default&container=web'))).toMatch(/^pod:/);
    expect(parseLogsQuery(new URLSearchParams('namespace=default&container=web&pod=../../secrets'))).toMatch(/^pod:/);
    expect(
      parseLogsQuery(
        new URLSearchParams(
          `namespace=default&container=web&${Array.from({ length: 51 }, (_, i) => `pod=p${i}`).join('&')}`,
        ),
      ),
    ).toMatch(/^pod:/);
    expect(parseLogsQuery(new URLSearchParams('namespace=Default&container=web&pod=a'))).toMatch(/^namespace/);
    expect(parseLogsQuery(new URLSearchParams('namespace=default&container=web&pod=a&tailLines=-1'))).toBe(
      'tailLines: a number',
    );
  });
});
