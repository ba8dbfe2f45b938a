// Server-side apply over HTTP in process: the request checks upstream makes (fieldManager required,
// force only for apply, 128-byte managers), create-on-apply, YAML bodies, and the 409 Status
// whose message and causes name the conflicting manager and field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../server.js';

const APPLY = 'application/apply-patch+yaml';
const CM = '/api/v1/namespaces/default/configmaps';

describe('server-side apply over HTTP', () => {
  let server: ApiServer;
  let port: number;

  const call = (
    method: string,
    path: string,
    body: string | undefined,
    contentType: string,
    userAgent?: string,
    as?: string,
  ): Promise<{ code: number; json: Record<string, unknown> }> =>
    new Promise((resolve, reject) => {
      const headers = {
        'content-type': contentType,
        authorization: `Bearer ${server.adminToken}`,
        ...(userAgent ? { 'user-agent': userAgent } : {}),
        ...(as ? { 'impersonate-user': as } : {}),
      };
      const req = request({ host: '127.0.0.1', port, method, path, ca: server.pki.caCert, headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ code: res.statusCode ?? 0, json: JSON.parse(text || '{}') as Record<string, unknown> }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  const cmYaml = (name: string, value: string): string =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: "${value}"\n`;

  beforeAll(async () => {
    server = await ApiServer.create({ dataDir: mkdtempSync(join(tmpdir(), 'wharf-apply-')), port: 0 });
    port = await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('creates on apply with 201 and records an Apply entry', async () => {
    const r = await call('PATCH', `${CM}/made?fieldManager=one`, cmYaml('made', '1'), APPLY);
    expect(r.code).toBe(201);
    expect((r.json.metadata as { managedFields: unknown[] }).managedFields).toEqual([
      expect.objectContaining({
        manager: 'one',
        operation: 'Apply',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:key': {} } },
      }),
    ]);
  });

  it('answers a conflict with 409, the upstream message and FieldManagerConflict causes', async () => {
    const r = await call('PATCH', `${CM}/made?fieldManager=two`, cmYaml('made', '2'), APPLY);
    expect(r.code).toBe(409);
    expect(r.json).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message: 'Apply failed with 1 conflict: conflict with "one": .data.key',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "one"', field: '.data.key' }] },
    });
    const forced = await call('PATCH', `${CM}/made?fieldManager=two&force=true`, cmYaml('made', '2'), APPLY);
    expect([forced.code, (forced.json.data as { key: string }).key]).toEqual([200, '2']);
  });

  it('names Update managers with their apiVersion, from the User-Agent when no fieldManager is given', async () => {
    const patched = await call(
      'PATCH',
      `${CM}/made`,
      JSON.stringify({ data: { key: '3' } }),
      'application/merge-patch+json',
      'my-operator/v0.1 (linux)',
    );
    expect(
      (patched.json.metadata as { managedFields: { manager: string }[] }).managedFields.map((e) => e.manager),
    ).toContain('my-operator');
    const r = await call('PATCH', `${CM}/made?fieldManager=two`, cmYaml('made', '4'), APPLY);
    expect(r.json.message).toBe('Apply failed with 1 conflict: conflict with "my-operator" using v1: .data.key');
  });

  it('requires a fieldManager for apply and refuses force on other patches, as PatchOptions validation does', async () => {
    const none = await call('PATCH', `${CM}/made`, cmYaml('made', '5'), APPLY);
    expect([none.code, none.json.reason, none.json.message]).toEqual([
      422,
      'Invalid',
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    ]);
    const force = await call(
      'PATCH',
      `${CM}/made?force=true`,
      JSON.stringify({ data: { key: '5' } }),
      'application/merge-patch+json',
    );
    expect([force.code, force.json.message]).toEqual([
      422,
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    ]);
    const long = await call(
      'POST',
      `${CM}?fieldManager=${'m'.repeat(129)}`,
      JSON.stringify({ metadata: { name: 'x' } }),
      'application/json',
    );
    expect([long.code, long.json.message]).toEqual([
      422,
      'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes',
    ]);
  });

  it('refuses fields the kind does not declare as kube-apiserver does (500, no reason)', async () => {
    const r = await call(
      'PATCH',
      `${CM}/made?fieldManager=one`,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: made\n  namespace: default\ndatum: {}\n',
      APPLY,
    );
    expect([r.code, r.json.message]).toEqual([
      500,
      'failed to create typed patch object (default/made; /v1, Kind=ConfigMap): .datum: field not declared in schema',
    ]);
  });

  it('authorizes an apply that creates as a create too (patch alone may only change what exists)', async () => {
    const rbac = '/apis/rbac.authorization.k8s.io/v1/namespaces/default';
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'patcher' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'patch'] }],
    };
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'patcher' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'patcher' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'patcher' }],
    };
    expect((await call('POST', `${rbac}/roles`, JSON.stringify(role), 'application/json')).code).toBe(201);
    expect((await call('POST', `${rbac}/rolebindings`, JSON.stringify(binding), 'application/json')).code).toBe(201);
    const create = await call('PATCH', `${CM}/fresh?fieldManager=p`, cmYaml('fresh', '1'), APPLY, undefined, 'patcher');
    expect([create.code, create.json.message]).toEqual([
      403,
      'configmaps "fresh" is forbidden: User "patcher" cannot create resource "configmaps" in API group "" in the namespace "default"',
    ]);
    const update = await call(
      'PATCH',
      `${CM}/made?fieldManager=p&force=true`,
      cmYaml('made', '9'),
      APPLY,
      undefined,
      'patcher',
    );
    expect(update.code).toBe(200);
  });

  it('refuses a body without kind, and one carrying managedFields', async () => {
    const noKind = await call('PATCH', `${CM}/made?fieldManager=one`, 'metadata: {name: made}\n', APPLY);
    expect(noKind.code).toBe(400);
    const withManaged = await call(
      'PATCH',
      `${CM}/made?fieldManager=one`,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: made\n  managedFields: [{manager: x}]\n',
      APPLY,
    );
    expect([withManaged.code, withManaged.json.message]).toEqual([400, 'metadata.managedFields must be nil']);
  });
});
