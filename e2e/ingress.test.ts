// The ingress gateway in front of real pods: `wharf up --nodes 1`, busybox httpd Deployments
// behind Services, an Ingress (networking.k8s.io/v1) with host and path rules and TLS from a
// Secret, and an IngressGateway started here on loopback ports (as `wharf up` would run it).
// Requests go to 127.0.0.1 with the Host a browser sends for http://web.localhost:<port>.
// Needs root, runc and the CNI plugins (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngressGateway } from '@wharf/node';
import { eventually, httpGet, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

const app = (name: string, replicas: number): string => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: busybox:1
        command: ["sh", "-c", "mkdir -p /www/api && echo ${name}-$(hostname) > /www/index.html && cp /www/index.html /www/api/index.html && exec httpd -f -p 8080 -h /www"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {selector: {app: ${name}}, ports: [{name: http, port: 80, targetPort: http}]}
`;

const ingress = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  tls: [{hosts: [web.localhost], secretName: web-tls}]
  rules:
  - host: web.localhost
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
  - host: down.localhost
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: down, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: down, namespace: default}
spec: {clusterIP: None, selector: {app: nothing-matches}, ports: [{name: http, port: 80}]}
`;

/** GET through the gateway with the Host header an Ingress rule matches. */
const get = async (port: number, host: string, urlPath: string): Promise<{ status: number; body: string }> => {
  const r = await httpGet({
    host: '127.0.0.1',
    port,
    path: urlPath,
    headers: { host: `${host}:${port}` },
    timeoutMs: 5000,
  });
  return { status: r.status, body: r.text };
};

describe.skipIf(skip !== '')(`ingress gateway with real pods ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let gw: IngressGateway;
  let tmp: string;

  /** Until an EndpointSlice controller runs in `wharf up`, the test writes the slices itself from the ready pods. */
  const ensureSlices = async (svc: string): Promise<void> => {
    const managed = (
      await k.run([
        'get',
        'endpointslices',
        '-l',
        `kubernetes.io/service-name=${svc},endpointslice.kubernetes.io/managed-by`,
        '-o',
        'name',
      ])
    ).stdout.trim();
    if (managed) return;
    const ips = (
      await k.ok(['get', 'pods', '-l', `app=${svc}`, '-o', 'jsonpath={range .items[*]}{.status.podIP}{" "}{end}'])
    )
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    await k.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${svc}-test, namespace: default, labels: {kubernetes.io/service-name: ${svc}}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints: [${ips.map((ip) => `{addresses: ["${ip}"], conditions: {ready: true}}`).join(', ')}]
`,
    });
  };

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'] });
    k = new Kubectl(wharf.kubeconfig);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'wharf-ing-'));
    await run(
      process.execPath,
      [
        WHARF_BIN,
        'image',
        'build-base',
        'busybox:1',
        '--debian-packages',
        'busybox-static',
        '--data-dir',
        wharf.dataDir,
      ],
      { timeout: 120_000 },
    );
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
        '/CN=web.localhost',
        '-addext',
        'subjectAltName=DNS:web.localhost',
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
      'web-tls',
      '--cert',
      path.join(tmp, 'tls.crt'),
      '--key',
      path.join(tmp, 'tls.key'),
    ]);
    await k.ok(['apply', '-f', '-'], { stdin: [app('web', 2), app('api', 1), ingress].join('\n---\n') });
    const kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    gw = new IngressGateway({ kubeConfig: kc, httpPort: 0, httpsPort: 0 });
    await gw.start();
    await k.ok(['rollout', 'status', 'deploy/web', '--timeout=60s'], { timeoutMs: 70_000 });
    await k.ok(['rollout', 'status', 'deploy/api', '--timeout=60s'], { timeoutMs: 70_000 });
    await ensureSlices('web');
    await ensureSlices('api');
  }, 150_000);

  afterAll(async () => {
    await gw?.stop();
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('serves http://web.localhost:<port>/ from the web pods, round robin', async () => {
    const seen = await eventually(
      async () => {
        const bodies = new Set<string>();
        for (let i = 0; i < 4; i++) {
          const r = await get(gw.httpPort, 'web.localhost', '/');
          if (r.status !== 200) return undefined;
          bodies.add(r.body.trim());
        }
        return bodies.size === 2 ? bodies : undefined;
      },
      20_000,
      'both web pods answering through the gateway',
    );
    for (const b of seen) expect(b).toMatch(/^web-web-/);
  });

  it('routes /api to the api service by path', async () => {
    const r = await get(gw.httpPort, 'web.localhost', '/api/');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^api-api-/);
    expect((await get(gw.httpPort, 'web.localhost', '/apix')).status).toBe(404); // web's httpd: no such file
  });

  it('serves HTTPS with the TLS Secret chosen by SNI', async () => {
    const r = await new Promise<{ status: number; body: string; cn: string }>((resolve, reject) => {
      https
        .get(
          {
            host: '127.0.0.1',
            port: gw.httpsPort,
            servername: 'web.localhost',
            headers: { host: 'web.localhost' },
            ca: readFileSync(path.join(tmp, 'tls.crt')),
          },
          (res) => {
            const cn = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN);
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cn }));
          },
        )
        .on('error', reject);
    });
    expect(r.cn).toBe('web.localhost');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^web-web-/);
  });

  it('answers 503 for a backend without endpoints and 404 for an unknown host', async () => {
    const down = await get(gw.httpPort, 'down.localhost', '/');
    expect(down.status).toBe(503);
    expect(down.body).toContain('default/down');
    expect((await get(gw.httpPort, 'nobody.localhost', '/')).status).toBe(404);
  });

  it('shows the address in kubectl get ingress', async () => {
    await eventually(
      async () =>
        /web\s+\S+\s+web\.localhost,down\.localhost\s+127\.0\.0\.1\s+80, 443/.test(
          await k.ok(['get', 'ingress', 'web']),
        )
          ? true
          : undefined,
      10_000,
      'ADDRESS column',
    );
  });
});
