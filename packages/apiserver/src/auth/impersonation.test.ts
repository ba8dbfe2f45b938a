import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { impersonatedUser, type Authorize } from './impersonation.js';
import type { Attributes, UserInfo } from './rbac.js';

/** The parts of a request impersonation reads: headers, one array per name. */
function request(headers: Record<string, string[]>): IncomingMessage {
  const flat = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(', ')]));
  return { headers: flat, headersDistinct: headers } as unknown as IncomingMessage;
}

const admin: UserInfo = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const dev: UserInfo = { name: 'dev', groups: ['system:authenticated'] };
const asked: Attributes[] = [];
/** Admins may impersonate anyone; dev only the service accounts of namespace "sandbox". */
const authorize: Authorize = (user, attrs) => {
  asked.push(attrs);
  return user.name === 'admin' || (attrs.resource === 'serviceaccounts' && attrs.namespace === 'sandbox');
};

describe('impersonatedUser', () => {
  it('keeps the user when nothing is impersonated, and refuses groups without a user', () => {
    expect(impersonatedUser(request({}), dev, authorize)).toBe(dev);
    expect(() => impersonatedUser(request({ 'impersonate-group': ['ops'] }), dev, authorize)).toThrow(
      'requested group ops without impersonating a user',
    );
  });

  it('acts as a service account with its groups, checking impersonate on it', () => {
    asked.length = 0;
    const u = impersonatedUser(request({ 'impersonate-user': ['system:serviceaccount:sandbox:ci'] }), dev, authorize);
    expect(u).toEqual({
      name: 'system:serviceaccount:sandbox:ci',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:sandbox', 'system:authenticated'],
    });
    expect(asked).toEqual([
      expect.objectContaining({ verb: 'impersonate', resource: 'serviceaccounts', namespace: 'sandbox', name: 'ci' }),
    ]);
  });

  it('acts as a user with the requested groups and uid', () => {
    const u = impersonatedUser(
      request({ 'impersonate-user': ['jane'], 'impersonate-group': ['devs', 'qa'], 'impersonate-uid': ['u-1'] }),
      admin,
      authorize,
    );
    expect(u).toEqual({ name: 'jane', uid: 'u-1', groups: ['devs', 'qa', 'system:authenticated'] });
  });

  it('answers 403 naming what could not be impersonated', () => {
    let err: unknown;
    try {
      impersonatedUser(request({ 'impersonate-user': ['system:serviceaccount:prod:deployer'] }), dev, authorize);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(403);
    expect((err as ApiError).message).toBe(
      'serviceaccounts "deployer" is forbidden: User "dev" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "prod"',
    );
    expect(() => impersonatedUser(request({ 'impersonate-user': ['jane'] }), dev, authorize)).toThrow(
      'users "jane" is forbidden: User "dev" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });
});
