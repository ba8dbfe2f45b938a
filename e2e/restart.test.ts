// `wharf up` stops cleanly on SIGTERM and, started again on the same data dir, serves every object
// (secrets, CRDs and their custom resources included) through the same kubeconfig, with
// resourceVersions that keep increasing. Also: health and version endpoints, and HTTPS only.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crdManifest, eventually, json, Kubectl, KUBECTL_132, RawApi, WharfProcess } from '@wharf/testing';

const NS = 'keep';
const CRD = crdManifest({
  group: 'restart.example.com',
  kind: 'Gadget',
  shortNames: ['gdg'],
  spec: { properties: { size: { type: 'integer' } } },
  printerColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
});
const GADGET = `apiVersion: restart.example.com/v1
kind: Gadget
metadata: {name: g1, namespace: ${NS}}
spec: {size: 7}
`;

let wharf: WharfProcess;
let k: Kubectl;
/** A copy of the kubeconfig written by the first start, used after the restart. */
let oldKubeconfig: string;
const rvBefore = new Map<string, string>();
let maxRvBefore = 0;

function rvOf(out: string): string {
  return JSON.parse(out).metadata.resourceVersion as string;
}

beforeAll(async () => {
  wharf = await WharfProcess.start();
  k = new Kubectl(wharf.kubeconfig, KUBECTL_132);
  await k.ok(['create', 'namespace', NS]);
  await k.ok(['create', 'configmap', 'settings', '-n', NS, '--from-literal=color=blue']);
  await k.ok(['create', 'secret', 'generic', 'db', '-n', NS, '--from-literal=password=s3cr3t-restart']);
  await k.ok(['create', 'serviceaccount', 'robot', '-n', NS]);
  await k.ok(['create', 'deployment', 'web', '-n', NS, '--image=nginx:1.27', '--replicas=2']);
  await k.ok(['apply', '-f', '-'], { stdin: CRD });
  await k.ok(['wait', '--for=condition=Established', 'crd/gadgets.restart.example.com', '--timeout=20s']);
  await eventually(
    async () => (await k.run(['apply', '-f', '-'], { stdin: GADGET })).code === 0,
    20_000,
    'custom resource accepted',
  );
  for (const [what, args] of Object.entries({
    configmap: ['configmap', 'settings', '-n', NS],
    secret: ['secret', 'db', '-n', NS],
    serviceaccount: ['serviceaccount', 'robot', '-n', NS],
    deployment: ['deployment', 'web', '-n', NS],
    crd: ['crd', 'gadgets.restart.example.com'],
    gadget: ['gadget', 'g1', '-n', NS],
  })) {
    const rv = rvOf(await k.ok(['get', ...args, '-o', 'json']));
    rvBefore.set(what, rv);
    maxRvBefore = Math.max(maxRvBefore, Number(rv));
  }
  oldKubeconfig = join(mkdtempSync(join(tmpdir(), 'wharf-kc-')), 'kubeconfig');
  copyFileSync(wharf.kubeconfig, oldKubeconfig);
});

afterAll(async () => {
  await wharf?.stop();
});

describe('stop and start on the same data dir', () => {
  it('exits with code 0 on SIGTERM', async () => {
    expect(await wharf.stop()).toBe(0);
    expect(wharf.output).toContain('stopped');
    await wharf.restart();
  });

  it("serves the CRD's custom resources at once, through the old kubeconfig", async () => {
    // No waiting: the first request after readiness must find the custom resource.
    const api = RawApi.fromKubeconfig(oldKubeconfig);
    try {
      const r = await api.get(`/apis/restart.example.com/v1/namespaces/${NS}/gadgets/g1`);
      expect(r.status).toBe(200);
      expect(json(r).spec).toEqual({ size: 7 });
    } finally {
      api.close();
    }
    const fresh = new Kubectl(oldKubeconfig, KUBECTL_132); // cold discovery cache
    const out = await fresh.ok(['get', 'gdg', '-n', NS]);
    expect(out.split('\n')[0]).toMatch(/^NAME\s+SIZE\s*$/);
    expect(out).toMatch(/g1\s+7\s+/);
  });

  it('keeps every object with its resourceVersion, secrets decrypted', async () => {
    const old = new Kubectl(oldKubeconfig, KUBECTL_132);
    const cm = JSON.parse(await old.ok(['get', 'configmap', 'settings', '-n', NS, '-o', 'json']));
    expect(cm.data).toEqual({ color: 'blue' });
    expect(cm.metadata.resourceVersion).toBe(rvBefore.get('configmap'));
    const secret = JSON.parse(await old.ok(['get', 'secret', 'db', '-n', NS, '-o', 'json']));
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('s3cr3t-restart');
    expect(secret.metadata.resourceVersion).toBe(rvBefore.get('secret'));
    expect(rvOf(await old.ok(['get', 'serviceaccount', 'robot', '-n', NS, '-o', 'json']))).toBe(
      rvBefore.get('serviceaccount'),
    );
    const deploy = JSON.parse(await old.ok(['get', 'deployment', 'web', '-n', NS, '-o', 'json']));
    expect(deploy.spec.replicas).toBe(2);
    const crd = JSON.parse(await old.ok(['get', 'crd', 'gadgets.restart.example.com', '-o', 'json']));
    expect(crd.status.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'Established', status: 'True' })]),
    );
    const names = (await old.ok(['get', 'namespaces', '-o', 'name'])).split('\n');
    expect(names).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system', `namespace/${NS}`]));
  });

  it('continues resourceVersions above every one before the restart', async () => {
    await k.ok(['label', 'configmap', 'settings', '-n', NS, 'after=restart']);
    const rv1 = Number(rvOf(await k.ok(['get', 'configmap', 'settings', '-n', NS, '-o', 'json'])));
    expect(rv1).toBeGreaterThan(maxRvBefore);
    const created = await k.ok(['create', 'configmap', 'later', '-n', NS, '--from-literal=a=b', '-o', 'json']);
    expect(Number(rvOf(created))).toBeGreaterThan(rv1);
    const gadget = await k.ok([
      'patch',
      'gadget',
      'g1',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"spec":{"size":8}}',
      '-o',
      'json',
    ]);
    expect(Number(rvOf(gadget))).toBeGreaterThan(Number(rvOf(created)));
  });

  it('survives a second restart with the writes made after the first', async () => {
    expect(await wharf.stop()).toBe(0);
    await wharf.restart();
    const cm = JSON.parse(await k.ok(['get', 'configmap', 'later', '-n', NS, '-o', 'json']));
    expect(cm.data).toEqual({ a: 'b' });
    expect(JSON.parse(await k.ok(['get', 'gadget', 'g1', '-n', NS, '-o', 'json'])).spec.size).toBe(8);
  });
});

describe('health, version and transport', () => {
  it('answers /livez, /readyz and /healthz without a token', async () => {
    const anon = RawApi.fromKubeconfig(wharf.kubeconfig).as(undefined);
    try {
      for (const p of ['/livez', '/readyz', '/healthz']) {
        const r = await anon.get(p);
        expect(r.status, p).toBe(200);
        expect(r.text).toBe('ok');
      }
      const v = await anon.get('/version');
      expect(v.status).toBe(200);
      expect(json(v).gitVersion).toMatch(/^v1\.32\./);
      expect(json(v)).toMatchObject({ major: '1', minor: '32' });
    } finally {
      anon.close();
    }
    const kv = JSON.parse(await k.ok(['version', '-o', 'json']));
    expect(kv.serverVersion.gitVersion).toMatch(/^v1\.32\./);
  });

  it('speaks TLS only: plain HTTP to the API port gets no answer', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = httpGet({ host: '127.0.0.1', port: wharf.port, path: '/version', timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(`status ${res.statusCode ?? 0}: ${body}`));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve(`error: ${e.message}`));
    });
    expect(outcome).not.toContain('gitVersion');
    expect(outcome).toMatch(/^error: |^status 400/);
  });

  it("presents a serving certificate the kubeconfig's CA verifies for 127.0.0.1", async () => {
    // RawApi verifies the chain and the host name; an untrusted certificate would reject.
    const api = RawApi.fromKubeconfig(wharf.kubeconfig);
    try {
      expect((await api.get('/api')).status).toBe(200);
    } finally {
      api.close();
    }
  });
});
