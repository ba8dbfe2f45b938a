// Sign-in with the company's identity, end to end: a real OpenID provider (the oidc-provider
// package over https with a CA the test makes) with two users in different groups, `wharf up`
// accepting its ID tokens (--oidc-*), two Projects whose members are those groups, and each user
// signed in with `wharf login` (authorization code + PKCE, the provider's sign-in pages played
// headlessly) so that kubectl 1.32 runs `wharf credential oidc`. Each user works in their own
// project's namespace and gets 403 in the other's; an expired ID token gets 401 while the plugin
// refreshes its own; the audit log names both users and their groups.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, Kubectl, OidcTestProvider, RawApi, WHARF_BIN, WharfProcess } from '@wharf/testing';

const exec = promisify(execFile);
/** Short, so the expired-token case waits little; the plugin renews a token with under half its life left. */
const ID_TOKEN_TTL_S = 15;

interface SignedIn {
  readonly k: Kubectl;
  readonly cacheDir: string;
  readonly loginOutput: string;
}

describe('OIDC sign-in with wharf login and kubectl', () => {
  let idp: OidcTestProvider;
  let wharf: WharfProcess;
  let admin: Kubectl;
  const work = mkdtempSync(join(tmpdir(), 'wharf-oidc-login-'));
  const users: Record<'ana' | 'bo', SignedIn> = {} as never;

  /** `wharf login` as `login`, answering the provider's pages as that user's browser would. */
  async function signIn(login: string): Promise<SignedIn> {
    const kubeconfig = join(work, `${login}.kubeconfig`);
    copyFileSync(wharf.kubeconfig, kubeconfig);
    const cacheDir = join(work, `${login}-cache`);
    const child = spawn(
      process.execPath,
      [
        WHARF_BIN,
        'login',
        '--issuer',
        idp.issuer,
        '--client-id',
        idp.clientId,
        '--certificate-authority',
        idp.caFile,
        '--kubeconfig',
        kubeconfig,
        '--cache-dir',
        cacheDir,
        '--no-browser',
        '--timeout',
        '60',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
    const url = await eventually(() => /^https:\/\/\S+/m.exec(err)?.[0], 30_000, 'the sign-in URL');
    const page = await idp.browse(url, { login, password: 'any' });
    expect(page.body).toContain('Signed in to Wharf');
    expect(await exited, err).toBe(0);
    return { k: new Kubectl(kubeconfig), cacheDir, loginOutput: out };
  }

  const cached = (u: SignedIn): { idToken: string; refreshToken: string } => {
    const [file] = readdirSync(u.cacheDir);
    return JSON.parse(readFileSync(join(u.cacheDir, file ?? ''), 'utf8')) as { idToken: string; refreshToken: string };
  };
  const cachedIdToken = (u: SignedIn): string => cached(u).idToken;

  beforeAll(async () => {
    idp = await OidcTestProvider.start({
      users: [
        { login: 'ana', email: 'ana@example.com', groups: ['team-a'] },
        { login: 'bo', email: 'bo@example.com', groups: ['team-b'] },
      ],
      idTokenTtlSeconds: ID_TOKEN_TTL_S,
    });
    wharf = await WharfProcess.start({
      extraArgs: [
        '--oidc-issuer-url',
        idp.issuer,
        '--oidc-client-id',
        idp.clientId,
        '--oidc-username-claim',
        'email',
        '--oidc-groups-claim',
        'groups',
        '--oidc-groups-prefix',
        'oidc:',
        '--oidc-ca-file',
        idp.caFile,
      ],
    });
    admin = new Kubectl(wharf.kubeconfig);
    const cli = (args: string[]) => exec(process.execPath, [WHARF_BIN, ...args, '--kubeconfig', wharf.kubeconfig]);
    // The projects and the two sign-ins do not wait for one another: made side by side.
    await Promise.all([
      ...(
        [
          ['team-a', 'oidc:team-a'],
          ['team-b', 'oidc:team-b'],
        ] as const
      ).map(async ([team, group]) => {
        await cli(['project', 'create', team, '--namespace', `${team}-dev`]);
        await cli(['project', 'add-member', team, '--group', group, '--role', 'developer']);
      }),
      signIn('ana').then((u) => (users.ana = u)),
      signIn('bo').then((u) => (users.bo = u)),
    ]);
  }, 180_000);

  afterAll(async () => {
    await wharf?.stop();
    await idp?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('keeps the tokens in a 0600 cache and adds a kubeconfig user that runs the credential plugin', () => {
    expect(users.ana.loginOutput).toContain('signed in as ana@example.com');
    const [file] = readdirSync(users.ana.cacheDir);
    expect(statSync(join(users.ana.cacheDir, file ?? '')).mode & 0o777).toBe(0o600);
    expect(statSync(users.ana.cacheDir).mode & 0o777).toBe(0o700);
    const kubeconfig = readFileSync(join(work, 'ana.kubeconfig'), 'utf8');
    expect(kubeconfig).toContain('current-context: oidc-ana@example.com');
    expect(kubeconfig).toContain('client.authentication.k8s.io/v1');
    // The tokens live only in the cache.
    expect(cached(users.ana).refreshToken).toBeTruthy();
    expect(kubeconfig).not.toContain(cached(users.ana).refreshToken);
    expect(kubeconfig).not.toContain(cachedIdToken(users.ana));
  });

  it('makes kubectl act as the signed-in user with the groups of the token', async () => {
    const who = json({ status: 200, headers: {}, text: await users.ana.k.ok(['auth', 'whoami', '-o', 'json']) });
    expect(who.status.userInfo.username).toBe('ana@example.com');
    expect(who.status.userInfo.groups).toEqual(['oidc:team-a', 'system:authenticated']);
  });

  it("lets each user list and create only in their own project's namespaces: the other's answer 403", async () => {
    for (const [name, own, other] of [
      ['ana', 'team-a-dev', 'team-b-dev'],
      ['bo', 'team-b-dev', 'team-a-dev'],
    ] as const) {
      const k = users[name].k;
      // Project membership turns into RoleBindings asynchronously.
      await eventually(
        async () =>
          (await k.run(['create', 'configmap', `${name}-settings`, '-n', own, '--from-literal=a=b'])).code === 0,
        30_000,
        `${name} may create in ${own}`,
      );
      expect(await k.ok(['get', 'configmaps', '-n', own, '-o', 'name'])).toContain(`configmap/${name}-settings`);
      for (const args of [
        ['get', 'configmaps', '-n', other],
        ['create', 'configmap', `${name}-sneak`, '-n', other, '--from-literal=a=b'],
      ]) {
        const r = await k.run(args);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(new RegExp(`forbidden: User "${name}@example.com" cannot`, 'i'));
      }
    }
    expect(await admin.ok(['get', 'configmaps', '-n', 'team-b-dev', '-o', 'name'])).not.toContain('ana-sneak');
  });

  it('refuses an expired ID token with 401 while the plugin refreshes its own', async () => {
    // kubectl through the plugin first: the cached token then has at least half its life left.
    await users.ana.k.ok(['get', 'configmaps', '-n', 'team-a-dev']);
    const old = cachedIdToken(users.ana);
    const raw = RawApi.fromKubeconfig(wharf.kubeconfig).as(old);
    expect((await raw.request('GET', '/api/v1/namespaces/team-a-dev/configmaps')).status).toBe(200);
    // The API server allows 10 s of clock skew past `exp`, as kube-apiserver does.
    const refused = await eventually(
      async () => {
        const r = await raw.request('GET', '/api/v1/namespaces/team-a-dev/configmaps');
        return r.status === 401 ? r : undefined;
      },
      (ID_TOKEN_TTL_S + 60) * 1000,
      'the old ID token refused',
    );
    expect(json(refused)).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
    expect(await users.ana.k.ok(['get', 'configmaps', '-n', 'team-a-dev', '-o', 'name'])).toContain(
      'configmap/ana-settings',
    );
    expect(cachedIdToken(users.ana)).not.toBe(old);
  }, 240_000);

  it('signs in with the device flow on a machine without a browser', async () => {
    const kubeconfig = join(work, 'device.kubeconfig');
    copyFileSync(wharf.kubeconfig, kubeconfig);
    const child = spawn(
      process.execPath,
      [
        WHARF_BIN,
        'login',
        '--device',
        '--issuer',
        idp.issuer,
        '--client-id',
        idp.clientId,
        '--certificate-authority',
        idp.caFile,
        '--kubeconfig',
        kubeconfig,
        '--cache-dir',
        join(work, 'device-cache'),
        '--user',
        'bo-device',
        '--timeout',
        '60',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
    const url = await eventually(() => /or open (https:\/\/\S+)/.exec(err)?.[1], 30_000, 'the device URL');
    expect(err).toMatch(/To sign in, visit https:\/\/\S+ and enter the code \S+/);
    // Another machine's browser: the code is in the URL, the user signs in and confirms.
    await idp.browse(url, { login: 'bo', password: 'any' });
    expect(await exited, err).toBe(0);
    const who = JSON.parse(await new Kubectl(kubeconfig).ok(['auth', 'whoami', '-o', 'json'])) as {
      status: { userInfo: { username: string } };
    };
    expect(who.status.userInfo.username).toBe('bo@example.com');
  }, 90_000);

  it('fails the plugin with one line when there is no sign-in to use', async () => {
    const r = await exec(process.execPath, [
      WHARF_BIN,
      'credential',
      'oidc',
      '--issuer',
      idp.issuer,
      '--client-id',
      'other',
      '--cache-dir',
      users.ana.cacheDir,
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(r).toMatchObject({ code: 1 });
    expect((r as { stderr: string }).stderr.trim()).toBe(
      `wharf: not signed in to ${idp.issuer}: run "wharf login --issuer ${idp.issuer} --client-id other" again`,
    );
  });

  it('names both users in the audit log', async () => {
    const lines = await eventually(
      () => {
        const l = readFileSync(join(wharf.dataDir, 'audit.log'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((x) => JSON.parse(x) as Record<string, unknown>);
        return ['ana@example.com', 'bo@example.com'].every((u) => l.some((e) => JSON.stringify(e).includes(u)))
          ? l
          : undefined;
      },
      10_000,
      'both users in the audit log',
    );
    expect(lines.find((e) => e.user === 'ana@example.com' && e.name === 'ana-settings')).toMatchObject({
      verb: 'create',
      code: 201,
      groups: ['oidc:team-a', 'system:authenticated'],
    });
    expect(lines.find((e) => e.user === 'bo@example.com' && e.namespace === 'team-a-dev')).toMatchObject({
      verb: 'create',
      code: 403,
      groups: ['oidc:team-b', 'system:authenticated'],
    });
  });
});
