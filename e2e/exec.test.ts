// kubectl exec / attach and client-node Exec / PortForward against `wharf up --nodes 1` with real
// runc: the API server relays the WebSocket upgrade to the node agent, which runs `runc exec`
// (v5.channel.k8s.io / v4) or connects to the pod's IP (port-forward: v4 channels for client-node,
// SPDY/3.1 in WebSocket for kubectl). RBAC asks for `create` on
// pods/exec, as kube-apiserver 1.31+ does for WebSocket requests. Needs root, runc and the CNI
// plugins (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { Attach, Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  freePort,
  httpGet,
  Kubectl,
  KUBECTL_120,
  runcUnavailable,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

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
    const r = await k.run(['exec', '-i', 'box', '-c', 'web', '--', 'sh', '-c', 'cat; echo done'], {
      stdin: 'line 1\nline 2\n',
    });
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
    await eventually(
      async () =>
        (await k.run(['--token', token, 'exec', 'box', '-c', 'web', '--', 'echo', 'hi'])).stdout === 'hi\n'
          ? true
          : undefined,
      10_000,
      'exec allowed',
    );
  });

  it('kubectl attach streams the running container output', async () => {
    const a = k.spawn(['attach', 'box', '-c', 'ticker']);
    try {
      await eventually(
        () => (/tick-\d+\n.*tick-\d+\n/s.test(a.output()) ? true : undefined),
        15_000,
        'two ticks through attach',
      );
    } finally {
      a.stop();
    }
  });

  it('kubectl run -i --rm feeds stdin to the container, which ends when stdin closes; the pod is then deleted', async () => {
    const r = await k.run(
      [
        'run',
        'stdin-once',
        '-i',
        '--rm',
        '--restart=Never',
        '--image=busybox:1',
        '--overrides={"spec":{"nodeName":"node-0"}}',
        '--',
        'sh',
        '-c',
        'while read l; do echo "got: $l"; done; echo "stdin closed"',
      ],
      {
        stdin: 'one\ntwo\n',
        timeoutMs: 90_000,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('got: one\ngot: two\nstdin closed\n');
    await eventually(
      async () => ((await k.run(['get', 'pod', 'stdin-once'])).code !== 0 ? true : undefined),
      30_000,
      'the pod deleted by --rm',
    );
  });

  it('kubectl attach -i reaches a container that keeps stdin open; one without stdin refuses', async () => {
    const reader = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'reader' },
      spec: {
        nodeName: 'node-0',
        containers: [
          {
            name: 'c',
            image: 'busybox:1',
            stdin: true,
            command: ['sh', '-c', 'while read l; do echo "read: $l"; done'],
          },
        ],
      },
    };
    await k.ok(['apply', '-f', '-'], { stdin: JSON.stringify(reader) });
    await k.ok(['wait', '--for=condition=Ready', 'pod/reader', '--timeout=60s'], { timeoutMs: 70_000 });
    // Not stdinOnce: two attach sessions in turn both reach the same shell.
    for (const word of ['first', 'second']) {
      const a = k.spawn(['attach', '-i', 'reader']);
      try {
        a.write(`${word}\n`);
        await eventually(
          () => (a.output().includes(`read: ${word}`) ? true : undefined),
          20_000,
          `"${word}" echoed through attach -i`,
        );
      } finally {
        a.stop();
      }
    }
    const r = await k.run(['attach', '-i', 'box', '-c', 'ticker'], { stdin: 'x\n', timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('does not take stdin');
    await k.ok(['delete', 'pod', 'reader', '--grace-period=1']);
  });

  it('kubectl debug adds an ephemeral container to the running pod: it runs beside the others, shows in status and logs, and cannot be changed', async () => {
    const r = await k.run(
      [
        'debug',
        'box',
        '--image=busybox:1',
        '-c',
        'dbg',
        '--',
        'sh',
        '-c',
        'echo debugging-$(hostname); wget -qO- http://127.0.0.1:8080/',
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const spec = JSON.parse(await k.ok(['get', 'pod', 'box', '-o', 'jsonpath={.spec.ephemeralContainers}'])) as {
      name: string;
      image: string;
    }[];
    expect(spec.map((c) => [c.name, c.image])).toEqual([['dbg', 'busybox:1']]);
    // It shares the pod's network: it reaches httpd of the web container on localhost.
    await eventually(
      async () => (await k.run(['logs', 'box', '-c', 'dbg'])).stdout.includes('page-from-box') || undefined,
      60_000,
      "the debug container's output",
    );
    expect(await k.ok(['logs', 'box', '-c', 'dbg'])).toContain('debugging-box');
    const status = await eventually(
      async () => {
        const s = JSON.parse(
          (await k.ok(['get', 'pod', 'box', '-o', 'jsonpath={.status.ephemeralContainerStatuses}'])) || '[]',
        ) as { name: string; state: { terminated?: { exitCode: number } } }[];
        return s.find((x) => x.name === 'dbg' && x.state.terminated);
      },
      30_000,
      'dbg terminated in ephemeralContainerStatuses',
    );
    expect(status.state.terminated?.exitCode).toBe(0);
    // The pod keeps running and Ready: an ephemeral container's exit is not the pod's.
    expect(
      await k.ok([
        'get',
        'pod',
        'box',
        '-o',
        'jsonpath={.status.phase}/{.status.conditions[?(@.type=="Ready")].status}',
      ]),
    ).toBe('Running/True');
    // Existing ephemeral containers cannot be changed or removed; ports are refused.
    const changed = await k.run([
      'patch',
      'pod',
      'box',
      '--subresource=ephemeralcontainers',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/ephemeralContainers/0/image","value":"busybox:2"}]',
    ]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('existing ephemeral containers "dbg" may not be changed');
    const ported = await k.run([
      'patch',
      'pod',
      'box',
      '--subresource=ephemeralcontainers',
      '--type=strategic',
      '-p',
      '{"spec":{"ephemeralContainers":[{"name":"p","image":"busybox:1","ports":[{"containerPort":80}]}]}}',
    ]);
    expect(ported.code).toBe(1);
    expect(ported.stderr).toContain(
      'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
    );
    // A write to the pod itself leaves them as they are.
    await k.ok(['label', 'pod', 'box', 'debugged=yes']);
    expect(await k.ok(['get', 'pod', 'box', '-o', 'jsonpath={.spec.ephemeralContainers[*].name}'])).toBe('dbg');
  });

  it("kubectl debug -i attaches to the new ephemeral container's stdin", async () => {
    const r = await k.run(['debug', '-i', 'box', '--image=busybox:1', '-c', 'shell', '--', 'sh'], {
      stdin: 'echo "inside $(hostname)"\nexit\n',
      timeoutMs: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('inside box');
  });

  it('the node agent answers only the API server: its own port refuses a caller without the token', async () => {
    const port = Number(
      await k.ok(['get', 'node', 'node-0', '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']),
    );
    expect(port).toBeGreaterThan(0);
    for (const path of ['/metrics/resource', '/containerLogs/default/box/web']) {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(r.status, path).toBe(401);
    }
    // Through the API server (authenticated, authorized) the same reads work.
    expect(await k.ok(['get', '--raw', '/api/v1/nodes/node-0/proxy/metrics/resource'])).toContain(
      'container_cpu_usage_seconds_total',
    );
    expect((await k.ok(['logs', 'box', '-c', 'ticker', '--tail=1'])).trim()).toMatch(/^tick-\d+$/);
  });

  it('kubectl 1.20 (SPDY only) gets a clear error', async () => {
    const old = new Kubectl(wharf.kubeconfig, KUBECTL_120);
    const r = await old.run(['exec', 'box', '-c', 'web', '--', 'echo', 'hi']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('WebSocket only (kubectl 1.30 or later');
  });

  it("client-node Exec with a TTY starts the command on a terminal of the client's size", async () => {
    // The command reads its size at once: the agent starts it only after the first resize.
    const out = Object.assign(new PassThrough(), { columns: 101, rows: 33 });
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc)
        .exec('default', 'box', 'web', ['sh', '-c', 'echo "size=$(stty size)"; tty'], out, null, null, true, resolve)
        .catch(reject);
    });
    expect(status.status).toBe('Success');
    expect(text).toContain('size=33 101');
    expect(text).toMatch(/\/dev\/pts\/\d+/);
  });

  it("client-node Attach with a TTY reaches a tty container: its terminal, the client's size and resizes, input", async () => {
    const term = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'term' },
      spec: {
        nodeName: 'node-0',
        restartPolicy: 'Never',
        containers: [{ name: 'c', image: 'busybox:1', stdin: true, tty: true, command: ['sh'] }],
      },
    };
    await k.ok(['apply', '-f', '-'], { stdin: JSON.stringify(term) });
    await k.ok(['wait', '--for=condition=Ready', 'pod/term', '--timeout=60s'], { timeoutMs: 70_000 });
    const out = Object.assign(new PassThrough(), { columns: 101, rows: 33 });
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const input = new PassThrough();
    const ws = await new Attach(kc).attach('default', 'term', 'c', out, null, input, true);
    try {
      // The terminal echoes the command line itself; only the output has the computed value.
      const ask = async (cmd: string, want: string, what: string): Promise<void> => {
        await eventually(
          () => {
            input.write(`${cmd}\n`);
            return text.includes(want) ? true : undefined;
          },
          20_000,
          what,
        );
      };
      await ask('echo "in-$((6*7))"', 'in-42', 'input through attach reaching the shell');
      await ask('echo "size=$(stty size)"', 'size=33 101', "the client's terminal size");
      Object.assign(out, { columns: 120, rows: 40 }).emit('resize');
      await ask('echo "size=$(stty size)"', 'size=40 120', 'the size after a resize');
      await ask('echo "tty=$(tty)"', 'tty=/dev/pts/', 'a terminal as stdin');
      expect(text).toMatch(/tty=\/dev\/pts\/\d+\r\n/);
      // Ctrl-C interrupts the foreground command: the terminal is the shell's controlling terminal.
      input.write('sleep 300\n');
      await eventually(
        async () => ((await k.run(['exec', 'term', '--', 'ps'])).stdout.includes('sleep 300') ? true : undefined),
        20_000,
        'sleep running',
      );
      input.write('\x03');
      await ask('echo "after-$((1+2))"', 'after-3', 'the shell back after Ctrl-C');
    } finally {
      ws.close();
    }
    // kubectl attach -i without a terminal of its own still reaches the shell; `exit 3` ends the container.
    const r = await k.run(['attach', '-i', 'term'], {
      stdin: 'echo "via-kubectl-$((1+1))"\nexit 3\n',
      timeoutMs: 30_000,
    });
    expect(r.stdout).toContain('via-kubectl-2');
    await eventually(
      async () =>
        (await k.ok([
          'get',
          'pod',
          'term',
          '-o',
          'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}',
        ])) === '3'
          ? true
          : undefined,
      20_000,
      'exit code 3',
    );
    await k.ok(['delete', 'pod', 'term', '--grace-period=1']);
  });

  it('kubectl run -it --rm from a pipe: a tty pod whose shell ends when the input does', async () => {
    const r = await k.run(
      [
        'run',
        'tty-once',
        '-it',
        '--rm',
        '--restart=Never',
        '--image=busybox:1',
        '--overrides={"spec":{"nodeName":"node-0"}}',
        '--',
        'sh',
      ],
      {
        stdin: 'echo "sum=$((20+22))"; echo "tty=$(tty)"\n',
        timeoutMs: 90_000,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('sum=42');
    expect(r.stdout).toMatch(/tty=\/dev\/pts\/\d+/);
    await eventually(
      async () => ((await k.run(['get', 'pod', 'tty-once'])).code !== 0 ? true : undefined),
      30_000,
      'the pod deleted by --rm',
    );
  });

  it('client-node Exec reports a non-zero exit code', async () => {
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc)
        .exec(
          'default',
          'box',
          'web',
          ['sh', '-c', 'exit 7'],
          new PassThrough(),
          new PassThrough(),
          null,
          false,
          resolve,
        )
        .catch(reject);
    });
    expect(status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '7' }] },
    });
  });

  it('client-node PortForward reaches httpd in the pod', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let page = '';
    output.on('data', (d: Buffer) => (page += d.toString()));
    const ws = (await new PortForward(kc).portForward('default', 'box', [8080], output, null, input)) as unknown as {
      on(e: 'close', f: () => void): void;
    };
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    input.write('GET / HTTP/1.0\r\nHost: box\r\n\r\n');
    await closed; // httpd closes an HTTP/1.0 connection after the answer; the stream ends with it
    expect(page).toMatch(/^HTTP\/1\.[01] 200 OK/);
    expect(page).toContain('page-from-box');
  });

  /** GET through a local port: status and body (one connection per request; /big takes a while under load). */
  const get = (port: number, path: string): Promise<{ status: number; body: Buffer }> =>
    httpGet({ host: '127.0.0.1', port, path, timeoutMs: 60_000 }).then((r) => ({ status: r.status, body: r.body }));

  /** Starts `kubectl port-forward TARGET LOCAL:REMOTE` and waits until it listens. */
  async function portForward(
    target: string,
    remote: number,
  ): Promise<{ port: number; pf: ReturnType<Kubectl['spawn']> }> {
    const port = await freePort();
    const pf = k.spawn(['port-forward', target, `${port}:${remote}`]);
    await eventually(
      () => (pf.output().includes(`Forwarding from 127.0.0.1:${port}`) ? true : undefined),
      20_000,
      `kubectl port-forward ${target} listening:\n${pf.output()}`,
    );
    return { port, pf };
  }

  it('kubectl port-forward (SPDY/3.1 in WebSocket): sequential and concurrent GETs, a 1 MiB download byte for byte', async () => {
    await k.ok(['exec', 'box', '-c', 'web', '--', 'sh', '-c', 'head -c 1048576 /dev/urandom > /www/big']);
    const sum = (await k.ok(['exec', 'box', '-c', 'web', '--', 'busybox', 'sha256sum', '/www/big'])).split(' ')[0];
    const { port, pf } = await portForward('pod/box', 8080);
    try {
      for (let i = 0; i < 3; i++) {
        const r = await get(port, '/');
        expect(r.status).toBe(200);
        expect(r.body.toString()).toBe('page-from-box\n');
      }
      const all = await Promise.all(Array.from({ length: 5 }, () => get(port, '/index.html')));
      for (const r of all) expect(r).toMatchObject({ status: 200, body: Buffer.from('page-from-box\n') });
      const big = await get(port, '/big');
      expect(big.body.length).toBe(1 << 20);
      expect(createHash('sha256').update(big.body).digest('hex')).toBe(sum);
      expect(pf.output()).toContain(`Handling connection for ${port}`);
      expect(pf.output()).not.toContain('error');
    } finally {
      pf.stop();
    }
  });

  it('kubectl port-forward to a closed port in the pod shows the error from the error stream', async () => {
    const { port, pf } = await portForward('pod/box', 9999);
    try {
      await get(port, '/').catch(() => undefined); // the connection ends without an answer
      await eventually(
        () => (pf.output().includes(`an error occurred forwarding ${port} -> 9999`) ? true : undefined),
        20_000,
        `the forwarding error:\n${pf.output()}`,
      );
      expect(pf.output()).toMatch(
        /error forwarding port 9999 to pod default\/box, uid [0-9a-f-]+: connect ECONNREFUSED/,
      );
      // As against a kubelet, kubectl then ends the session and exits.
      expect(await pf.done).not.toBe(0);
      expect(pf.output()).toContain('error: lost connection to pod');
    } finally {
      pf.stop();
    }
  });

  it('kubectl port-forward svc/NAME reaches a pod behind the Service (kubectl resolves it)', async () => {
    await k.ok(['label', 'pod', 'box', 'app=box', '--overwrite']);
    await k.ok(['create', 'service', 'clusterip', 'box', '--tcp=80:8080']);
    const { port, pf } = await portForward('svc/box', 80);
    try {
      expect(await get(port, '/')).toMatchObject({ status: 200, body: Buffer.from('page-from-box\n') });
    } finally {
      pf.stop();
    }
  });
});
