// TLS bootstrapping, as `kubeadm join` does it, with kubectl 1.32 and openssl: `wharf token
// create` makes a short-lived bootstrap token; with it a new node signs in as
// system:bootstrap:<id>, may do nothing but ask for a node client certificate, and its request
// (`O=system:nodes, CN=system:node:<name>`) is approved and signed by the cluster CA; the issued
// certificate signs in as that node. Requests for other signers wait for `kubectl certificate
// approve|deny`; malformed ones are refused with the field; a deleted token is refused at once.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { eventually, Kubectl, WHARF_BIN, WharfProcess } from '@wharf/testing';

type KubeconfigDoc = { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };

describe('joining with a bootstrap token: a node client certificate from the cluster CA', () => {
  let wharf: WharfProcess;
  let admin: Kubectl;
  let dir: string;
  let token = '';

  const wharfCli = (...args: string[]): string =>
    execFileSync(process.execPath, [WHARF_BIN, ...args, '--kubeconfig', wharf.kubeconfig], { encoding: 'utf8' });

  /** A kubeconfig for the same cluster with other credentials. */
  function kubeconfigWith(name: string, user: Record<string, string>): Kubectl {
    const doc = parse(readFileSync(wharf.kubeconfig, 'utf8')) as KubeconfigDoc;
    for (const u of doc.users) u.user = user;
    const file = join(dir, `${name}.kubeconfig`);
    writeFileSync(file, stringify(doc), { mode: 0o600 });
    return new Kubectl(file);
  }

  /** A PEM CSR made by openssl with a new P-256 key (kept in DIR/<name>.key). */
  function csrPem(name: string, subject: string): string {
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, `${name}.key`),
        '-subj',
        subject,
        '-out',
        join(dir, `${name}.csr`),
      ],
      { stdio: 'ignore' },
    );
    return readFileSync(join(dir, `${name}.csr`), 'utf8');
  }

  const csrManifest = (name: string, pem: string, signerName: string, usages: string[]): string =>
    JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: { request: Buffer.from(pem).toString('base64'), signerName, usages, expirationSeconds: 3600 },
    });

  const issued = (name: string): Promise<string> =>
    eventually(
      async () => {
        const b64 = (await admin.ok(['get', 'csr', name, '-o', 'jsonpath={.status.certificate}'])).trim();
        return b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
      },
      30_000,
      `a certificate for ${name}`,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-tls-bootstrap-'));
    wharf = await WharfProcess.start();
    admin = new Kubectl(wharf.kubeconfig);
  }, 120_000);

  afterAll(async () => {
    await wharf?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('wharf token create prints ID.SECRET once; list shows the ID, its expiry and groups, never the secret', () => {
    token = wharfCli('token', 'create', '--ttl', '10m', '--description', 'edge node').trim();
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const [id = '', secret = ''] = token.split('.');
    const list = wharfCli('token', 'list');
    expect(list).toMatch(
      new RegExp(`^${id}\\.<hidden>\\s+(9|10)m\\s+\\S+Z\\s+system:bootstrappers\\s+edge node$`, 'm'),
    );
    expect(list).not.toContain(secret);
  });

  it('signs in as system:bootstrap:<id> and may only ask for certificates', async () => {
    const boot = kubeconfigWith('boot', { token });
    const who = JSON.parse(await boot.ok(['auth', 'whoami', '-o', 'json'])) as {
      status: { userInfo: { username: string; groups: string[] } };
    };
    expect(who.status.userInfo.username).toBe(`system:bootstrap:${token.split('.')[0]}`);
    expect(who.status.userInfo.groups).toEqual(['system:bootstrappers', 'system:authenticated']);
    expect(
      (await boot.run(['auth', 'can-i', 'create', 'certificatesigningrequests.certificates.k8s.io'])).stdout.trim(),
    ).toBe('yes');
    for (const verb of [
      ['list', 'pods', '-A'],
      ['get', 'secrets', '-n', 'kube-system'],
      ['create', 'nodes'],
    ]) {
      expect((await boot.run(['auth', 'can-i', ...verb])).stdout.trim(), verb.join(' ')).toBe('no');
    }
    const refused = await boot.run(['get', 'secrets', '-n', 'kube-system']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('is forbidden: User "system:bootstrap:');
  });

  it('gets a node client certificate approved and signed by the cluster CA, and signs in with it as the node', async () => {
    const boot = kubeconfigWith('boot', { token });
    const pem = csrPem('edge-1', '/O=system:nodes/CN=system:node:edge-1');
    await boot.ok(['create', '-f', '-'], {
      stdin: csrManifest('node-csr-edge-1', pem, 'kubernetes.io/kube-apiserver-client-kubelet', [
        'digital signature',
        'client auth',
      ]),
    });
    const cert = await issued('node-csr-edge-1');
    const row = (await admin.ok(['get', 'csr', 'node-csr-edge-1', '--no-headers'])).trim().split(/\s+/);
    expect(row.slice(2)).toEqual([
      'kubernetes.io/kube-apiserver-client-kubelet',
      `system:bootstrap:${token.split('.')[0]}`,
      '60m',
      'Approved,Issued',
    ]);
    const conditions = JSON.parse(
      await admin.ok(['get', 'csr', 'node-csr-edge-1', '-o', 'jsonpath={.status.conditions}']),
    ) as { type: string; reason: string }[];
    expect(conditions.map((c) => `${c.type}/${c.reason}`)).toEqual(['Approved/AutoApproved']);
    writeFileSync(join(dir, 'edge-1.crt'), cert);
    writeFileSync(join(dir, 'ca.crt'), readFileSync(join(wharf.dataDir, 'pki', 'ca.crt')));
    expect(
      execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'edge-1.crt')], {
        encoding: 'utf8',
      }).trim(),
    ).toMatch(/: OK$/);
    const text = execFileSync(
      'openssl',
      ['x509', '-in', join(dir, 'edge-1.crt'), '-noout', '-subject', '-ext', 'extendedKeyUsage', '-dates'],
      { encoding: 'utf8' },
    );
    expect(text).toMatch(/subject=O\s*=\s*system:nodes, CN\s*=\s*system:node:edge-1/);
    expect(text).toContain('TLS Web Client Authentication');
    const lifetime =
      Date.parse(/notAfter=(.*)/.exec(text)?.[1] ?? '') - Date.parse(/notBefore=(.*)/.exec(text)?.[1] ?? '');
    expect(lifetime).toBe(65 * 60_000); // the hour asked for, backdated 5 minutes

    const node = kubeconfigWith('edge-1', {
      'client-certificate-data': Buffer.from(cert).toString('base64'),
      'client-key-data': readFileSync(join(dir, 'edge-1.key')).toString('base64'),
    });
    const who = JSON.parse(await node.ok(['auth', 'whoami', '-o', 'json'])) as {
      status: { userInfo: { username: string; groups: string[] } };
    };
    expect(who.status.userInfo).toMatchObject({
      username: 'system:node:edge-1',
      groups: ['system:nodes', 'system:authenticated'],
    });
    expect((await node.run(['auth', 'can-i', 'create', 'pods', '-n', 'default'])).stdout.trim()).toBe('no');
  });

  it('leaves other signers to a person: kubectl certificate approve issues, deny does not, and a bootstrap token may do neither', async () => {
    const boot = kubeconfigWith('boot', { token });
    await admin.ok(['create', '-f', '-'], {
      stdin: csrManifest('jane', csrPem('jane', '/O=dev/CN=jane'), 'kubernetes.io/kube-apiserver-client', [
        'client auth',
      ]),
    });
    await admin.ok(['create', '-f', '-'], {
      stdin: csrManifest(
        'mallory',
        csrPem('mallory', '/O=system:masters/CN=mallory'),
        'kubernetes.io/kube-apiserver-client',
        ['client auth'],
      ),
    });
    expect((await admin.ok(['get', 'csr', 'jane', '--no-headers'])).trim().split(/\s+/).at(-1)).toBe('Pending');
    const selfApprove = await boot.run(['certificate', 'approve', 'jane']);
    expect(selfApprove.code).not.toBe(0);
    expect(selfApprove.stderr).toContain('forbidden');

    expect(await admin.ok(['certificate', 'approve', 'jane'])).toContain(
      'certificatesigningrequest.certificates.k8s.io/jane approved',
    );
    expect(await admin.ok(['certificate', 'deny', 'mallory'])).toContain(
      'certificatesigningrequest.certificates.k8s.io/mallory denied',
    );
    const jane = kubeconfigWith('jane', {
      'client-certificate-data': Buffer.from(await issued('jane')).toString('base64'),
      'client-key-data': readFileSync(join(dir, 'jane.key')).toString('base64'),
    });
    expect((await jane.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim()).toBe('jane');
    expect((await admin.ok(['get', 'csr', 'mallory', '--no-headers'])).trim().split(/\s+/).at(-1)).toBe('Denied');
    expect((await admin.ok(['get', 'csr', 'mallory', '-o', 'jsonpath={.status.certificate}'])).trim()).toBe('');
    // Approved and Denied exclude each other and a decision stays: kubectl says so itself, and
    // the API refuses the write when it is made anyway.
    expect((await admin.run(['certificate', 'approve', 'mallory'])).stderr).toContain('is already Denied');
    const denied = JSON.parse(await admin.ok(['get', 'csr', 'mallory', '-o', 'json'])) as {
      status: { conditions: { type: string; status: string }[] };
    };
    denied.status.conditions.push({ type: 'Approved', status: 'True' });
    writeFileSync(join(dir, 'flip.json'), JSON.stringify(denied));
    const flip = await admin.run([
      'replace',
      '--raw',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/mallory/approval',
      '-f',
      join(dir, 'flip.json'),
    ]);
    expect(flip.code).not.toBe(0);
    expect(flip.stderr).toContain('Approved and Denied conditions are mutually exclusive');
  });

  it('refuses malformed requests with the field, and node requests that do not name a node', async () => {
    const garbage = await admin.run(['create', '-f', '-'], {
      stdin: csrManifest(
        'garbage',
        '-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n-----END CERTIFICATE REQUEST-----\n',
        'kubernetes.io/kube-apiserver-client',
        ['client auth'],
      ),
    });
    expect(garbage.code).not.toBe(0);
    expect(garbage.stderr).toMatch(
      /The CertificateSigningRequest "garbage" is invalid: spec.request: Invalid value: .*malformed certificate request/,
    );
    const notANode = await admin.run(['create', '-f', '-'], {
      stdin: csrManifest(
        'not-a-node',
        csrPem('x', '/O=dev/CN=someone'),
        'kubernetes.io/kube-apiserver-client-kubelet',
        ['client auth', 'server auth'],
      ),
    });
    expect(notANode.code).not.toBe(0);
    expect(notANode.stderr).toContain('subject organization is not system:nodes');
    expect(notANode.stderr).toContain('subject common name does not begin with system:node:');
    expect(notANode.stderr).toContain('spec.usages[1]: Unsupported value: "server auth"');
    expect((await admin.run(['get', 'csr', 'garbage'])).code).not.toBe(0);
  });

  it('refuses a deleted token at once', async () => {
    const boot = kubeconfigWith('boot', { token });
    expect(wharfCli('token', 'delete', token)).toBe(`bootstrap token ${token.split('.')[0]} deleted\n`);
    const r = await boot.run(['auth', 'whoami']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Unauthorized|must be logged in/);
    expect(wharfCli('token', 'list')).toBe('no bootstrap tokens\n');
  });
});
