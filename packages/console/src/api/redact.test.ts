import { describe, expect, it } from 'vitest';
import { MASK, redactSecret } from './redact.js';

describe('redactSecret', () => {
  it('masks data, stringData and the last-applied copy of a Secret, and leaves other kinds alone', () => {
    const s = redactSecret({
      kind: 'Secret',
      metadata: {
        name: 's',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"pw":"c2VjcmV0"}}', team: 'a' },
      },
      data: { pw: 'c2VjcmV0' },
      stringData: { token: 'plain' },
    });
    expect(JSON.stringify(s)).not.toMatch(/c2VjcmV0|plain/);
    expect(s.data).toEqual({ pw: MASK });
    expect(s.metadata.annotations?.team).toBe('a');
    const cm = { kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    expect(redactSecret(cm)).toBe(cm);
  });
});
