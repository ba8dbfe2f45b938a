// API aggregation with kubectl 1.32: an APIService hands the group/version wardle.example.com/v1alpha1
// to an API server written here (HTTPS on loopback, behind a Service with manual Endpoints, its
// certificate for wardle.aggr.svc signed by a CA given as caBundle). kubectl discovers it, lists
// and gets through Wharf, which passes who the caller is and refuses what RBAC forbids. Like any
// aggregated server, the backend asks for a client certificate and checks it against the front
// proxy CA Wharf publishes in kube-system/extension-apiserver-authentication.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, KUBECTL_132, servingCertificate, WharfProcess } from '@wharf/testing';

const NS = 'aggr';
const GV = '/apis/wardle.example.com/v1alpha1';
let wharf: WharfProcess;
let k: Kubectl;
let backend: Server;
/** What the backend saw of each request: path and the X-Remote-* identity headers. */
const seen: {
  path: string;
  user: string;
  groups: string;
  authorization: string;
  verified: boolean;
  clientName: string;
}[] = [];
let trust: Record<string, string> = {};

const flunder = (ns: string, name: string, user: string): object => ({
  apiVersion: 'wardle.example.com/v1alpha1',
  kind: 'Flunder',
  metadata: {
    name,
    namespace: ns,
    creationTimestamp: '2026-12-01T00:00:00Z',
    annotations: { 'wardle.example.com/asked-by': user },
  },
  spec: { reference: 'the backend answered' },
});

/** The aggregated API server: discovery for its group/version, and one Flunder per namespace. */
function serveWardle(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const header = (h: string): string => String(req.headers[h] ?? '');
  const socket = req.socket as TLSSocket;
  const clientName = String(socket.getPeerCertificate().subject?.CN ?? '');
  seen.push({
    path,
    user: header('x-remote-user'),
    groups: header('x-remote-group'),
    authorization: header('authorization'),
    verified: socket.authorized,
    clientName,
  });
  const send = (code: number, body: object): void => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  // As an aggregated server with delegated authentication: a request that names no user is refused, the
  // APIService's own discovery check included.
  if (!header('x-remote-user')) {
    send(401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 });
    return;
  }
  if (path === GV) {
    send(200, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'wardle.example.com/v1alpha1',
      resources: [
        {
          name: 'flunders',
          singularName: 'flunder',
          namespaced: true,
          kind: 'Flunder',
          verbs: ['get', 'list'],
          shortNames: ['fl'],
        },
        { name: 'flunders/status', singularName: '', namespaced: true, kind: 'Flunder', verbs: ['get'] },
      ],
    });
    return;
  }
  const m = /^\/apis\/wardle\.example\.com\/v1alpha1\/namespaces\/([^/]+)\/flunders(?:\/([^/]+))?$/.exec(path);
  if (m && m[2]) {
    send(200, flunder(m[1] ?? '', m[2], header('x-remote-user')));
    return;
  }
  if (m) {
    send(200, {
      apiVersion: 'wardle.example.com/v1alpha1',
      kind: 'FlunderList',
      metadata: { resourceVersion: '1' },
      items: [flunder(m[1] ?? '', 'first', header('x-remote-user'))],
    });
    return;
  }
  send(404, {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason: 'NotFound',
    code: 404,
    message: `${path} not found`,
  });
}

beforeAll(async () => {
  wharf = await WharfProcess.start();
  k = new Kubectl(wharf.kubeconfig, KUBECTL_132);
  trust = (
    JSON.parse(
      await k.ok(['get', 'configmap', 'extension-apiserver-authentication', '-n', 'kube-system', '-o', 'json']),
    ) as { data: Record<string, string> }
  ).data;
  const certs = servingCertificate(['wardle.aggr.svc']);
  backend = createServer(
    {
      cert: certs.cert,
      key: certs.key,
      ca: trust['requestheader-client-ca-file'],
      requestCert: true,
      rejectUnauthorized: false,
    },
    serveWardle,
  );
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const port = (backend.address() as AddressInfo).port;
  await k.ok(['create', 'namespace', NS]);
  // A Service without a selector, its Endpoints written by hand: the backend runs beside Wharf.
  await k.ok(['apply', '-f', '-'], {
    stdin: `
apiVersion: v1
kind: Service
metadata: {name: wardle, namespace: ${NS}}
spec:
  ports: [{port: 443, targetPort: ${port}}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: wardle, namespace: ${NS}}
subsets: [{addresses: [{ip: 127.0.0.1}], ports: [{port: ${port}}]}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1alpha1.wardle.example.com}
spec:
  group: wardle.example.com
  version: v1alpha1
  service: {namespace: ${NS}, name: wardle, port: 443}
  caBundle: ${Buffer.from(certs.ca).toString('base64')}
  groupPriorityMinimum: 1000
  versionPriority: 15
`,
  });
}, 90_000);

afterAll(async () => {
  await wharf?.stop();
  await new Promise<void>((resolve) => (backend ? backend.close(() => resolve()) : resolve()));
});

describe('an aggregated API server behind an APIService', () => {
  it('becomes Available once its discovery answers, beside the Local built-in APIServices', async () => {
    await eventually(
      async () =>
        /^v1alpha1\.wardle\.example\.com\s+aggr\/wardle\s+True\s/m.test(await k.ok(['get', 'apiservices'])) ||
        undefined,
      30_000,
      'APIService Available',
    );
    const all = await k.ok(['get', 'apiservices']);
    expect(all.split('\n')[0]).toMatch(/^NAME\s+SERVICE\s+AVAILABLE\s+AGE$/);
    expect(all).toMatch(/^v1\.apps\s+Local\s+True\s/m);
    expect(all).toMatch(/^v1beta1\.metrics\.k8s\.io\s+Local\s+True\s/m);
    // The check asks as kube-aggregator does: a named user in system:masters.
    expect(seen.find((x) => x.path === GV && x.user === 'system:kube-aggregator')?.groups).toBe('system:masters');
  });

  it('is listed by kubectl api-resources and reached by kubectl get, with the caller named to the backend', async () => {
    const resources = await k.ok(['api-resources', '--api-group=wardle.example.com']);
    expect(resources).toMatch(/^flunders\s+fl\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder$/m);
    const list = await k.ok(['get', 'flunders', '-n', NS, '-o', 'name']);
    expect(list.trim()).toBe('flunder.wardle.example.com/first');
    const one = JSON.parse(await k.ok(['get', 'flunder', 'second', '-n', NS, '-o', 'json'])) as {
      spec: { reference: string };
      metadata: { annotations: Record<string, string> };
    };
    expect(one.spec.reference).toBe('the backend answered');
    const asked = seen.filter((s) => s.path.endsWith('/flunders/second'));
    expect(asked.length).toBeGreaterThan(0);
    // Wharf authenticated the caller and passes who they are, never their token.
    expect(
      asked.every(
        (s) =>
          s.user === one.metadata.annotations['wardle.example.com/asked-by'] && s.user !== '' && s.authorization === '',
      ),
    ).toBe(true);
    expect(asked[0]?.groups).toContain('system:masters');
  });

  it('proxies with the front proxy client certificate that extension-apiserver-authentication names', () => {
    expect(JSON.parse(trust['requestheader-allowed-names'] ?? '[]')).toEqual(['front-proxy-client']);
    expect(JSON.parse(trust['requestheader-username-headers'] ?? '[]')).toEqual(['X-Remote-User']);
    expect(JSON.parse(trust['requestheader-group-headers'] ?? '[]')).toEqual(['X-Remote-Group']);
    expect(trust['client-ca-file']).toContain('BEGIN CERTIFICATE');
    // Every request the backend saw came over a connection whose client certificate chains to that CA.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((s) => !s.verified || s.clientName !== 'front-proxy-client')).toEqual([]);
  });

  it('answers RBAC denials itself: the backend never sees a forbidden request', async () => {
    await k.ok(['create', 'serviceaccount', 'nobody', '-n', NS]);
    const before = seen.length;
    const denied = await k.run(['get', 'flunders', '-n', NS, `--as=system:serviceaccount:${NS}:nobody`]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      'flunders.wardle.example.com is forbidden: User "system:serviceaccount:aggr:nobody" cannot list resource "flunders" in API group "wardle.example.com"',
    );
    expect(seen.slice(before).some((s) => s.path.includes('/flunders'))).toBe(false);
  });

  it('an APIService whose Service has no endpoints reports why it is unavailable', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: ${NS}}
spec:
  ports: [{port: 443, targetPort: 8443}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.gone.example.com}
spec: {group: gone.example.com, version: v1, service: {namespace: ${NS}, name: empty}, insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 10}
`,
    });
    await eventually(
      async () =>
        /^v1\.gone\.example\.com\s+aggr\/empty\s+False \(MissingEndpoints\)\s/m.test(
          await k.ok(['get', 'apiservices']),
        ) || undefined,
      30_000,
      'MissingEndpoints',
    );
    const msg = await k.ok([
      'get',
      'apiservice',
      'v1.gone.example.com',
      '-o',
      'jsonpath={.status.conditions[0].message}',
    ]);
    expect(msg).toBe('endpoints for service/empty in "aggr" have no addresses with port name ""');
    const r = await k.run(['get', '--raw', '/apis/gone.example.com/v1/namespaces/aggr/things']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ServiceUnavailable');
  });

  it('a bad APIService is refused with the field named', async () => {
    const r = await k.run(['apply', '-f', '-'], {
      stdin: `
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.misnamed.example.com}
spec: {group: other.example.com, version: v1, groupPriorityMinimum: 100, versionPriority: 10}
`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('metadata.name: Invalid value: "v1.misnamed.example.com": must be v1.other.example.com');
  });
});
