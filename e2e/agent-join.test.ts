// A node agent as a process of its own, joined as `kubeadm join` joins a kubelet: `wharf up
// --nodes 1`, `wharf token create`, then `wharf agent --node node-1 --token ... --ca-cert-hash
// sha256:...` with its own data dir, bridge and pod CIDR. It discovers and pins the CA, gets a node
// client certificate, shows Ready with its version, runs a pinned pod in runc that answers at its
// pod IP and its Service, gets cluster DNS, NetworkPolicy and local volumes from the machine's
// Wharf (its data dir lies under the cluster's, DIR/agents/<node>), survives `kill -9` (the
// container keeps serving; a restart without the token adopts it), and `wharf reset` removes it.
// Wrong pins and revoked or expired tokens are refused with one line. Needs root, runc, conmon and
// the CNI plugins (skipped with the reason otherwise).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, httpGet, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
const NODE = 'node-1';

const pod = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'pinned', labels: { app: 'pinned' } },
  spec: {
    nodeName: NODE,
    terminationGracePeriodSeconds: 1,
    containers: [
      {
        name: 'web',
        image: 'busybox:1',
        command: [
          'sh',
          '-c',
          'mkdir -p /w && echo "served by $(hostname)" > /w/index.html && exec httpd -f -p 8080 -h /w',
        ],
      },
    ],
  },
});

/** conmon processes whose command line names `dir`. */
function conmonsUnder(dir: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return (
          readFileSync(`/proc/${e}/comm`, 'utf8').trim() === 'conmon' &&
          readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(dir)
        );
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

describe.skipIf(skip !== '')(`wharf agent joins a cluster as its own process ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let agentDir = '';
  let agent: ChildProcess | undefined;
  let token = '';
  let pin = '';
  let podCIDR = '';

  const wharfCli = (...args: string[]): string =>
    execFileSync(process.execPath, [WHARF_BIN, ...args, '--kubeconfig', wharf.kubeconfig], { encoding: 'utf8' });

  /** `wharf agent` in the background, its output appended to DIR/agent.log. */
  function startAgent(...extra: string[]): ChildProcess {
    const out = openSync(join(wharf.dataDir, 'agent.log'), 'a');
    const child = spawn(
      process.execPath,
      [
        WHARF_BIN,
        'agent',
        '--node',
        NODE,
        '--server',
        wharf.url,
        '--data-dir',
        agentDir,
        '--registry',
        `127.0.0.1:${wharf.registryPort}`,
        '--cluster-dns',
        'gateway',
        ...extra,
      ],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    return child;
  }

  /** A `wharf agent` that should fail: its exit code and stderr. */
  async function failedJoin(node: string, args: string[]): Promise<{ code: number; stderr: string }> {
    try {
      await run(
        process.execPath,
        [
          WHARF_BIN,
          'agent',
          '--node',
          node,
          '--server',
          wharf.url,
          '--data-dir',
          join(wharf.dataDir, 'agents', node),
          ...args,
        ],
        { timeout: 120_000 },
      );
      return { code: 0, stderr: '' };
    } catch (e) {
      const err = e as { code?: number; stderr?: string };
      return { code: err.code ?? -1, stderr: err.stderr ?? '' };
    }
  }

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1', '--no-platform'], readyTimeoutMs: 180_000 });
    k = new Kubectl(wharf.kubeconfig);
    agentDir = join(wharf.dataDir, 'agents', NODE);
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
      { timeout: 180_000 },
    );
    token = wharfCli('token', 'create', '--ttl', '30m', '--description', NODE).trim();
    // What the operator copies from the control plane's machine (kubeadm's discovery-token-ca-cert-hash).
    const spki = createPublicKey(readFileSync(join(wharf.dataDir, 'pki', 'ca.crt'))).export({
      type: 'spki',
      format: 'der',
    });
    pin = `sha256:${createHash('sha256').update(spki).digest('hex')}`;
    // The second /24 of the cluster's pod range, as `wharf up --nodes 2` would give node-1.
    podCIDR = (await k.ok(['get', 'node', 'node-0', '-o', 'jsonpath={.spec.podCIDR}']))
      .trim()
      .replace(/\.0\.0\/24$/, '.1.0/24');
  }, 400_000);

  afterAll(async () => {
    agent?.kill('SIGKILL');
    await wharf?.stop();
    if (!wharf) return;
    const bridge = existsSync(join(agentDir, 'agent.json'))
      ? (JSON.parse(readFileSync(join(agentDir, 'agent.json'), 'utf8')) as { bridge: string }).bridge
      : undefined;
    // `wharf reset` of the cluster's data dir also stops and cleans the nodes under DIR/agents.
    expect(
      execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir], { encoding: 'utf8' }),
    ).toContain(NODE);
    expect(conmonsUnder(agentDir)).toEqual([]);
    if (bridge) expect(() => execFileSync('ip', ['link', 'show', bridge], { stdio: 'ignore' })).toThrow();
    // Nor the DNS redirect of its gateway (the NetworkPolicy chains are named by hash: see the test above).
    if (podCIDR)
      expect(execFileSync('iptables', ['-w', '-t', 'nat', '-S'], { encoding: 'utf8' })).not.toContain(
        `${podCIDR.replace(/0\/24$/, '1')}/32`,
      );
  }, 120_000);

  it('refuses a CA whose pin does not match, and the name of a Ready node, with one line and exit 1', async () => {
    const wrong = `sha256:${'0'.repeat(64)}`;
    const r = await failedJoin(NODE, ['--token', token, '--ca-cert-hash', wrong]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `wharf: the cluster CA at ${wharf.url} has public key hash ${pin}, not the ${wrong} given with --ca-cert-hash: refusing to join\n`,
    );
    expect(existsSync(join(agentDir, 'kubeconfig'))).toBe(false);
    // As kubeadm join: the name of a Ready node is not given to another machine.
    const taken = await failedJoin('node-0', ['--token', token, '--ca-cert-hash', pin]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe(
      'wharf: a Node named "node-0" already exists in the cluster and is Ready: join with another --node name, or delete that Node first\n',
    );
    expect((await k.ok(['get', 'csr', '-o', 'name'])).trim()).toBe('');
  });

  it('joins with the token: a node client certificate, approved, and the node Ready with its version', async () => {
    agent = startAgent('--token', token, '--ca-cert-hash', pin, '--pod-cidr', podCIDR);
    await k.ok(['wait', '--for=create', `node/${NODE}`, '--timeout=120s'], { timeoutMs: 130_000 });
    await k.ok(['wait', '--for=condition=Ready', `node/${NODE}`, '--timeout=120s'], { timeoutMs: 130_000 });
    const row = (await k.ok(['get', 'node', NODE, '--no-headers'])).trim().split(/\s+/);
    // Without --kubernetes-version it runs for the API server's version, as a kubelet installed with the cluster.
    expect([row[0], row[1], row.at(-1)]).toEqual([NODE, 'Ready', 'v1.32.9-wharf']);
    const info = JSON.parse(await k.ok(['get', 'node', NODE, '-o', 'jsonpath={.status.nodeInfo}'])) as {
      kubeletVersion: string;
      containerRuntimeVersion: string;
    };
    expect(info.kubeletVersion).toBe('v1.32.9-wharf');
    expect(info.containerRuntimeVersion).toMatch(/^runc:\/\//);
    expect((await k.ok(['get', 'node', NODE, '-o', 'jsonpath={.spec.podCIDR}'])).trim()).toBe(podCIDR);
    const csr = (await k.ok(['get', 'csr', '--no-headers'])).trim().split(/\s+/);
    expect(csr[0]).toMatch(new RegExp(`^node-csr-${NODE}-`));
    expect(csr.slice(2)).toEqual([
      'kubernetes.io/kube-apiserver-client-kubelet',
      `system:bootstrap:${token.split('.')[0]}`,
      '<none>',
      'Approved,Issued',
    ]);
    // Its own credentials: a client certificate, no token; the Node restriction applies to it.
    const kubeconfig = readFileSync(join(agentDir, 'kubeconfig'), 'utf8');
    expect(kubeconfig).toContain('client-certificate-data');
    expect(kubeconfig).not.toContain(token.split('.')[1]);
    const asNode = new Kubectl(join(agentDir, 'kubeconfig'));
    expect((await asNode.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim()).toBe(
      `system:node:${NODE}`,
    );
    const other = await asNode.run(['label', 'node', 'node-0', 'stolen=yes']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain(`node '${NODE}' may only modify its own Node object`);
  }, 300_000);

  it('runs a pod pinned to it in runc, reachable at its pod IP and through its Service', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: pod });
    await k.ok(['wait', '--for=condition=Ready', 'pod/pinned', '--timeout=180s'], { timeoutMs: 190_000 });
    const ip = (await k.ok(['get', 'pod', 'pinned', '-o', 'jsonpath={.status.podIP}'])).trim();
    expect(ip.startsWith(podCIDR.replace(/0\/24$/, ''))).toBe(true);
    expect((await httpGet({ host: ip, port: 8080 })).text).toBe('served by pinned\n');
    await k.ok(['expose', 'pod', 'pinned', '--port', '80', '--target-port', '8080']);
    const clusterIp = (await k.ok(['get', 'service', 'pinned', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await eventually(
      async () =>
        (await httpGet({ host: clusterIp, port: 80 }).catch(() => undefined))?.text === 'served by pinned\n'
          ? true
          : undefined,
      30_000,
      'the Service answering',
    );
    expect(conmonsUnder(agentDir)).toHaveLength(1);
  }, 300_000);

  it('gets cluster DNS, NetworkPolicy and local volumes from the Wharf of this machine, as its nodes do', async () => {
    // DNS: ClusterFirst pods ask the bridge gateway, which the dataplane redirects to cluster DNS.
    const gateway = podCIDR.replace(/0\/24$/, '1');
    expect(await k.ok(['exec', 'pinned', '--', 'cat', '/etc/resolv.conf'])).toContain(`nameserver ${gateway}`);
    const kubernetesIp = (await k.ok(['get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await eventually(
      async () =>
        (await k.run(['exec', 'pinned', '--', 'nslookup', 'kubernetes.default.svc.cluster.local'])).stdout.includes(
          kubernetesIp,
        )
          ? true
          : undefined,
      60_000,
      'kubernetes.default resolved on the joined node',
    );

    // NetworkPolicy: a pod of node-0 reaches the pinned pod until a policy isolates it, and again after.
    await k.ok(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'client' },
        spec: {
          nodeName: 'node-0',
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'c', image: 'busybox:1', command: ['sleep', '3600'] }],
        },
      }),
    });
    await k.ok(['wait', '--for=condition=Ready', 'pod/client', '--timeout=120s'], { timeoutMs: 130_000 });
    const ip = (await k.ok(['get', 'pod', 'pinned', '-o', 'jsonpath={.status.podIP}'])).trim();
    // (busybox nc: the static busybox wget crashes with an explicit port)
    const reaches = async (): Promise<boolean> =>
      (
        await k.run(['exec', 'client', '--', 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${ip} 8080`])
      ).stdout.includes('served by pinned');
    expect(await reaches()).toBe(true);
    await k.ok(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'isolate-pinned' },
        spec: { podSelector: { matchLabels: { app: 'pinned' } }, policyTypes: ['Ingress'] },
      }),
    });
    await eventually(async () => (!(await reaches()) ? true : undefined), 60_000, 'the pinned pod isolated');
    await k.ok(['delete', 'networkpolicy', 'isolate-pinned']);
    await eventually(async () => ((await reaches()) ? true : undefined), 60_000, 'the pinned pod reachable again');

    // A claim of the default class, used on the joined node, is a directory under its data dir.
    await k.ok(['apply', '-f', '-'], {
      stdin: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } } },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'writer' },
          spec: {
            nodeSelector: { 'kubernetes.io/hostname': NODE },
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'w',
                image: 'busybox:1',
                command: ['sh', '-c', 'echo kept > /data/f && exec sleep 3600'],
                volumeMounts: [{ name: 'd', mountPath: '/data' }],
              },
            ],
            volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }],
          },
        },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    });
    await k.ok(['wait', '--for=condition=Ready', 'pod/writer', '--timeout=120s'], { timeoutMs: 130_000 });
    const pv = (await k.ok(['get', 'pvc', 'data', '-o', 'jsonpath={.spec.volumeName}'])).trim();
    const path = (await k.ok(['get', 'pv', pv, '-o', 'jsonpath={.spec.local.path}'])).trim();
    expect(path).toBe(join(agentDir, 'node', 'volumes', pv));
    expect(readFileSync(join(path, 'f'), 'utf8')).toBe('kept\n');
  }, 400_000);

  it('serves logs and exec to the API server only: kubectl works, a direct caller without its token gets 401', async () => {
    expect(await k.ok(['exec', 'pinned', '--', 'cat', '/w/index.html'])).toBe('served by pinned\n');
    await k.ok(['logs', 'pinned']);
    const port = Number(
      await k.ok(['get', 'node', NODE, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}']),
    );
    expect(port).toBeGreaterThan(0);
    for (const headers of [
      {},
      { Authorization: 'Bearer not-the-api-server' },
      { Authorization: `Bearer ${token}` },
    ] as Record<string, string>[]) {
      const r = await httpGet({
        host: '127.0.0.1',
        port,
        path: '/containerLogs/default/pinned/web',
        headers,
        timeoutMs: 15_000,
      });
      expect(r.status, JSON.stringify(headers)).toBe(401);
    }
  }, 120_000);

  it('kill -9 of the agent leaves its container serving; restarted without the token, it adopts it', async () => {
    const before = (
      await k.ok(['get', 'pod', 'pinned', '-o', 'jsonpath={.status.containerStatuses[0].containerID}'])
    ).trim();
    const conmons = conmonsUnder(agentDir);
    agent?.kill('SIGKILL');
    await new Promise((r) => agent?.once('exit', r));
    const ip = (await k.ok(['get', 'pod', 'pinned', '-o', 'jsonpath={.status.podIP}'])).trim();
    expect((await httpGet({ host: ip, port: 8080 })).text).toBe('served by pinned\n');
    // The token is gone: the node signs in with its certificate from now on.
    expect(wharfCli('token', 'delete', token)).toBe(`bootstrap token ${token.split('.')[0]} deleted\n`);
    // The skew policy: an agent may not be newer than the API server.
    const newer = await failedJoin(NODE, ['--kubernetes-version', '1.33.5']);
    expect(newer).toEqual({
      code: 1,
      stderr:
        "wharf: the agent's 1.33.5 is newer than the API server's 1.32.9: agents may not be newer than the API server (see --kubernetes-version)\n",
    });
    agent = startAgent();
    await eventually(
      async () => {
        const log = readFileSync(join(wharf.dataDir, 'agent.log'), 'utf8');
        return log.includes('signing in with the node certificate of an earlier join') &&
          log.split('"msg":"node agent running"').length === 3
          ? true
          : undefined;
      },
      120_000,
      'the restarted agent running',
    );
    await k.ok(['wait', '--for=condition=Ready', `node/${NODE}`, 'pod/pinned', '--timeout=60s'], { timeoutMs: 70_000 });
    const status = JSON.parse(
      await k.ok(['get', 'pod', 'pinned', '-o', 'jsonpath={.status.containerStatuses[0]}']),
    ) as { containerID: string; restartCount: number };
    expect(status).toMatchObject({ containerID: before, restartCount: 0 });
    expect(conmonsUnder(agentDir)).toEqual(conmons);
    expect((await httpGet({ host: ip, port: 8080 })).text).toBe('served by pinned\n');
  }, 300_000);

  it('a deleted or expired token cannot join, with one line and exit 1', async () => {
    const revoked = wharfCli('token', 'create', '--ttl', '30m').trim();
    wharfCli('token', 'delete', revoked);
    const deleted = await failedJoin('node-2', ['--token', revoked, '--ca-cert-hash', pin]);
    expect(deleted.code).toBe(1);
    expect(deleted.stderr).toBe(
      'wharf: the bootstrap token was refused (401 Unauthorized): it is wrong, expired or deleted; create one with "wharf token create"\n',
    );
    const short = wharfCli('token', 'create', '--ttl', '1s').trim();
    await new Promise((r) => setTimeout(r, 2000)); // the token's own lifetime, not a wait for Wharf
    const expired = await failedJoin('node-2', ['--token', short, '--ca-cert-hash', pin]);
    expect(expired.code).toBe(1);
    expect(expired.stderr).toContain('the bootstrap token was refused (401 Unauthorized)');
    expect((await k.run(['get', 'node', 'node-2'])).code).not.toBe(0);
  }, 300_000);
});
