// kubectl exec / attach and client-node Exec / PortForward against `wharf up --nodes 1` with real
// runc: the API server relays the WebSocket upgrade to the node agent, which runs `runc exec`
// (v5.channel.k8s.io / v4) or connects to the pod's IP (port-forward). RBAC asks for `create` on
// pods/exec, as kube-apiserver 1.31+ does for WebSocket requests. Needs root, runc and the CNI
// plugins (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL_120, Kubectl, WHARF_BIN, WharfProcess, eventually } from '@wharf/testing';

const run = promisify(execFile);
const skip = process.getuid?.() !== 0 ? 'not root' : !existsSync('/usr/sbin/runc') ? 'no runc' : !existsSync('/usr/lib/cni/bridge') ? 'no CNI plugins' : '';

const pods = `
apiVersion: v1
kind: Pod
metadata: {name: box, namespace: default}
spec:
  nodeName: node-0
  containers:
  - name: web
    image: busybox:1
    command: ["sh", "-c", "mkdir -p /www && echo page-from-box > /www/index.html && exec httpd -f -p 8080 -h /www"]
  - name: ticker
    image: busybox:1
    command: ["sh", "-c", "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done"]
---
apiVersion: v1
kind: Pod
metadata: {name: nowhere, namespace: default}
spec:
  nodeSelector: {no-such-label: "x"}
  containers: [{name: c, image: busybox:1}]
`;

describe.skipIf(skip !== '')(`exec, attach and port-forward through the API server ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let kc: KubeConfig;

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'] });
    k = new Kubectl(wharf.kubeconfig);
    kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    await run(process.execPath, [WHARF_BIN, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', wharf.dataDir], { timeout: 120_000 });
    await k.ok(['apply', '-f', '-'], { stdin: pods });
    await k.ok(['wait', '--for=condition=Ready', 'pod/box', '--timeout=60s'], { timeoutMs: 70_000 });
  }, 150_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('kubectl exec prints the command output', async () => {
    const r = await k.run(['exec', 'box', '-c', 'web', '--', 'echo', 'hi']);
    expect(r).toMatchObject({ code: 0, stdout: 'hi\n' });
  });

  it('kubectl exec separates stdout and stderr and exits with the command exit code', async () => {
    const r = await k.run(['exec', 'box', '-c', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err\n');
    expect(r.stderr).toContain('command terminated with exit code 3');
  });

  it('kubectl exec -i passes stdin and closes it at its end (v5 close)', async () => {
    const r = await k.run(['exec', '-i', 'box', '-c', 'web', '--', 'sh', '-c', 'cat; echo done'], { stdin: 'line 1\nline 2\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'line 1\nline 2\ndone\n' });
  });

  it('reports a command runc cannot start', async () => {
    const r = await k.run(['exec', 'box', '-c', 'web', '--', 'no-such-command']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('executable file not found');
  });

  it('kubectl exec on a pod without a node is a 400', async () => {
    const r = await k.run(['exec', 'nowhere', '--', 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pod nowhere does not have a host assigned');
  });

  it('needs create on pods/exec: get alone is Forbidden', async () => {
    await k.ok(['create', 'serviceaccount', 'peeker']);
    await k.ok(['create', 'role', 'peek', '--verb=get,list', '--resource=pods,pods/exec']);
    await k.ok(['create', 'rolebinding', 'peek', '--role=peek', '--serviceaccount=default:peeker']);
    const token = (await k.ok(['create', 'token', 'peeker'])).trim();
    const r = await k.run(['--token', token, 'exec', 'box', '-c', 'web', '--', 'echo', 'hi']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('User "system:serviceaccount:default:peeker" cannot create resource "pods/exec"');
    await k.ok(['create', 'role', 'runner', '--verb=create', '--resource=pods/exec']);
    await k.ok(['create', 'rolebinding', 'runner', '--role=runner', '--serviceaccount=default:peeker']);
    await eventually(async () => ((await k.run(['--token', token, 'exec', 'box', '-c', 'web', '--', 'echo', 'hi'])).stdout === 'hi\n' ? true : undefined), 10_000, 'exec allowed');
  });

  it('kubectl attach streams the running container output', async () => {
    const a = k.spawn(['attach', 'box', '-c', 'ticker']);
    try {
      await eventually(() => (/tick-\d+\n.*tick-\d+\n/s.test(a.output()) ? true : undefined), 15_000, 'two ticks through attach');
    } finally {
      a.stop();
    }
  });

  it('kubectl run -i --rm feeds stdin to the container, which ends when stdin closes; the pod is then deleted', async () => {
    const r = await k.run(['run', 'stdin-once', '-i', '--rm', '--restart=Never', '--image=busybox:1', '--overrides={"spec":{"nodeName":"node-0"}}', '--', 'sh', '-c', 'while read l; do echo "got: $l"; done; echo "stdin closed"'], {
      stdin: 'one\ntwo\n',
      timeoutMs: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('got: one\ngot: two\nstdin closed\n');
    await eventually(async () => ((await k.run(['get', 'pod', 'stdin-once'])).code !== 0 ? true : undefined), 30_000, 'the pod deleted by --rm');
  });

  it('kubectl attach -i reaches a container that keeps stdin open; one without stdin refuses', async () => {
    const reader = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reader' }, spec: { nodeName: 'node-0', containers: [{ name: 'c', image: 'busybox:1', stdin: true, command: ['sh', '-c', 'while read l; do echo "read: $l"; done'] }] } };
    await k.ok(['apply', '-f', '-'], { stdin: JSON.stringify(reader) });
    await k.ok(['wait', '--for=condition=Ready', 'pod/reader', '--timeout=60s'], { timeoutMs: 70_000 });
    // Not stdinOnce: two attach sessions in turn both reach the same shell.
    for (const word of ['first', 'second']) {
      const a = k.spawn(['attach', '-i', 'reader']);
      try {
        a.write(`${word}\n`);
        await eventually(() => (a.output().includes(`read: ${word}`) ? true : undefined), 20_000, `"${word}" echoed through attach -i`);
      } finally {
        a.stop();
      }
    }
    const r = await k.run(['attach', '-i', 'box', '-c', 'ticker'], { stdin: 'x\n', timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('does not take stdin');
    await k.ok(['delete', 'pod', 'reader', '--grace-period=1']);
  });

  it('kubectl 1.20 (SPDY only) gets a clear error', async () => {
    const old = new Kubectl(wharf.kubeconfig, KUBECTL_120);
    const r = await old.run(['exec', 'box', '-c', 'web', '--', 'echo', 'hi']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('WebSocket only (kubectl 1.30 or later');
  });

  it('client-node Exec with a TTY starts the command on a terminal of the client\'s size', async () => {
    // The command reads its size at once: the agent starts it only after the first resize.
    const out = Object.assign(new PassThrough(), { columns: 101, rows: 33 });
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc).exec('default', 'box', 'web', ['sh', '-c', 'echo "size=$(stty size)"; tty'], out, null, null, true, resolve).catch(reject);
    });
    expect(status.status).toBe('Success');
    expect(text).toContain('size=33 101');
    expect(text).toMatch(/\/dev\/pts\/\d+/);
  });

  it('client-node Exec reports a non-zero exit code', async () => {
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc).exec('default', 'box', 'web', ['sh', '-c', 'exit 7'], new PassThrough(), new PassThrough(), null, false, resolve).catch(reject);
    });
    expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } });
  });

  it('client-node PortForward reaches httpd in the pod', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let page = '';
    output.on('data', (d: Buffer) => (page += d.toString()));
    const ws = (await new PortForward(kc).portForward('default', 'box', [8080], output, null, input)) as unknown as { on(e: 'close', f: () => void): void };
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    input.write('GET / HTTP/1.0\r\nHost: box\r\n\r\n');
    await closed; // httpd closes an HTTP/1.0 connection after the answer; the stream ends with it
    expect(page).toMatch(/^HTTP\/1\.[01] 200 OK/);
    expect(page).toContain('page-from-box');
  });
});
