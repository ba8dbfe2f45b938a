import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from './event.js';
import { LogBackend } from './log-backend.js';
import { WebhookBackend } from './webhook-backend.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (i: number): AuditEvent => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Metadata',
  auditID: `id-${i}`,
  stage: 'ResponseComplete',
  requestURI: `/api/v1/namespaces/a/configmaps/c${i}`,
  verb: 'get',
  user: { username: 'ana', groups: ['team-a'] },
  sourceIPs: ['127.0.0.1'],
  requestReceivedTimestamp: '2026-01-01T00:00:00Z',
  stageTimestamp: '2026-01-01T00:00:00Z',
});

describe('audit log backend', () => {
  it('writes one event a line, 0600, and rotates by size keeping maxBackups files', async () => {
    const path = join(dir, 'audit.log');
    const lineSize = JSON.stringify(event(10)).length + 1;
    const log = new LogBackend({ path, maxSizeBytes: lineSize * 3, maxBackups: 2 });
    for (let i = 10; i < 20; i++) log.process([event(i)]);
    await log.close();
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('audit.log'))
        .sort(),
    ).toEqual(['audit.log', 'audit.log.1', 'audit.log.2']);
    const ids = (f: string): string[] =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as AuditEvent).auditID);
    expect(ids('audit.log')).toEqual(['id-19']);
    expect(ids('audit.log.1')).toEqual(['id-16', 'id-17', 'id-18']);
    expect(ids('audit.log.2')).toEqual(['id-13', 'id-14', 'id-15']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('audit webhook backend', () => {
  let server: Server;
  const batches: { auth: string | undefined; body: { kind: string; items: AuditEvent[] } }[] = [];
  let failNext = 0;
  let config = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end();
          return;
        }
        batches.push({ auth: req.headers.authorization, body: JSON.parse(body) as never });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    config = join(dir, 'webhook.kubeconfig');
    writeFileSync(
      config,
      `apiVersion: v1\nkind: Config\nclusters: [{name: sink, cluster: {server: "http://127.0.0.1:${(server.address() as AddressInfo).port}/audit"}}]\nusers: [{name: w, user: {token: s3cret}}]\ncontexts: [{name: c, context: {cluster: sink, user: w}}]\ncurrent-context: c\n`,
    );
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("posts EventLists in batches of at most maxBatchSize, with the kubeconfig's token", async () => {
    const hook = new WebhookBackend({ configFile: config, maxBatchSize: 2, maxBatchWaitMs: 60_000 });
    for (let i = 0; i < 5; i++) hook.process([event(i)]);
    await hook.close();
    expect(batches.map((b) => b.body.items.map((e) => e.auditID))).toEqual([
      ['id-0', 'id-1'],
      ['id-2', 'id-3'],
      ['id-4'],
    ]);
    expect(batches.every((b) => b.body.kind === 'EventList' && b.auth === 'Bearer s3cret')).toBe(true);
  });

  it('sends a partial batch after maxBatchWait, retries a failure once, then drops and tells', async () => {
    batches.length = 0;
    const errors: string[] = [];
    const hook = new WebhookBackend({
      configFile: config,
      maxBatchSize: 100,
      maxBatchWaitMs: 50,
      onError: (m) => errors.push(m),
    });
    failNext = 1;
    hook.process([event(1)]);
    const deadline = Date.now() + 5000;
    while (batches.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(batches.map((b) => b.body.items.length)).toEqual([1]);
    failNext = 2;
    hook.process([event(2)]);
    await hook.close();
    expect(hook.dropped).toBe(1);
    expect(errors).toEqual([expect.stringMatching(/HTTP 503; 1 events dropped/)]);
  });

  it('refuses a config without a server', () => {
    const bad = join(dir, 'bad.kubeconfig');
    writeFileSync(bad, 'clusters: []\n');
    expect(() => new WebhookBackend({ configFile: bad })).toThrow('clusters[0].cluster.server is required');
  });
});
