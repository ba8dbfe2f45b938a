import { describe, expect, it } from 'vitest';
import { age, outputFormat, renderTable } from './output.js';
import { kubeconfigPath, namespaceOf } from './context.js';

describe('output', () => {
  it('aligns columns as kubectl does, the last one unpadded', () => {
    expect(
      renderTable(
        ['NAME', 'READY'],
        [
          ['shop', '2/2'],
          ['a', '0/1'],
        ],
      ),
    ).toBe('NAME   READY\nshop   2/2\na      0/1\n');
  });

  it('accepts json and yaml for -o and names anything else', () => {
    expect(outputFormat('json')).toBe('json');
    expect(outputFormat(undefined)).toBeUndefined();
    expect(() => outputFormat('wide')).toThrow('-o wide: unknown output format; use json or yaml');
  });

  it('shows ages as kubectl does', () => {
    const now = Date.parse('2026-12-05T10:00:00Z');
    expect(age('2026-12-05T09:59:15Z', now)).toBe('45s');
    expect(age('2026-12-05T09:00:00Z', now)).toBe('60m');
    expect(age('2026-12-01T10:00:00Z', now)).toBe('4d');
    expect(age(undefined, now)).toBe('<unknown>');
  });
});

describe('connection', () => {
  it('takes --kubeconfig first, then leaves $KUBECONFIG to client-node', () => {
    expect(kubeconfigPath('/tmp/kc', { KUBECONFIG: '/other' })).toBe('/tmp/kc');
    expect(kubeconfigPath(undefined, { KUBECONFIG: '/other' })).toBeUndefined();
  });

  it('uses -n, else the context namespace, else default', () => {
    const kc = (ns?: string) => ({
      getCurrentContext: () => 'c',
      getContextObject: () => ({ name: 'c', cluster: 'x', user: 'u', ...(ns ? { namespace: ns } : {}) }),
    });
    expect(namespaceOf('demo', kc('team'))).toBe('demo');
    expect(namespaceOf(undefined, kc('team'))).toBe('team');
    expect(namespaceOf(undefined, kc())).toBe('default');
  });
});
