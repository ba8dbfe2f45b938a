// `wharf up --store etcd`: the API server keeps its objects in etcd, a member Wharf runs itself on
// loopback under DATA_DIR/etcd. kubectl create/get/apply/delete work as on SQLite, `kubectl get -w`
// sees the changes, a pod runs on a node, a restart keeps every object, etcdctl shows the keys as
// kube-apiserver lays them out with the Secret encrypted, and `wharf reset` stops the member.
// Needs etcd and etcdctl (etcd-server, etcd-client), and root with runc for the pod.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBusyboxImage,
  etcdUnavailable,
  eventually,
  Kubectl,
  KUBECTL_132,
  runcUnavailable,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const run = promisify(execFile);
const skip = etcdUnavailable() || runcUnavailable();
const NS = 'stored';
const lines = (out: string): string[] => out.split('\n').filter((l) => l.trim() !== '');

const APPLIED = `apiVersion: v1
kind: ConfigMap
metadata: {name: applied, namespace: ${NS}}
data: {color: blue}
`;

const POD = `apiVersion: v1
kind: Pod
metadata: {name: sleeper, namespace: ${NS}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:1
    command: ["sleep", "3600"]
`;

describe.skipIf(skip !== '')(`the etcd store ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  /** etcdctl against the member Wharf runs, output as text. */
  const etcdctl = async (...args: string[]): Promise<string> => {
    const { clientPort } = JSON.parse(readFileSync(join(wharf.dataDir, 'etcd', 'member.json'), 'utf8')) as {
      clientPort: number;
    };
    const { stdout } = await run('etcdctl', [`--endpoints=http://127.0.0.1:${clientPort}`, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
      encoding: 'latin1', // the encrypted value is bytes
    });
    return stdout;
  };

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--store', 'etcd', '--nodes', '1', '--no-platform'] });
    k = new Kubectl(wharf.kubeconfig, KUBECTL_132);
    await k.ok(['create', 'namespace', NS]);
    await buildBusyboxImage(wharf.dataDir);
  }, 300_000);

  afterAll(async () => {
    await wharf?.stop();
    if (!wharf) return;
    execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('creates, gets, applies and deletes through kubectl; a watch sees each change', async () => {
    const w = k.spawn(['get', 'configmaps', '-n', NS, '-w', '--output-watch-events']);
    try {
      await k.ok(['create', 'configmap', 'made', '-n', NS, '--from-literal=a=1']);
      expect(await k.ok(['get', 'configmap', 'made', '-n', NS, '-o', 'jsonpath={.data.a}'])).toBe('1');
      await k.ok(['apply', '-f', '-'], { stdin: APPLIED });
      await k.ok(['apply', '-f', '-'], { stdin: APPLIED.replace('blue', 'green') });
      expect(await k.ok(['get', 'configmap', 'applied', '-n', NS, '-o', 'jsonpath={.data.color}'])).toBe('green');
      await k.ok(['delete', 'configmap', 'made', '-n', NS]);
      expect((await k.run(['get', 'configmap', 'made', '-n', NS])).code).not.toBe(0);
      await eventually(
        () => {
          const out = lines(w.output());
          return (
            out.some((l) => /^ADDED\s+made\s/.test(l)) &&
            out.some((l) => /^MODIFIED\s+applied\s/.test(l)) &&
            out.some((l) => /^DELETED\s+made\s/.test(l))
          );
        },
        15_000,
        'the watch to show the create, the apply and the delete',
      );
    } finally {
      w.stop();
    }
  });

  it('keeps the keys as kube-apiserver lays them out, resourceVersion being the mod_revision, secrets encrypted', async () => {
    await k.ok(['create', 'secret', 'generic', 'db', '-n', NS, '--from-literal=password=etcd-plaintext-check']);
    const raw = await etcdctl('get', `/registry/secrets/${NS}/db`);
    expect(raw.startsWith(`/registry/secrets/${NS}/db\n`)).toBe(true);
    expect(raw).toContain('k8s:enc:aesgcm:v1:');
    expect(raw).not.toContain('etcd-plaintext-check');
    expect(raw).not.toContain(Buffer.from('etcd-plaintext-check').toString('base64'));
    const cm = JSON.parse(await etcdctl('get', `/registry/configmaps/${NS}/applied`, '--print-value-only')) as {
      data: { color: string };
    };
    expect(cm.data.color).toBe('green');
    const rv = await k.ok(['get', 'configmap', 'applied', '-n', NS, '-o', 'jsonpath={.metadata.resourceVersion}']);
    const kv = JSON.parse(await etcdctl('get', `/registry/configmaps/${NS}/applied`, '-w', 'json')) as {
      kvs: { mod_revision: number }[];
    };
    expect(String(kv.kvs[0]?.mod_revision)).toBe(rv);
  });

  it('runs a pod on a node', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: POD });
    await k.ok(['wait', '-n', NS, '--for=condition=Ready', 'pod/sleeper', '--timeout=90s'], { timeoutMs: 100_000 });
    expect(await k.ok(['get', 'pod', 'sleeper', '-n', NS, '-o', 'jsonpath={.status.phase}'])).toBe('Running');
  });

  it('keeps every object across a restart of wharf up (and its etcd member)', async () => {
    const before = await k.ok(['get', 'configmap', 'applied', '-n', NS, '-o', 'jsonpath={.metadata.resourceVersion}']);
    await wharf.restart({ extraArgs: ['--nodes', '1', '--no-platform'] }); // the data dir remembers the store
    expect(await k.ok(['get', 'configmap', 'applied', '-n', NS, '-o', 'jsonpath={.data.color}'])).toBe('green');
    expect(await k.ok(['get', 'secret', 'db', '-n', NS, '-o', 'jsonpath={.data.password}'])).toBe(
      Buffer.from('etcd-plaintext-check').toString('base64'),
    );
    expect(await k.ok(['get', 'configmap', 'applied', '-n', NS, '-o', 'jsonpath={.metadata.resourceVersion}'])).toBe(
      before,
    );
    expect(await k.ok(['get', 'pod', 'sleeper', '-n', NS, '-o', 'jsonpath={.metadata.name}'])).toBe('sleeper');
    await k.ok(['create', 'configmap', 'after', '-n', NS, '--from-literal=b=2']);
    expect(
      Number(await k.ok(['get', 'configmap', 'after', '-n', NS, '-o', 'jsonpath={.metadata.resourceVersion}'])),
    ).toBeGreaterThan(Number(before));
  });

  it('wharf reset stops the member and removes its data', async () => {
    expect(await wharf.stop()).toBe(0);
    execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    expect(existsSync(join(wharf.dataDir, 'etcd'))).toBe(false);
    const members = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(`--data-dir=${join(wharf.dataDir, 'etcd', 'data')}`));
    expect(members).toEqual([]);
  });
});
