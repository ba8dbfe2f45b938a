// Auditing by an audit.k8s.io/v1 Policy, end to end: `wharf up --audit-policy-file` with the log
// backend and a webhook backend (a loopback HTTP server the test runs), driven by kubectl 1.32.
// Each request gets the level of the first rule it matches; RequestResponse entries carry the
// request and response bodies; omitted stages are not written; every entry names the user and
// groups; Secret values never appear even where the policy asks for bodies; the webhook receives
// the same events in EventLists.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, WharfProcess } from '@wharf/testing';

interface Event {
  level: string;
  stage: string;
  verb: string;
  auditID: string;
  user: { username: string; groups: string[] };
  objectRef?: { resource: string; namespace?: string; name?: string };
  responseStatus?: { code: number };
  requestObject?: { data?: Record<string, string> };
  responseObject?: { metadata?: { name?: string }; data?: Record<string, string> };
}

const SECRET = 'hunter2-never-logged';
const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: RequestResponse
    resources: [{ group: "", resources: ["configmaps", "secrets"] }]
    namespaces: ["audited"]
  - level: None
    verbs: [get, list, watch]
  - level: Request
    verbs: [create, update, patch, delete]
    resources: [{ group: "" }]
  - level: Metadata
    verbs: [create, update, patch, delete]
`;

describe('audit policy with the log and webhook backends', () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let sink: Server;
  const received: Event[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'wharf-audit-e2e-'));
  const logPath = join(dir, 'audit.log');
  const events = (): Event[] =>
    readFileSync(logPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Event);
  const about = (name: string): Event[] => events().filter((e) => e.objectRef?.name === name);

  beforeAll(async () => {
    sink = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(...(JSON.parse(body) as { items: Event[] }).items);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    writeFileSync(
      join(dir, 'webhook.kubeconfig'),
      `apiVersion: v1\nkind: Config\nclusters: [{name: sink, cluster: {server: "http://127.0.0.1:${(sink.address() as AddressInfo).port}/"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: sink, user: u}}]\ncurrent-context: c\n`,
    );
    wharf = await WharfProcess.start({
      extraArgs: [
        '--no-platform',
        '--audit-policy-file',
        join(dir, 'policy.yaml'),
        '--audit-log-path',
        logPath,
        '--audit-webhook-config-file',
        join(dir, 'webhook.kubeconfig'),
        '--audit-webhook-batch-max-wait',
        '1',
      ],
    });
    k = new Kubectl(wharf.kubeconfig);
    await k.ok(['create', 'namespace', 'audited']);
    await k.ok(['create', 'namespace', 'other']);
  }, 120_000);

  afterAll(async () => {
    await wharf?.stop();
    await new Promise<void>((r) => sink.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('records RequestResponse entries with both bodies, naming the user and groups, without omitted stages', async () => {
    await k.ok(['create', 'configmap', 'full', '-n', 'audited', '--from-literal=colour=teal']);
    await k.ok(['get', 'configmap', 'full', '-n', 'audited', '-o', 'json']);
    const [create, get] = await eventually(
      () => (about('full').length >= 2 ? about('full') : undefined),
      10_000,
      'two entries about configmap full',
    );
    expect(create).toMatchObject({
      level: 'RequestResponse',
      stage: 'ResponseComplete',
      verb: 'create',
      responseStatus: { code: 201 },
      user: { username: 'wharf-admin' },
    });
    expect(create?.user.groups).toContain('system:masters');
    expect(create?.requestObject?.data).toEqual({ colour: 'teal' });
    expect(create?.responseObject?.metadata?.name).toBe('full');
    expect(get).toMatchObject({
      level: 'RequestResponse',
      verb: 'get',
      responseStatus: { code: 200 },
      responseObject: { data: { colour: 'teal' } },
    });
    expect(events().some((e) => e.stage === 'RequestReceived')).toBe(false);
  });

  it('takes the first matching rule: reads elsewhere are not audited, core writes at Request, others at Metadata', async () => {
    await k.ok(['create', 'configmap', 'plain', '-n', 'other', '--from-literal=colour=red']);
    await k.ok(['get', 'configmap', 'plain', '-n', 'other']);
    await k.ok(['create', 'deployment', 'web', '-n', 'other', '--image=busybox:1', '--replicas=0']);
    const [create] = await eventually(
      () => (about('plain').length ? about('plain') : undefined),
      10_000,
      'the entry about configmap plain',
    );
    await eventually(() => about('web').length > 0 || undefined, 10_000, 'the entry about deployment web');
    expect(about('plain')).toHaveLength(1);
    expect(create).toMatchObject({ level: 'Request', verb: 'create', requestObject: { data: { colour: 'red' } } });
    expect(create?.responseObject).toBeUndefined();
    const [web] = about('web');
    expect(web).toMatchObject({
      level: 'Metadata',
      verb: 'create',
      objectRef: { resource: 'deployments', namespace: 'other', name: 'web' },
    });
    expect(web?.requestObject).toBeUndefined();
  });

  it("never writes a Secret's value, though the policy asks for RequestResponse", async () => {
    await k.ok(['create', 'secret', 'generic', 'pw', '-n', 'audited', `--from-literal=password=${SECRET}`]);
    expect(
      Buffer.from(
        JSON.parse(await k.ok(['get', 'secret', 'pw', '-n', 'audited', '-o', 'json'])).data.password as string,
        'base64',
      ).toString(),
    ).toBe(SECRET);
    await k.ok(['get', 'secrets', '-n', 'audited']);
    const entries = await eventually(
      () => (about('pw').length >= 2 ? about('pw') : undefined),
      10_000,
      'entries about secret pw',
    );
    for (const e of entries) {
      expect(e.level).toBe('Metadata');
      expect(e.requestObject).toBeUndefined();
      expect(e.responseObject).toBeUndefined();
    }
    const log = readFileSync(logPath, 'utf8');
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain(Buffer.from(SECRET).toString('base64'));
  });

  it('sends the same events to the webhook', async () => {
    const logged = events();
    await eventually(
      () => logged.every((e) => received.some((r) => r.auditID === e.auditID)) || undefined,
      15_000,
      'every logged event at the webhook',
    );
    expect(JSON.stringify(received)).not.toContain(SECRET);
    for (const e of received) expect(e.user.username).toBeTruthy();
  });
});
