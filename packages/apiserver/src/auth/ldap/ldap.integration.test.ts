// The LDAP sign-in against a real directory (Debian's slapd on loopback, @wharf/testing's Slapd):
// binding over ldaps:// and StartTLS, groups read from groupOfNames, and POST /login/ldap on an
// in-process API server answering a token the API then authenticates, whose groups RBAC follows;
// wrong passwords 401, then 429 after too many (per browser when the console vouches for it), each
// attempt in the audit log without the password;
// POST /logout revoking a session's token at once.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Slapd, slapdUnavailable } from '@wharf/testing';
import { ApiServer } from '../../server.js';
import { bindAndReadGroups, InvalidCredentialsError } from './directory.js';
import type { LdapOptions } from './options.js';

const PASSWORD = 'c0rrect-h0rse';
const CONSOLE_PROOF = 'the-console-and-the-api-server-share-this';
const skip = slapdUnavailable();

describe.skipIf(skip)('LDAP sign-in with slapd', () => {
  let slapd: Slapd;
  let server: ApiServer;
  let port = 0;
  let adminToken = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'wharf-ldap-'));
  const opts = (o: Partial<LdapOptions> = {}): LdapOptions => ({
    url: slapd.ldapsUrl,
    caFile: slapd.caFile,
    userDNTemplate: Slapd.userDNTemplate,
    groupSearchBase: Slapd.groupSearchBase,
    ...o,
  });

  function call(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    extraHeaders: Record<string, string> = {},
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers, asserted field by field
  ): Promise<{ status: number; json: Record<string, any>; headers: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          rejectUnauthorized: false,
          headers: {
            accept: 'application/json',
            ...(data ? { 'content-type': 'application/json' } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...extraHeaders,
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {}, headers: res.headers }),
          );
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  beforeAll(async () => {
    slapd = await Slapd.start(
      [
        { uid: 'carol', password: PASSWORD },
        { uid: 'dave', password: 'dave-pw' },
      ],
      [
        { cn: 'devs', members: ['carol'] },
        { cn: 'ops', members: ['carol', 'dave'] },
      ],
    );
    server = await ApiServer.create({
      dataDir,
      port: 0,
      ldap: opts({ maxFailures: 3, failureWindowSeconds: 60, consoleProof: CONSOLE_PROOF }),
    });
    port = await server.start();
    adminToken = readFileSync(join(dataDir, 'tokens.csv'), 'utf8').split(',')[0] ?? '';
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await slapd?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("binds over ldaps:// and over StartTLS and reads the user's groups", async () => {
    expect(await bindAndReadGroups(opts(), 'carol', PASSWORD)).toEqual({
      dn: 'uid=carol,ou=people,dc=example,dc=org',
      groups: ['devs', 'ops'],
    });
    expect((await bindAndReadGroups(opts({ url: slapd.ldapUrl, startTLS: true }), 'dave', 'dave-pw')).groups).toEqual([
      'ops',
    ]);
  });

  it('refuses a wrong password, an unknown user and an empty password', async () => {
    await expect(bindAndReadGroups(opts(), 'carol', 'wrong')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(bindAndReadGroups(opts(), 'nobody', 'x')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(bindAndReadGroups(opts(), 'carol', '')).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it("answers a token the API authenticates with the directory's groups, and RBAC follows them", async () => {
    const r = await call('POST', '/login/ldap', { username: 'carol', password: PASSWORD });
    expect(r.status).toBe(200);
    expect(r.json.status.user).toEqual({
      username: 'carol',
      groups: ['ldap:devs', 'ldap:ops', 'system:authenticated'],
    });
    const token = r.json.status.token as string;
    const who = await call(
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      token,
    );
    expect(who.json.status.userInfo).toMatchObject({
      username: 'carol',
      groups: ['ldap:devs', 'ldap:ops', 'system:authenticated'],
    });
    expect((await call('GET', '/api/v1/namespaces/default/configmaps', undefined, token)).status).toBe(403);
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'devs-view', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'ldap:devs' }],
    };
    expect(
      (await call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', binding, adminToken))
        .status,
    ).toBe(201);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps', undefined, token)).status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/kube-system/configmaps', undefined, token)).status).toBe(403);
  });

  // Before the wrong passwords below: they block sign-ins from this address for a minute.
  it('signs a session out at POST /logout: its token is 401 at once, a second sign-in goes on, and the sign-out is audited', async () => {
    const signIn = async (): Promise<string> =>
      (await call('POST', '/login/ldap', { username: 'carol', password: PASSWORD })).json.status.token as string;
    const token = await signIn();
    const other = await signIn();
    expect((await call('GET', '/api/v1/namespaces/default/configmaps', undefined, token)).status).toBe(200);
    const out = await call('POST', '/logout', {}, token);
    expect(out.status).toBe(200);
    expect(out.json).toMatchObject({ kind: 'Status', status: 'Success', message: 'signed out carol' });
    expect((await call('GET', '/api/v1/namespaces/default/configmaps', undefined, token)).json).toMatchObject({
      kind: 'Status',
      code: 401,
      reason: 'Unauthorized',
    });
    expect((await call('POST', '/logout', {}, token)).status).toBe(401);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps', undefined, other)).status).toBe(200);
    // Only sign-in sessions end here: the admin's token is not Wharf's to revoke this way.
    expect((await call('POST', '/logout', {}, adminToken)).json).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect((await call('POST', '/logout')).status).toBe(401);
    expect((await call('GET', '/logout', undefined, other)).status).toBe(405);
    const outs = (): { user: string; verb: string; name: string; code: number }[] =>
      readFileSync(join(dataDir, 'audit.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { user: string; verb: string; name: string; code: number })
        .filter((l) => l.name === 'logout');
    await eventually(
      () => outs().some((l) => l.user === 'carol' && l.verb === 'delete' && l.code === 200) || undefined,
      5_000,
      "carol's sign-out in the audit log",
    );
  });

  it("counts the console's vouched attempts per browser: one browser's 429 leaves another free; the address is not spent", async () => {
    const asBrowser = (browser: string, username: string) =>
      call('POST', '/login/ldap', { username, password: 'wrong' }, undefined, {
        'x-wharf-console-client': `127.0.0.1 ${browser}`,
        'x-wharf-console-proof': CONSOLE_PROOF,
      });
    for (let i = 0; i < 3; i++) expect((await asBrowser('b1', `nobody${i}`)).status).toBe(401);
    expect((await asBrowser('b1', 'nobody9')).status).toBe(429);
    expect((await asBrowser('b2', 'nobody9')).status).toBe(401);
    // Sign-ins not through the console still have their address's whole budget (dave's test below).
  });

  it('answers 401 to wrong passwords, then 429 with Retry-After, and audits each attempt without the password', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await call('POST', '/login/ldap', { username: 'dave', password: `guess-${i}` });
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ kind: 'Status', code: 401, message: 'invalid username or password' });
    }
    const limited = await call('POST', '/login/ldap', { username: 'dave', password: 'dave-pw' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The log is appended as each answer ends: the last line may land just after the response.
    const signIns = (): { user: string; resource: string; code: number }[] =>
      readFileSync(join(dataDir, 'audit.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { user: string; resource: string; code: number })
        .filter((l) => l.resource === 'signins');
    await eventually(
      () => signIns().filter((l) => l.user === 'dave').length === 4 || undefined,
      5_000,
      'four sign-ins of dave in the audit log',
    );
    const log = signIns();
    expect(log.filter((l) => l.user === 'dave').map((l) => l.code)).toEqual([401, 401, 401, 429]);
    expect(log.some((l) => l.user === 'carol' && l.code === 200)).toBe(true);
    const text = readFileSync(join(dataDir, 'audit.log'), 'utf8');
    for (const secret of [PASSWORD, 'guess-0', 'dave-pw']) expect(text).not.toContain(secret);
  });

  it('refuses malformed sign-ins with a Status', async () => {
    expect((await call('POST', '/login/ldap', { username: 'carol)(uid=*', password: 'x' })).json).toMatchObject({
      code: 400,
      reason: 'BadRequest',
    });
    expect((await call('POST', '/login/ldap', { username: 'carol' })).json).toMatchObject({
      code: 400,
      message: 'password: required',
    });
    expect((await call('GET', '/login/ldap')).status).toBe(405);
  });
});
