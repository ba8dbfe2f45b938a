// The security baseline a user notices: bearer tokens (admin and service accounts) with 401 for
// anything else, RBAC denials as 403 Status, an audit line per write that never holds a secret,
// and secrets encrypted at rest in every SQLite file while kubectl still reads them back.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kubectl, KUBECTL_132, RawApi, WharfProcess, eventually, json, type RawResponse } from '@wharf/testing';

const NS = 'sec';
const OTHER = 'sec-other';
const SA_USER = `system:serviceaccount:${NS}:robot`;
/** Distinctive values searched for in the data dir. */
const SECRET_VALUE = 'wharf-canary-7f3c9e21d4b8a6';
const SECRET_VALUE_2 = 'wharf-canary-second-91ab27ce';
const CONFIG_VALUE = 'wharf-plaintext-control-5d1e8f';

let wharf: WharfProcess;
let k: Kubectl;
let admin: RawApi;
let saToken = '';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a Status, asserted field by field
function expectStatus(r: RawResponse, code: number, reason: string): Record<string, any> {
  expect(r.status, r.text).toBe(code);
  const s = json(r);
  expect(s).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  return s;
}

beforeAll(async () => {
  wharf = await WharfProcess.start();
  k = new Kubectl(wharf.kubeconfig, KUBECTL_132);
  admin = RawApi.fromKubeconfig(wharf.kubeconfig);
  await k.ok(['create', 'namespace', NS]);
  await k.ok(['create', 'namespace', OTHER]);
  await k.ok(['create', 'serviceaccount', 'robot', '-n', NS]);
  await k.ok(['create', 'role', 'cm-reader', '-n', NS, '--verb=get,list,watch', '--resource=configmaps']);
  await k.ok(['create', 'rolebinding', 'robot-reads', '-n', NS, '--role=cm-reader', `--serviceaccount=${NS}:robot`]);
  await k.ok(['create', 'configmap', 'settings', '-n', NS, '--from-literal=color=blue']);
  saToken = (await k.ok(['create', 'token', 'robot', '-n', NS, '--duration=1h'])).trim();
});

afterAll(async () => {
  admin?.close();
  await wharf?.stop();
});

describe('authentication', () => {
  it('answers 401 Status without a token or with a bad one', async () => {
    const anon = admin.as(undefined);
    for (const p of ['/api', '/apis', '/api/v1/namespaces', `/api/v1/namespaces/${NS}/configmaps`, '/openapi/v3']) {
      expectStatus(await anon.get(p), 401, 'Unauthorized');
      expectStatus(await admin.as('not-a-token').get(p), 401, 'Unauthorized');
    }
    expectStatus(
      await anon.post(`/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'anon' } }),
      401,
      'Unauthorized',
    );
    expectStatus(
      await admin.get('/api', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }),
      401,
      'Unauthorized',
    );
    expectStatus(
      await admin.as(`${saToken.slice(0, -4)}AAAA`).get(`/api/v1/namespaces/${NS}/configmaps`),
      401,
      'Unauthorized',
    );
  });

  it('lets anonymous users reach only /livez, /readyz, /healthz and /version', async () => {
    const anon = admin.as(undefined);
    for (const p of ['/livez', '/readyz', '/healthz', '/version']) expect((await anon.get(p)).status, p).toBe(200);
    expect(json(await anon.get('/version')).gitVersion).toMatch(/^v1\.32\./);
  });

  it('kubectl with a wrong token reports Unauthorized', async () => {
    const r = await k.run(['--token', 'wrong', 'get', 'configmaps', '-n', NS]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Unauthorized|must be logged in/);
  });

  it('rejects the token of a deleted service account', async () => {
    await k.ok(['create', 'serviceaccount', 'temp', '-n', NS]);
    const token = (await k.ok(['create', 'token', 'temp', '-n', NS])).trim();
    const self = await admin.as(token).post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: 'get', resource: 'configmaps', namespace: NS } },
    });
    expect(self.status, self.text).toBe(201);
    await k.ok(['delete', 'serviceaccount', 'temp', '-n', NS]);
    expectStatus(await admin.as(token).get(`/api/v1/namespaces/${NS}/configmaps`), 401, 'Unauthorized');
  });
});

describe('service-account tokens and RBAC', () => {
  it('authenticates the service account and allows what its role grants', async () => {
    const sa = admin.as(saToken);
    const got = await sa.get(`/api/v1/namespaces/${NS}/configmaps/settings`);
    expect(got.status, got.text).toBe(200);
    expect(json(got).data).toEqual({ color: 'blue' });
    const out = await k.ok(['--token', saToken, 'get', 'configmaps', '-n', NS, '-o', 'name']);
    expect(out.split('\n')).toContain('configmap/settings');
  });

  it('denies the rest with 403 Forbidden in Status shape', async () => {
    const sa = admin.as(saToken);
    const create = expectStatus(
      await sa.post(`/api/v1/namespaces/${NS}/configmaps`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'by-robot' },
      }),
      403,
      'Forbidden',
    );
    expect(create.message).toBe(
      `configmaps is forbidden: User "${SA_USER}" cannot create resource "configmaps" in API group "" in the namespace "${NS}"`,
    );
    expect(create.details).toMatchObject({ kind: 'configmaps', group: '' });
    const secret = expectStatus(await sa.get(`/api/v1/namespaces/${NS}/secrets/anything`), 403, 'Forbidden');
    expect(secret.details).toMatchObject({ name: 'anything', kind: 'secrets' });
    expectStatus(await sa.get(`/api/v1/namespaces/${OTHER}/configmaps`), 403, 'Forbidden');
    expectStatus(await sa.get('/api/v1/nodes'), 403, 'Forbidden');
    expectStatus(await sa.request('DELETE', `/api/v1/namespaces/${NS}/configmaps/settings`), 403, 'Forbidden');
    expectStatus(
      await sa.patch(
        `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles/cm-reader`,
        '{"rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]}',
        'application/merge-patch+json',
      ),
      403,
      'Forbidden',
    );

    const r = await k.run(['--token', saToken, 'delete', 'configmap', 'settings', '-n', NS]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Error from server (Forbidden): configmaps "settings" is forbidden: User "${SA_USER}" cannot delete resource "configmaps"`,
    );
    expect(await k.ok(['get', 'configmap', 'settings', '-n', NS, '-o', 'jsonpath={.data.color}'])).toBe('blue');
  });

  it('kubectl auth can-i answers for the service account', async () => {
    expect((await k.run(['--token', saToken, 'auth', 'can-i', 'list', 'configmaps', '-n', NS])).stdout.trim()).toBe(
      'yes',
    );
    const no = await k.run(['--token', saToken, 'auth', 'can-i', 'create', 'configmaps', '-n', NS]);
    expect(no.stdout.trim()).toBe('no');
    expect(no.code).toBe(1);
  });

  it('a new binding takes effect on the next request', async () => {
    await k.ok(['create', 'role', 'cm-writer', '-n', NS, '--verb=create', '--resource=configmaps']);
    await k.ok(['create', 'rolebinding', 'robot-writes', '-n', NS, '--role=cm-writer', `--serviceaccount=${NS}:robot`]);
    const r = await admin.as(saToken).post(`/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'by-robot' },
    });
    expect(r.status, r.text).toBe(201);
    await k.ok(['delete', 'rolebinding', 'robot-writes', '-n', NS]);
    expectStatus(
      await admin.as(saToken).post(`/api/v1/namespaces/${NS}/configmaps`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'by-robot-2' },
      }),
      403,
      'Forbidden',
    );
  });
});

interface AuditLine {
  user: string;
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  code: number;
}

function auditLines(): AuditLine[] {
  return readFileSync(join(wharf.dataDir, 'audit.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditLine);
}

describe('audit log', () => {
  it('has one JSON line per mutating request with who, what, where and the code', async () => {
    const NAME = 'audited';
    await k.ok(['create', 'configmap', NAME, '-n', NS, '--from-literal=a=1']); // POST (protobuf)
    await k.ok(['label', 'configmap', NAME, '-n', NS, 'x=y']); // PATCH
    await k.ok(['get', 'configmap', NAME, '-n', NS]); // not audited
    const cur = json(await admin.get(`/api/v1/namespaces/${NS}/configmaps/${NAME}`));
    expect((await admin.put(`/api/v1/namespaces/${NS}/configmaps/${NAME}`, { ...cur, data: { a: '2' } })).status).toBe(
      200,
    ); // PUT
    expect((await admin.put(`/api/v1/namespaces/${NS}/configmaps/${NAME}`, { ...cur, data: { a: '3' } })).status).toBe(
      409,
    ); // stale
    expect((await admin.as(saToken).request('DELETE', `/api/v1/namespaces/${NS}/configmaps/${NAME}`)).status).toBe(403);
    await k.ok(['delete', 'configmap', NAME, '-n', NS]); // DELETE

    const mine = await eventually(
      () => {
        const lines = auditLines().filter((l) => l.resource === 'configmaps' && l.name === NAME);
        return lines.length >= 6 ? lines : undefined;
      },
      10_000,
      'audit lines',
    );
    expect(mine.map((l) => [l.user, l.verb, l.code])).toEqual([
      ['wharf-admin', 'create', 201],
      ['wharf-admin', 'patch', 200],
      ['wharf-admin', 'update', 200],
      ['wharf-admin', 'update', 409],
      [SA_USER, 'delete', 403],
      ['wharf-admin', 'delete', 200],
    ]);
    for (const l of mine) expect(l).toMatchObject({ group: '', resource: 'configmaps', namespace: NS, name: NAME });
    // Reads are not audited.
    expect(auditLines().some((l) => ['get', 'list', 'watch'].includes(l.verb))).toBe(false);
    // The service account's forbidden create earlier is there too, with its user.
    expect(auditLines().some((l) => l.user === SA_USER && l.verb === 'create' && l.code === 403)).toBe(true);
  });
});

describe('secrets at rest', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  /** Every SQLite file of the store: the database, its WAL and shared-memory index. */
  function dbFiles(): Buffer[] {
    return readdirSync(wharf.dataDir)
      .filter((f) => f.startsWith('wharf.db'))
      .map((f) => readFileSync(join(wharf.dataDir, f)));
  }
  const contains = (needle: string): boolean => dbFiles().some((b) => b.includes(needle));

  it('keeps secret values out of every database file while kubectl reads them back', async () => {
    expect(readdirSync(wharf.dataDir)).toEqual(expect.arrayContaining(['wharf.db', 'wharf.db-wal']));
    await k.ok(['create', 'secret', 'generic', 'canary', '-n', NS, `--from-literal=token=${SECRET_VALUE}`]);
    await k.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: v1\nkind: Secret\nmetadata: {name: applied, namespace: ${NS}}\nstringData: {password: ${SECRET_VALUE_2}}\n`,
    });
    await k.ok(['create', 'configmap', 'control', '-n', NS, `--from-literal=v=${CONFIG_VALUE}`]);

    const got = JSON.parse(await k.ok(['get', 'secret', 'canary', '-n', NS, '-o', 'json']));
    expect(Buffer.from(got.data.token, 'base64').toString()).toBe(SECRET_VALUE);
    const applied = JSON.parse(await k.ok(['get', 'secret', 'applied', '-n', NS, '-o', 'json']));
    expect(Buffer.from(applied.data.password, 'base64').toString()).toBe(SECRET_VALUE_2);

    // The control value of a configmap is found, so the search does read what was written.
    expect(contains(CONFIG_VALUE)).toBe(true);
    for (const v of [SECRET_VALUE, SECRET_VALUE_2]) {
      expect(contains(v), v).toBe(false);
      expect(contains(b64(v)), `base64 of ${v}`).toBe(false);
    }
    expect(contains('canary')).toBe(true); // the key (name) is plain, only the value is sealed
  });

  it('re-encrypts on update and after a restart the secret still decrypts', async () => {
    await k.ok([
      'patch',
      'secret',
      'canary',
      '-n',
      NS,
      '--type=merge',
      '-p',
      `{"stringData":{"token":"${SECRET_VALUE}-v2"}}`,
    ]);
    expect(contains(`${SECRET_VALUE}-v2`)).toBe(false);
    expect(contains(b64(`${SECRET_VALUE}-v2`))).toBe(false);
    expect(await wharf.stop()).toBe(0);
    // After a clean stop the WAL is checkpointed into wharf.db: still no plaintext.
    for (const v of [SECRET_VALUE, SECRET_VALUE_2]) expect(contains(v), v).toBe(false);
    await wharf.restart();
    const got = JSON.parse(await k.ok(['get', 'secret', 'canary', '-n', NS, '-o', 'json']));
    expect(Buffer.from(got.data.token, 'base64').toString()).toBe(`${SECRET_VALUE}-v2`);
  });

  it('never writes a secret value to the audit log', () => {
    const log = readFileSync(join(wharf.dataDir, 'audit.log'), 'utf8');
    expect(log).toContain('"resource":"secrets"');
    for (const v of [SECRET_VALUE, SECRET_VALUE_2]) {
      expect(log).not.toContain(v);
      expect(log).not.toContain(b64(v));
    }
  });
});
