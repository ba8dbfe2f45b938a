// /metrics as Prometheus scrapes it: kube-apiserver's names and labels, counts that move with the
// requests a client sends, and the /metrics non-resource URL enforced by RBAC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawApi, json } from '@wharf/testing';
import { ApiServer } from '../server.js';
import { requestLabels } from './metrics.js';
import { requestInfo } from '../rest/request-info.js';

/** The value of the one sample whose name and labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('API server /metrics', () => {
  let server: ApiServer;
  let api: RawApi;
  const dir = mkdtempSync(join(tmpdir(), 'wharf-metrics-'));

  beforeAll(async () => {
    server = await ApiServer.create({ dataDir: dir, port: 0 });
    const port = await server.start();
    api = RawApi.fromKubeconfig(server.writeKubeconfig(port));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts requests by verb, resource and code, and stored objects by resource', async () => {
    const before =
      sample((await api.request('GET', '/metrics')).text, 'apiserver_request_total', {
        verb: 'POST',
        resource: 'configmaps',
        code: '201',
      }) ?? 0;
    for (const name of ['a', 'b'])
      expect(
        (await api.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name } } })).status,
      ).toBe(201);
    expect((await api.request('GET', '/api/v1/namespaces/default/configmaps/missing')).status).toBe(404);
    const r = await api.request('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(
      sample(r.text, 'apiserver_request_total', {
        verb: 'POST',
        resource: 'configmaps',
        scope: 'namespace',
        code: '201',
        component: 'apiserver',
      }),
    ).toBe(before + 2);
    expect(
      sample(r.text, 'apiserver_request_total', {
        verb: 'GET',
        resource: 'configmaps',
        scope: 'resource',
        code: '404',
      }),
    ).toBe(1);
    expect(
      sample(r.text, 'apiserver_request_duration_seconds_count', {
        verb: 'POST',
        resource: 'configmaps',
        scope: 'namespace',
      }),
    ).toBe(before + 2);
    expect(
      sample(r.text, 'apiserver_request_duration_seconds_bucket', { verb: 'POST', resource: 'configmaps', le: '+Inf' }),
    ).toBe(before + 2);
    expect(sample(r.text, 'apiserver_storage_objects', { resource: 'configmaps' })).toBeGreaterThanOrEqual(2);
    expect(
      sample(r.text, 'apiserver_storage_objects', { resource: 'clusterroles.rbac.authorization.k8s.io' }),
    ).toBeGreaterThan(10);
    expect(
      sample(r.text, 'etcd_request_duration_seconds_count', { operation: 'create', type: 'configmaps' }),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(r.text, 'process_resident_memory_bytes', {})).toBeGreaterThan(0);
    expect(
      sample(r.text, 'wharf_certificate_expiration_timestamp_seconds', { certificate: 'apiserver-serving' }),
    ).toBeGreaterThan(Date.now() / 1000 + 86400);
  });

  it('shows an open watch as a long-running request while it lasts', async () => {
    const ac = new AbortController();
    const url = new URL(api.server);
    const { request } = await import('node:https');
    const req = request({
      host: url.hostname,
      port: url.port,
      path: '/api/v1/namespaces/default/configmaps?watch=true',
      ca: api.ca,
      headers: { authorization: `Bearer ${api.token}` },
      signal: ac.signal,
    });
    req.on('error', () => undefined);
    await new Promise<void>((resolve) => req.on('response', () => resolve()).end());
    const open = sample((await api.request('GET', '/metrics')).text, 'apiserver_longrunning_requests', {
      verb: 'WATCH',
      resource: 'configmaps',
      scope: 'namespace',
    });
    expect(open).toBe(1);
    ac.abort();
  });

  it('refuses /metrics to a user without the /metrics non-resource URL', async () => {
    expect(
      (
        await api.request('POST', '/api/v1/namespaces/default/serviceaccounts', {
          body: { metadata: { name: 'nobody' } },
        })
      ).status,
    ).toBe(201);
    const tr = await api.request('POST', '/api/v1/namespaces/default/serviceaccounts/nobody/token', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
    });
    const token = json<{ status: { token: string } }>(tr).status.token;
    const denied = await api.as(token).request('GET', '/metrics');
    expect(denied.status).toBe(403);
    expect(json(denied).message).toContain('cannot get path "/metrics"');
    expect((await api.as(undefined).request('GET', '/metrics')).status).toBe(401);
  });

  it('labels streams CONNECT and server-side apply APPLY, as kube-apiserver does', () => {
    const q = new URLSearchParams();
    expect(requestLabels(requestInfo('POST', '/api/v1/namespaces/d/pods/p/exec', q), undefined, false)).toMatchObject({
      verb: 'CONNECT',
      subresource: 'exec',
      scope: 'resource',
    });
    expect(
      requestLabels(
        requestInfo('PATCH', '/apis/apps/v1/namespaces/d/deployments/w', q),
        'application/apply-patch+yaml',
        true,
      ),
    ).toMatchObject({ verb: 'APPLY', group: 'apps', dry_run: 'All' });
    expect(requestLabels(requestInfo('GET', '/api/v1/nodes', q), undefined, false)).toMatchObject({
      verb: 'LIST',
      scope: 'cluster',
    });
  });
});
