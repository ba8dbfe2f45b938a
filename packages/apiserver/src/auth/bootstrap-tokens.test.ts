import { describe, expect, it } from 'vitest';
import { authenticateBootstrapToken } from './bootstrap-tokens.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const NOW = Date.parse('2026-12-05T12:00:00Z');

function secret(fields: Record<string, string>, type = 'bootstrap.kubernetes.io/token') {
  return { type, data: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, b64(v)])) };
}
const valid = {
  'token-id': 'abcdef',
  'token-secret': '0123456789abcdef',
  'usage-bootstrap-authentication': 'true',
  expiration: '2026-12-05T13:00:00Z',
};
const auth = (token: string, s: ReturnType<typeof secret> | undefined) =>
  authenticateBootstrapToken(token, (id) => (id === 'abcdef' ? s : undefined), NOW);

describe('bootstrap token authentication', () => {
  it('a valid token signs in as system:bootstrap:<id> with its extra groups', () => {
    expect(auth('abcdef.0123456789abcdef', secret(valid))).toEqual({
      name: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:authenticated'],
    });
    expect(
      auth('abcdef.0123456789abcdef', secret({ ...valid, 'auth-extra-groups': 'system:bootstrappers:zone-b' }))?.groups,
    ).toEqual(['system:bootstrappers', 'system:bootstrappers:zone-b', 'system:authenticated']);
  });

  it('refuses a wrong secret, an expired token, one not for authentication, the wrong type and bad extra groups', () => {
    expect(auth('abcdef.0123456789abcdee', secret(valid))).toBeUndefined();
    expect(auth('abcdef.0123456789abcdef', secret({ ...valid, expiration: '2026-12-05T11:59:59Z' }))).toBeUndefined();
    expect(auth('abcdef.0123456789abcdef', secret({ ...valid, expiration: 'tomorrow' }))).toBeUndefined();
    expect(
      auth('abcdef.0123456789abcdef', secret({ ...valid, 'usage-bootstrap-authentication': 'false' })),
    ).toBeUndefined();
    expect(auth('abcdef.0123456789abcdef', secret(valid, 'Opaque'))).toBeUndefined();
    expect(
      auth('abcdef.0123456789abcdef', secret({ ...valid, 'auth-extra-groups': 'system:masters' })),
    ).toBeUndefined();
    expect(auth('abcdef.0123456789abcdef', secret({ ...valid, 'token-id': 'zzzzzz' }))).toBeUndefined();
  });

  it('never looks up what is not shaped like a bootstrap token', () => {
    for (const t of [
      'abcdef',
      'ABCDEF.0123456789abcdef',
      'abcdef.0123456789abcdef0',
      '../../x.0123456789abcdef',
      'abcdef.0123456789abcde/',
    ]) {
      expect(
        authenticateBootstrapToken(
          t,
          () => {
            throw new Error(`looked up ${t}`);
          },
          NOW,
        ),
      ).toBeUndefined();
    }
    expect(auth('abcdef.0123456789abcdef', undefined)).toBeUndefined();
  });
});
