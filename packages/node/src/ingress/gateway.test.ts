// The ingress gateway against a real `wharf up` (no nodes): backends are plain servers on
// 127.0.0.1 published through selector-less Services with hand-written EndpointSlices, so the
// proxying (host and path rules, round robin, streaming, WebSocket, TLS with SNI, 404/503,
// status) is tested without root; e2e/ingress.test.ts does the same with real pods.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { eventually, Kubectl, WharfProcess } from '@wharf/testing';
import { IngressGateway } from './gateway.js';

const cliBuilt = existsSync(fileURLToPath(new URL('../../../cli/dist/index.js', import.meta.url)));
if (!cliBuilt) console.warn('skipping gateway.test.ts: needs a built CLI (npx tsc -b packages/cli packages/testing)');

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function request(
  port: number,
  host: string,
  urlPath: string,
  opts: { method?: string; body?: string; agent?: http.Agent; address?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: opts.address ?? '127.0.0.1',
        port,
        path: urlPath,
        method: opts.method ?? 'GET',
        headers: { host },
        timeout: 5000,
        ...(opts.agent ? { agent: opts.agent } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A backend that names itself and echoes what it received. */
function backend(name: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          name,
          path: req.url,
          host: req.headers.host,
          xff: req.headers['x-forwarded-for'],
          proto: req.headers['x-forwarded-proto'],
          body,
        }),
      );
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}
const portOf = (s: http.Server): number => (s.address() as AddressInfo).port;

describe.skipIf(!cliBuilt)('IngressGateway (wharf up, loopback backends)', () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let gw: IngressGateway;
  let tmp: string;
  const servers: http.Server[] = [];
  let wss: WebSocketServer;

  /** A selector-less Service with an EndpointSlice listing the given loopback ports. */
  const service = (name: string, ports: number[]): string => `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
ports: [{name: http, port: ${ports[0] ?? 1}, protocol: TCP}]
endpoints: [${ports.length ? `{addresses: ["127.0.0.1"], conditions: {ready: true}}` : ''}]
`;

  beforeAll(async () => {
    wharf = await WharfProcess.start();
    k = new Kubectl(wharf.kubeconfig);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'wharf-gw-'));
    const kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    for (const n of ['web', 'api', 'other']) servers.push(await backend(n));
    const wsServer = http.createServer();
    wss = new WebSocketServer({ server: wsServer });
    wss.on('connection', (sock, req) =>
      sock.on('message', (m) => sock.send(`echo ${String(m)} via ${req.headers['x-forwarded-proto']}`)),
    );
    await new Promise<void>((r) => wsServer.listen(0, '127.0.0.1', () => r()));
    servers.push(wsServer);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=secure.localhost',
        '-addext',
        'subjectAltName=DNS:secure.localhost',
        '-keyout',
        path.join(tmp, 'tls.key'),
        '-out',
        path.join(tmp, 'tls.crt'),
      ],
      { stdio: 'ignore' },
    );
    await k.ok([
      'create',
      'secret',
      'tls',
      'secure-cert',
      '--cert',
      path.join(tmp, 'tls.crt'),
      '--key',
      path.join(tmp, 'tls.key'),
    ]);
    await k.ok(['apply', '-f', '-'], {
      stdin: [
        service('web', [portOf(servers[0]!)]),
        service('api', [portOf(servers[1]!)]),
        service('ws', [portOf(wsServer)]),
        service('nothing', []),
        `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site, namespace: default}
spec:
  tls: [{hosts: [secure.localhost], secretName: secure-cert}]
  rules:
  - host: web.localhost
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
      - {path: /ws, pathType: Exact, backend: {service: {name: ws, port: {number: 80}}}}
  - host: secure.localhost
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
  - host: empty.localhost
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: nothing, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: other-class, namespace: default}
spec:
  ingressClassName: nginx
  rules: [{host: nginx.localhost, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: other, port: {number: 80}}}}]}}]
`,
      ].join('---\n'),
    });
    // /metrics on an address of its own (as where pods reach the host), the routes on 127.0.0.1.
    gw = new IngressGateway({ kubeConfig: kc, httpPort: 0, httpsPort: 0, metricsPort: 0, metricsHost: '127.0.0.2' });
    await gw.start();
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    wss?.close();
    for (const s of servers) s.close();
    await wharf?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('routes by host and path, preserving Host and adding X-Forwarded-*', async () => {
    const r = await request(gw.httpPort, `web.localhost:${gw.httpPort}`, '/index.html?x=1');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual(
      expect.objectContaining({
        name: 'web',
        path: '/index.html?x=1',
        host: `web.localhost:${gw.httpPort}`,
        xff: '127.0.0.1',
        proto: 'http',
      }),
    );
    expect(JSON.parse((await request(gw.httpPort, 'web.localhost', '/api/users')).body).name).toBe('api');
    expect(JSON.parse((await request(gw.httpPort, 'web.localhost', '/apiary')).body).name).toBe('web');
  });

  it('streams request bodies over kept-alive connections', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 5; i++) {
      const r = await request(gw.httpPort, 'web.localhost', '/echo', {
        method: 'POST',
        body: `payload-${i}-${'x'.repeat(100_000)}`,
        agent,
      });
      expect(JSON.parse(r.body).body).toBe(`payload-${i}-${'x'.repeat(100_000)}`);
    }
    agent.destroy();
  });

  it("passes a stream's status line on before its first bytes (a watch with no events yet)", async () => {
    const quiet = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
    });
    await new Promise<void>((r) => quiet.listen(0, '127.0.0.1', () => r()));
    const kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    const g = new IngressGateway({
      kubeConfig: kc,
      httpPort: 0,
      hostRoute: { host: 'quiet.localhost', port: () => portOf(quiet), what: 'a quiet stream' },
    });
    await g.start();
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.get({ port: g.httpPort, host: '127.0.0.1', headers: { host: 'quiet.localhost' } }, (res) => {
          resolve(res.statusCode ?? 0);
          req.destroy();
        });
        req.on('error', reject);
      });
      expect(status).toBe(200);
    } finally {
      quiet.closeAllConnections();
      quiet.close();
      await g.stop();
    }
  });

  it('answers 404 with a page when no rule matches, 503 when the backend has no ready endpoints', async () => {
    const nf = await request(gw.httpPort, 'unknown.localhost', '/');
    expect(nf.status).toBe(404);
    expect(nf.body).toContain('No Ingress rule matches host');
    const other = await request(gw.httpPort, 'nginx.localhost', '/');
    expect(other.status).toBe(404); // another class's Ingress is not served
    const su = await request(gw.httpPort, 'empty.localhost', '/');
    expect(su.status).toBe(503);
    expect(su.body).toContain('default/nothing');
  });

  it("serves a host route (wharf up's console as console.localhost) before the Ingress rules, on the port it names now", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    let port: number | undefined = portOf(servers[1]!);
    const withRoute = new IngressGateway({
      kubeConfig: kc,
      httpPort: 0,
      hostRoute: { host: 'web.localhost', port: () => port, what: 'the console' },
    });
    await withRoute.start();
    try {
      // The Ingress rule for web.localhost names the `web` backend: the host route wins, Host kept.
      const r = await request(withRoute.httpPort, `web.localhost:${withRoute.httpPort}`, '/r/pods');
      expect(JSON.parse(r.body)).toMatchObject({
        name: 'api',
        path: '/r/pods',
        host: `web.localhost:${withRoute.httpPort}`,
      });
      port = portOf(servers[0]!);
      expect(JSON.parse((await request(withRoute.httpPort, 'WEB.localhost', '/')).body)).toMatchObject({ name: 'web' });
      port = undefined;
      const down = await request(withRoute.httpPort, 'web.localhost', '/');
      expect(down.status).toBe(503);
      expect(down.body).toContain('the console is not running on this host.');
    } finally {
      await withRoute.stop();
    }
  });

  it('counts requests per ingress, service and status on /metrics, with ingress-nginx names', async () => {
    for (let i = 0; i < 3; i++) await request(gw.httpPort, 'web.localhost', '/counted');
    await request(gw.httpPort, 'empty.localhost', '/');
    const text = (await request(gw.metricsPort, '127.0.0.2', '/metrics', { address: '127.0.0.2' })).body;
    const value = (re: RegExp): number => Number(re.exec(text)?.[1]);
    expect(
      value(
        /^nginx_ingress_controller_requests\{ingress="site",namespace="default",service="web",host="web.localhost",method="GET",status="200",controller_class="wharf"\} (\d+)$/m,
      ),
    ).toBeGreaterThanOrEqual(3);
    expect(
      value(/^nginx_ingress_controller_requests\{[^}]*service="nothing"[^}]*status="503"[^}]*\} (\d+)$/m),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(
        /^nginx_ingress_controller_request_duration_seconds_count\{[^}]*service="web"[^}]*status="200"[^}]*\} (\d+)$/m,
      ),
    ).toBeGreaterThanOrEqual(3);
    expect((await request(gw.metricsPort, '127.0.0.2', '/other', { address: '127.0.0.2' })).status).toBe(404);
    await expect(request(gw.metricsPort, '127.0.0.1', '/metrics')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('passes WebSocket upgrades through', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.httpPort}/ws`, { headers: { host: 'web.localhost' } });
    const answer = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hi'));
      ws.on('message', (m) => resolve(String(m)));
      ws.on('error', reject);
    });
    ws.close();
    expect(answer).toBe('echo hi via http');
  });

  it('serves HTTPS with the certificate of the TLS Secret chosen by SNI', async () => {
    const ca = readFileSync(path.join(tmp, 'tls.crt'));
    const r = await new Promise<Reply & { cn: string }>((resolve, reject) => {
      const req = https.get(
        {
          host: '127.0.0.1',
          port: gw.httpsPort,
          servername: 'secure.localhost',
          path: '/',
          headers: { host: 'secure.localhost' },
          ca,
        },
        (res) => {
          const cn = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN);
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, cn }));
        },
      );
      req.on('error', reject);
    });
    expect(r.status).toBe(200);
    expect(r.cn).toBe('secure.localhost');
    expect(JSON.parse(r.body)).toEqual(expect.objectContaining({ name: 'web', proto: 'https' }));
    // no certificate for the name: the handshake fails
    await expect(
      new Promise((resolve, reject) =>
        https
          .get(
            { host: '127.0.0.1', port: gw.httpsPort, servername: 'nope.localhost', rejectUnauthorized: false },
            resolve,
          )
          .on('error', reject),
      ),
    ).rejects.toThrow();
  });

  it('follows endpoint changes and round-robins between endpoints', async () => {
    const second = await backend('web-2');
    servers.push(second);
    await k.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-2, namespace: default, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: ${portOf(second)}, protocol: TCP}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
`,
    });
    await eventually(
      async () => {
        const names = new Set<string>();
        for (let i = 0; i < 4; i++) names.add(JSON.parse((await request(gw.httpPort, 'web.localhost', '/')).body).name);
        return names.has('web') && names.has('web-2') ? true : undefined;
      },
      10_000,
      'both web endpoints answering',
    );
  });

  it('creates the default IngressClass and writes the address into the Ingress status', async () => {
    const cls = JSON.parse(await k.ok(['get', 'ingressclass', 'wharf', '-o', 'json']));
    expect(cls.metadata.annotations['ingressclass.kubernetes.io/is-default-class']).toBe('true');
    await eventually(
      async () =>
        (await k.ok(['get', 'ingress', 'site', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])) === '127.0.0.1'
          ? true
          : undefined,
      10_000,
      'ingress status',
    );
    expect(await k.ok(['get', 'ingress', 'other-class', '-o', 'jsonpath={.status.loadBalancer.ingress}'])).toBe('');
    expect(await k.ok(['get', 'ingress', 'site'])).toMatch(
      /site\s+\S+\s+web\.localhost,secure\.localhost,empty\.localhost\s+127\.0\.0\.1\s+80, 443/,
    );
  });
});
