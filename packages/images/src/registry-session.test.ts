// pullImage against Debian's docker-registry (the CNCF distribution registry) on plain HTTP on
// loopback: with htpasswd Basic auth, and with token auth whose tokens come from a small token
// service here (RS256 JWTs with an x5c chain the registry trusts). Skipped without
// docker-registry, htpasswd, skopeo or openssl.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullImage } from './distribution-client.js';
import { ImageStore } from './image-store.js';
import { buildLayer } from './layer-builder.js';
import { describeJson } from './layout.js';
import { MediaType, type ImageConfig } from './oci.js';
import { parseChallenge } from './registry-session.js';

const exec = promisify(execFile);
const which = (bin: string): Promise<boolean> =>
  exec('sh', ['-c', `command -v ${bin}`]).then(
    () => true,
    () => false,
  );
const missing = (
  await Promise.all(['docker-registry', 'htpasswd', 'skopeo', 'openssl'].map(async (b) => ((await which(b)) ? '' : b)))
).filter(Boolean);
if (missing.length) console.warn(`registry-session.test.ts: skipped, needs ${missing.join(', ')}`);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts docker-registry with `auth` (YAML lines), on TLS when given, and waits until it answers. */
async function startRegistry(
  dir: string,
  auth: string,
  tls?: { cert: string; key: string },
): Promise<{ host: string; proc: ChildProcess }> {
  const port = await freePort();
  const config = join(dir, `config-${port}.yml`);
  const http = `{addr: 127.0.0.1:${port}${tls ? `, tls: {certificate: ${tls.cert}, key: ${tls.key}}` : ''}}`;
  await writeFile(
    config,
    `version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: ${join(dir, `data-${port}`)}}}\nhttp: ${http}\n${auth}\n`,
  );
  const proc = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  for (;;) {
    // A TLS registry answers plain HTTP with 400: it is up either way.
    const ok = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.status === 401 || (tls !== undefined && r.status === 400),
      () => false,
    );
    if (ok) return { host: `127.0.0.1:${port}`, proc };
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('docker-registry did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const b64url = (v: string | Buffer): string => Buffer.from(v).toString('base64url');

describe('parseChallenge', () => {
  it('reads the scheme and quoted parameters', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge('Basic realm="wharf"')).toEqual({ scheme: 'basic', params: { realm: 'wharf' } });
  });
});

describe.skipIf(missing.length > 0)('pullImage from docker-registry', () => {
  let dir: string;
  let basicReg: { host: string; proc: ChildProcess };
  let tokenReg: { host: string; proc: ChildProcess };
  let tlsReg: { host: string; proc: ChildProcess };
  let tlsCert: string;
  let tokenServer: Server;
  let digest: string;
  const tokenRequests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wharf-session-'));
    // A one-layer image in an OCI layout, pushed to both registries with skopeo.
    const src = new ImageStore({ root: join(dir, 'layout') });
    await src.init();
    const content = Buffer.from('hello\n');
    const layer = await buildLayer(
      [{ path: 'hello.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, content }],
      src.blobs,
    );
    const config: ImageConfig = {
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    };
    const cfg = describeJson(MediaType.config, config);
    await src.putBlob(cfg.bytes);
    digest = (
      await src.putManifest(
        { schemaVersion: 2, mediaType: MediaType.manifest, config: cfg.descriptor, layers: [layer.descriptor] },
        { ref: 'tiny:1' },
      )
    ).digest;

    await exec('htpasswd', ['-Bbc', join(dir, 'htpasswd'), 'alice', 's3cret']);
    basicReg = await startRegistry(dir, `auth: {htpasswd: {realm: basic-realm, path: ${join(dir, 'htpasswd')}}}`);

    // Token auth: a self-signed certificate the registry trusts, and a service that signs tokens for alice.
    await exec('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'token.key'),
      '-out',
      join(dir, 'token.crt'),
      '-days',
      '1',
      '-subj',
      '/CN=wharf-test-token',
    ]);
    const key = await readFile(join(dir, 'token.key'), 'utf8');
    const certDer = new X509Certificate(await readFile(join(dir, 'token.crt'))).raw;
    tokenServer = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      tokenRequests.push(url.search);
      if (req.headers.authorization !== `Basic ${Buffer.from('alice:s3cret').toString('base64')}`) {
        res.writeHead(401).end('{"details":"bad credentials"}');
        return;
      }
      const [, name = '', actions = ''] = /^repository:(.+):([^:]+)$/.exec(url.searchParams.get('scope') ?? '') ?? [];
      const now = Math.floor(Date.now() / 1000);
      const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] }));
      const claims = b64url(
        JSON.stringify({
          iss: 'wharf-test',
          sub: 'alice',
          aud: url.searchParams.get('service'),
          exp: now + 300,
          nbf: now - 10,
          iat: now,
          jti: randomBytes(8).toString('hex'),
          access: [{ type: 'repository', name, actions: actions.split(',') }],
        }),
      );
      const sig = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(key);
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ token: `${head}.${claims}.${b64url(sig)}` }));
    });
    await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', () => r()));
    const realm = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
    tokenReg = await startRegistry(
      dir,
      `auth: {token: {realm: "${realm}", service: wharf-test-registry, issuer: wharf-test, rootcertbundle: ${join(dir, 'token.crt')}}}`,
    );

    // HTTPS with a certificate for 127.0.0.1 that only the test trusts.
    await exec('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'tls.key'),
      '-out',
      join(dir, 'tls.crt'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    tlsCert = await readFile(join(dir, 'tls.crt'), 'utf8');
    tlsReg = await startRegistry(dir, `auth: {htpasswd: {realm: tls-realm, path: ${join(dir, 'htpasswd')}}}`, {
      cert: join(dir, 'tls.crt'),
      key: join(dir, 'tls.key'),
    });

    for (const reg of [basicReg, tokenReg, tlsReg]) {
      await exec('skopeo', [
        '--insecure-policy',
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        'alice:s3cret',
        `oci:${join(dir, 'layout')}:tiny:1`,
        `docker://${reg.host}/team/tiny:1`,
      ]);
    }
  }, 60_000);

  afterAll(async () => {
    for (const r of [basicReg, tokenReg, tlsReg]) r?.proc.kill('SIGTERM');
    await new Promise<void>((r) => (tokenServer ? tokenServer.close(() => r()) : r()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const pull = async (host: string, credentials?: { username: string; password: string }): Promise<string> => {
    const store = new ImageStore({ root: await mkdtemp(join(dir, 'pull-')) });
    // https:// first: the registry speaks plain HTTP, which is allowed because it is on loopback.
    return pullImage(
      store,
      { url: `https://${host}`, plainHttpFallback: true, ...(credentials ? { credentials } : {}) },
      'team/tiny',
      '1',
      `${host}/team/tiny:1`,
    );
  };

  it('answers a Basic challenge with the credentials', async () => {
    expect(await pull(basicReg.host, { username: 'alice', password: 's3cret' })).toBe(digest);
  });

  it('fails with 401 Unauthorized without credentials or with a wrong password', async () => {
    await expect(pull(basicReg.host)).rejects.toThrow(/401 Unauthorized/);
    await expect(pull(basicReg.host, { username: 'alice', password: 'wrong' })).rejects.toThrow(/401 Unauthorized/);
  });

  it('does not fall back to plain HTTP unless allowed', async () => {
    const store = new ImageStore({ root: await mkdtemp(join(dir, 'pull-')) });
    await expect(
      pullImage(
        store,
        { url: `https://${basicReg.host}`, credentials: { username: 'alice', password: 's3cret' } },
        'team/tiny',
        '1',
        'x:1',
      ),
    ).rejects.toThrow(/EPROTO|SSL|wrong version/i);
  });

  it('fetches a Bearer token from the realm of a token challenge, with the scope it needs', async () => {
    tokenRequests.length = 0;
    expect(await pull(tokenReg.host, { username: 'alice', password: 's3cret' })).toBe(digest);
    expect(
      tokenRequests.some(
        (q) =>
          new URLSearchParams(q).get('scope') === 'repository:team/tiny:pull' &&
          new URLSearchParams(q).get('service') === 'wharf-test-registry',
      ),
    ).toBe(true);
  });

  it('names the token service when it refuses the credentials', async () => {
    await expect(pull(tokenReg.host, { username: 'alice', password: 'wrong' })).rejects.toThrow(
      /token service http:\/\/127\.0\.0\.1:\d+\/token answered 401 Unauthorized/,
    );
  });

  it('verifies an HTTPS registry against the given CAs, and never downgrades a failed verification to HTTP', async () => {
    const creds = { username: 'alice', password: 's3cret' };
    const store = new ImageStore({ root: await mkdtemp(join(dir, 'pull-')) });
    expect(
      await pullImage(
        store,
        { url: `https://${tlsReg.host}`, ca: tlsCert, credentials: creds },
        'team/tiny',
        '1',
        'tls:1',
      ),
    ).toBe(digest);
    await expect(
      pullImage(
        store,
        { url: `https://${tlsReg.host}`, credentials: creds, plainHttpFallback: true },
        'team/tiny',
        '1',
        'tls:2',
      ),
    ).rejects.toThrow(/self.signed|certificate/i);
  });
});
