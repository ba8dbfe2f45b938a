// Pull secrets and node credentials end to end: Debian's docker-registry on 127.0.0.1 with
// htpasswd Basic auth holds a busybox image (copied from Wharf's registry with skopeo); a pod
// without credentials waits in ErrImagePull / ImagePullBackOff naming the 401, the same pod with
// a `kubectl create secret docker-registry` secret runs, and so does one whose service account
// carries the secret. The node agent's own token (system:node:node-0) is refused everything
// outside its pods' needs. Needs root, runc, the CNI plugins, docker-registry, htpasswd, skopeo.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const have = (bin: string): boolean => ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].some((d) => existsSync(join(d, bin)));
const skip = runcUnavailable() || (['docker-registry', 'htpasswd', 'skopeo'].find((b) => !have(b)) ?? '');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API objects, asserted field by field
type Obj = Record<string, any>;

describe.skipIf(skip !== '')(`pull secrets and node credentials ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let node: Kubectl;
  let regDir: string;
  let registry: ChildProcess | undefined;
  let host = '';
  let adminToken = '';

  const podYaml = (name: string, extra: { secret?: string; sa?: string; policy?: string } = {}): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  ${extra.secret ? `imagePullSecrets: [{name: ${extra.secret}}]` : ''}
  ${extra.sa ? `serviceAccountName: ${extra.sa}` : ''}
  containers:
  - name: app
    image: ${host}/team/app:1
    imagePullPolicy: ${extra.policy ?? 'Always'}
    command: ["sh", "-c", "echo pulled-and-running; sleep 3600"]
`;
  const getPod = async (name: string): Promise<Obj> =>
    JSON.parse(await k.ok(['get', 'pod', name, '-o', 'json'])) as Obj;
  const waiting = (name: string): Promise<Obj> =>
    eventually(
      async () => {
        const w = (await getPod(name)).status?.containerStatuses?.[0]?.state?.waiting;
        return w && /ErrImagePull|ImagePullBackOff/.test(w.reason) ? w : undefined;
      },
      60_000,
      `pod ${name} waiting on its image pull`,
    );
  const running = (name: string): Promise<Obj> =>
    eventually(
      async () => {
        const p = await getPod(name);
        return p.status?.phase === 'Running' ? p : undefined;
      },
      60_000,
      `pod ${name} Running`,
    );
  const eventsOf = async (name: string): Promise<Obj[]> =>
    (JSON.parse(await k.ok(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])) as Obj)
      .items;

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'] });
    k = new Kubectl(wharf.kubeconfig);
    node = new Kubectl(join(wharf.dataDir, 'nodes', 'node-0', 'kubeconfig'));
    adminToken = /token: (\S+)/.exec(readFileSync(wharf.kubeconfig, 'utf8'))?.[1] ?? '';
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

    // docker-registry on loopback, plain HTTP, htpasswd (bcrypt) Basic auth for alice.
    regDir = mkdtempSync(join(tmpdir(), 'wharf-pullsecrets-'));
    execFileSync('htpasswd', ['-Bbc', join(regDir, 'htpasswd'), 'alice', 's3cret'], { stdio: 'ignore' });
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    writeFileSync(
      join(regDir, 'config.yml'),
      [
        'version: 0.1',
        'log: {level: error}',
        `storage: {filesystem: {rootdirectory: ${join(regDir, 'data')}}}`,
        `http: {addr: ${host}}`,
        `auth: {htpasswd: {realm: team-registry, path: ${join(regDir, 'htpasswd')}}}`,
      ].join('\n'),
    );
    registry = spawn('docker-registry', ['serve', join(regDir, 'config.yml')], { stdio: 'ignore' });
    await eventually(
      () => fetch(`http://${host}/v2/`).then((r) => r.status === 401),
      15_000,
      'docker-registry answering',
    );
    await run(
      'skopeo',
      [
        '--insecure-policy',
        'copy',
        '--src-tls-verify=false',
        '--src-creds',
        `x:${adminToken}`,
        '--dest-tls-verify=false',
        '--dest-creds',
        'alice:s3cret',
        `docker://127.0.0.1:${wharf.registryPort}/busybox:1`,
        `docker://${host}/team/app:1`,
      ],
      { timeout: 60_000 },
    );
  }, 240_000);

  afterAll(async () => {
    registry?.kill('SIGTERM');
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    if (regDir) rmSync(regDir, { recursive: true, force: true });
  });

  it('leaves a pod without credentials in ErrImagePull / ImagePullBackOff, naming the 401', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: podYaml('anonymous') });
    const w = await waiting('anonymous');
    expect(w.message).toContain(`${host}/team/app:1`);
    expect(w.message).toMatch(/401 Unauthorized/);
    const failed = (await eventsOf('anonymous')).filter((e) => e.reason === 'Failed').map((e) => e.message as string);
    expect(failed.some((m) => /401 Unauthorized/.test(m))).toBe(true);
    expect(failed).toContain('Error: ErrImagePull');
  });

  it('runs the same pod with an imagePullSecret made by kubectl create secret docker-registry', async () => {
    await k.ok([
      'create',
      'secret',
      'docker-registry',
      'regcred',
      `--docker-server=${host}`,
      '--docker-username=alice',
      '--docker-password=s3cret',
    ]);
    await k.ok(['apply', '-f', '-'], { stdin: podYaml('with-secret', { secret: 'regcred' }) });
    const p = await running('with-secret');
    expect(p.status.containerStatuses[0].imageID).toMatch(new RegExp(`^${host}/team/app@sha256:[0-9a-f]{64}$`));
    await eventually(
      async () => ((await k.ok(['logs', 'with-secret'])).includes('pulled-and-running') ? true : undefined),
      20_000,
      'logs',
    );
    expect(
      (await eventsOf('with-secret')).some((e) => e.reason === 'Pulled' && /Successfully pulled image/.test(e.message)),
    ).toBe(true);
  });

  it('answers a wrong password with a 401 too', async () => {
    await k.ok([
      'create',
      'secret',
      'docker-registry',
      'wrongcred',
      `--docker-server=${host}`,
      '--docker-username=alice',
      '--docker-password=guess',
    ]);
    await k.ok(['apply', '-f', '-'], { stdin: podYaml('wrong-secret', { secret: 'wrongcred' }) });
    expect((await waiting('wrong-secret')).message).toMatch(/401 Unauthorized/);
  });

  it('reports a missing pull secret with an event and still tries the pull', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: podYaml('missing-secret', { secret: 'nosuch' }) });
    expect((await waiting('missing-secret')).message).toMatch(/401 Unauthorized/);
    const events = await eventsOf('missing-secret');
    expect(events.find((e) => e.reason === 'FailedToRetrieveImagePullSecret')?.message).toBe(
      'Unable to retrieve some image pull secrets (nosuch); attempting to pull the image may not succeed.',
    );
  });

  it("pulls with the service account's imagePullSecrets, merged into the pod at admission", async () => {
    await k.ok(['create', 'serviceaccount', 'puller']);
    await k.ok(['patch', 'serviceaccount', 'puller', '-p', '{"imagePullSecrets":[{"name":"regcred"}]}']);
    await k.ok(['apply', '-f', '-'], { stdin: podYaml('via-sa', { sa: 'puller' }) });
    const p = await running('via-sa');
    expect(p.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  it('lets an IfNotPresent pod without a secret reuse the image cached on the node', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: podYaml('cached', { policy: 'IfNotPresent' }) });
    await running('cached');
    expect(
      (await eventsOf('cached')).some((e) => e.reason === 'Pulled' && /already present on machine/.test(e.message)),
    ).toBe(true);
  });

  it('gives each node agent its own token (0600) as system:node:<name> in system:nodes', async () => {
    const kubeconfig = join(wharf.dataDir, 'nodes', 'node-0', 'kubeconfig');
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    expect(statSync(join(wharf.dataDir, 'tokens.csv')).mode & 0o777).toBe(0o600);
    const who = await node.ok(['auth', 'whoami', '-o', 'json']);
    expect(JSON.parse(who).status.userInfo).toMatchObject({
      username: 'system:node:node-0',
      groups: ['system:nodes', 'system:authenticated'],
    });
    // The agent registered and heartbeats with it: the Node is Ready and its Lease renewed.
    expect(
      await k.ok(['get', 'node', 'node-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']),
    ).toBe('True');
    expect(
      await k.ok(['get', 'lease', '-n', 'kube-node-lease', 'node-0', '-o', 'jsonpath={.spec.holderIdentity}']),
    ).toBe('node-0');
  });

  it('refuses the node token anything beyond its pods: RBAC objects, listing secrets, unrelated secrets, other nodes', async () => {
    const forbidden = async (args: string[], pattern: RegExp): Promise<void> => {
      const r = await node.run(args);
      expect(r.code, `kubectl ${args.join(' ')}: ${r.stdout}`).not.toBe(0);
      expect(r.stderr).toMatch(/Forbidden|forbidden/);
      expect(r.stderr).toMatch(pattern);
    };
    await forbidden(
      ['create', 'clusterrolebinding', 'node-escalation', '--clusterrole=cluster-admin', '--user=system:node:node-0'],
      /cannot create resource "clusterrolebindings"/,
    );
    await forbidden(['get', 'secrets', '-A'], /cannot list resource "secrets".*at the cluster scope/);
    await forbidden(['get', 'secrets', '-n', 'default'], /cannot list resource "secrets"/);
    await k.ok(['create', 'secret', 'generic', 'unrelated', '--from-literal=password=x']);
    await forbidden(['get', 'secret', 'unrelated'], /no relationship found between node 'node-0' and this object/);
    // A secret its pods reference is readable (the agent needs it to pull).
    expect(await node.ok(['get', 'secret', 'regcred', '-o', 'jsonpath={.type}'])).toBe(
      'kubernetes.io/dockerconfigjson',
    );
    await k.ok(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Node\nmetadata: {name: other-node}\n' });
    await forbidden(['label', 'node', 'other-node', 'stolen=yes'], /may only modify its own Node object/);
    // A pod bound to another node: its status and deletion belong to that node.
    await k.ok(['apply', '-f', '-'], {
      stdin:
        'apiVersion: v1\nkind: Pod\nmetadata: {name: elsewhere}\nspec: {nodeName: other-node, containers: [{name: c, image: busybox:1}]}\n',
    });
    await forbidden(['delete', 'pod', 'elsewhere'], /may only modify pods bound to it/);
    await forbidden(
      ['patch', 'pod', 'elsewhere', '--subresource=status', '-p', '{"status":{"phase":"Failed"}}'],
      /may only modify pods bound to it/,
    );
    const lease =
      'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: other-node, namespace: kube-node-lease}\nspec: {holderIdentity: other-node}\n';
    const r = await node.run(['create', '-f', '-'], { stdin: lease });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/may only create its own lease/);
    await k.ok(['delete', 'pod', 'elsewhere', '--grace-period=0', '--force']);
    await k.ok(['delete', 'node', 'other-node']);
  });

  it("lets the node token pull from Wharf's registry but not push", async () => {
    const token =
      /token: (\S+)/.exec(readFileSync(join(wharf.dataDir, 'nodes', 'node-0', 'kubeconfig'), 'utf8'))?.[1] ?? '';
    const src = `docker://127.0.0.1:${wharf.registryPort}/busybox:1`;
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--creds', `node-0:${token}`, src]);
    expect(JSON.parse(stdout).Digest).toMatch(/^sha256:/);
    await expect(
      run(
        'skopeo',
        [
          '--insecure-policy',
          'copy',
          '--src-tls-verify=false',
          '--src-creds',
          `node-0:${token}`,
          '--dest-tls-verify=false',
          '--dest-creds',
          `node-0:${token}`,
          src,
          `docker://127.0.0.1:${wharf.registryPort}/stolen/busybox:1`,
        ],
        { timeout: 60_000 },
      ),
    ).rejects.toThrow(/denied|403/i);
  });
});
