// Who gets into the console and what they see of Secrets, in a browser (Debian's Chromium via
// playwright-core) against `wharf up` with a real OpenID provider (oidc-provider over https with a
// test CA) and a real directory (slapd). "Sign in with <issuer>" goes to the provider's pages
// (authorization code + PKCE) and back signed in as the token's user, whose groups RBAC reads; the
// session outlives the ID token (renewed with the refresh token); sign-out; the failures a user
// meets (consent denied, a callback that is not theirs, the provider down) each shown with what
// to do. The Configuration page's Secrets: a list that never fetches values, a Secret created and
// its keys set, revealed and removed, a refused write with the API's message, a binary value shown
// as its size and downloaded, a file uploaded as a value, and a user who may write but not read.
// Failed directory sign-ins count per browser, not per the console's address.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  freePort,
  Kubectl,
  OidcTestProvider,
  RawApi,
  Slapd,
  slapdUnavailable,
  toolUnavailable,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';
import {
  axeViolations,
  CHROMIUM,
  launch,
  missingKeys,
  pickNamespace,
  providerSignIn,
  shot,
} from './console-browser.js';

const exec = promisify(execFile);
const skip = toolUnavailable([CHROMIUM], 'run scripts/setup.sh --test') || '';
const noSlapd = slapdUnavailable() ?? '';
/** Short, so the session is seen outliving it soon; the page renews it at half its life. */
const ID_TOKEN_TTL_S = 10;
const LDAP_PASSWORD = 'c0rrect-h0rse';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe.skipIf(skip !== '')(`console sign-in and Secrets ${skip}`, () => {
  let idp: OidcTestProvider;
  let slapd: Slapd | undefined;
  let wharf: WharfProcess;
  let k: Kubectl;
  let browser: Browser;
  let base = '';

  /**
   * A page whose requests may reach only loopback (the provider's pages ask for a web font). It
   * takes the provider's test certificate as a browser would after the user trusts its CA.
   */
  const loopbackPage = async (lang: 'en' | 'zh-CN' = 'en'): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width: 1360, height: 860 },
      locale: lang,
      ignoreHTTPSErrors: true,
    });
    await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (r) => r.abort());
    return context.newPage();
  };
  const issuerButton = (p: Page) => p.getByRole('link', { name: `Sign in with ${new URL(idp.issuer).host}` });
  /** A request of the console's own (its header), so the session cookie counts. */
  const status = (p: Page, path: string): Promise<number> =>
    p.evaluate(
      `fetch(${JSON.stringify(path)}, { headers: { 'x-wharf-console': '1' } }).then((r) => r.status)`,
    ) as Promise<number>;
  /** Ana through the provider's own pages: its login form, then consent. */
  const signInAna = async (p: Page): Promise<void> => {
    await p.goto(`${base}/`);
    await issuerButton(p).click();
    await providerSignIn(p, 'ana');
    await expect(p.getByTestId('user-name').textContent({ timeout: 30_000 })).resolves.toBe(
      'Signed in as ana@example.com',
    );
  };
  /** The admin, through a `wharf console` link. */
  const adminPage = async (lang: 'en' | 'zh-CN' = 'en'): Promise<Page> => {
    const p = await loopbackPage(lang);
    const link = (await exec(process.execPath, [WHARF_BIN, 'console', '--data-dir', wharf.dataDir])).stdout.trim();
    await p.goto(link);
    await p.getByTestId('user-name').waitFor({ timeout: 30_000 });
    return p;
  };
  const secretValue = async (ns: string, name: string, key: string): Promise<string> =>
    Buffer.from(await k.ok(['get', 'secret', name, '-n', ns, '-o', `jsonpath={.data.${key}}`]), 'base64').toString();
  const secretKeys = async (ns: string, name: string): Promise<string[]> =>
    Object.keys(
      (JSON.parse(await k.ok(['get', 'secret', name, '-n', ns, '-o', 'json'])) as { data?: object }).data ?? {},
    ).sort();

  beforeAll(async () => {
    idp = await OidcTestProvider.start({
      users: [{ login: 'ana', email: 'ana@example.com', groups: ['team-a'] }],
      idTokenTtlSeconds: ID_TOKEN_TTL_S,
      redirectUris: ['http://localhost/console-auth/oidc/callback'],
    });
    slapd = noSlapd
      ? undefined
      : await Slapd.start([{ uid: 'carol', password: LDAP_PASSWORD }], [{ cn: 'devs', members: ['carol'] }]);
    const port = await freePort();
    // Chromium starts while `wharf up` does: neither waits for the other.
    const launched = launch();
    wharf = await WharfProcess.start({
      extraArgs: [
        ...['--console-port', String(port)],
        ...['--oidc-issuer-url', idp.issuer, '--oidc-client-id', idp.clientId],
        ...['--oidc-username-claim', 'email', '--oidc-groups-claim', 'groups', '--oidc-groups-prefix', 'oidc:'],
        ...['--oidc-ca-file', idp.caFile],
        ...(slapd
          ? [
              ...['--ldap-url', slapd.ldapsUrl, '--ldap-ca-file', slapd.caFile],
              ...['--ldap-user-dn-template', Slapd.userDNTemplate, '--ldap-group-search-base', Slapd.groupSearchBase],
            ]
          : []),
      ],
    });
    base = `http://localhost:${port}`;
    k = new Kubectl(wharf.kubeconfig);
    const wharfCli = (args: string[]) =>
      exec(process.execPath, [WHARF_BIN, ...args, '--kubeconfig', wharf.kubeconfig], { timeout: 60_000 });
    await wharfCli(['project', 'create', 'team-a', '--namespace', 'team-a-dev']);
    await wharfCli(['project', 'add-member', 'team-a', '--group', 'oidc:team-a', '--role', 'developer']);
    await k.ok(['create', 'configmap', 'team-settings', '-n', 'team-a-dev', '--from-literal=owner=team-a']);
    browser = await launched;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await wharf?.stop();
    await idp?.stop();
    await slapd?.stop();
  });

  /** Ana's page from the first test, left signed in while the tests between outlive her first ID token. */
  let ana: Page;
  let firstUntil = 0;

  it("signs in by redirect to the provider and back as the token's user, RBAC by its groups", async () => {
    ana = await loopbackPage();
    await ana.goto(`${base}/`);
    await issuerButton(ana).waitFor({ timeout: 20_000 });
    expect(await axeViolations(ana)).toEqual([]);
    await shot(ana, 'sign-in-oidc', 'en');
    await signInAna(ana);
    // The tokens stay out of page scripts' reach: httpOnly cookies, Secure (sent over HTTPS or to loopback only),
    // nothing in storage.
    const cookies = await ana.context().cookies();
    expect(cookies.find((c) => c.name === 'wharf-session')).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
    });
    expect(cookies.find((c) => c.name === 'wharf-oidc-refresh')).toMatchObject({
      httpOnly: true,
      path: '/console-auth/',
    });
    expect(await ana.evaluate('document.cookie')).not.toContain('wharf-');
    expect(await ana.evaluate("sessionStorage.getItem('wharf.token')")).toBeNull();
    // Her project's namespace through the group in her token; nothing elsewhere.
    await eventually(
      async () => (await status(ana, '/api/v1/namespaces/team-a-dev/configmaps')) === 200 || undefined,
      30_000,
      'ana may list in team-a-dev (membership becomes a RoleBinding asynchronously)',
    );
    await ana.goto(`${base}/r/configmaps`);
    // She may not list namespaces: she types her project's.
    await ana.getByRole('combobox', { name: 'Namespace' }).fill('team-a-dev');
    await ana.locator('.ant-select-item-option[title="team-a-dev"]').click();
    await ana.getByText('team-settings').first().waitFor({ timeout: 20_000 });
    expect(await status(ana, '/api/v1/namespaces/default/configmaps')).toBe(403);
    firstUntil = Date.parse((await ana.evaluate("localStorage.getItem('wharf.session')")) as string);
  });

  it("shows the provider's refusal when the user cancels, and what to do", async () => {
    const p = await loopbackPage();
    await p.goto(`${base}/`);
    await issuerButton(p).click();
    await p.getByRole('link', { name: '[ Cancel ]' }).click();
    const error = p.getByTestId('sign-in-error');
    await expect(error.textContent({ timeout: 20_000 })).resolves.toMatch(
      /^The identity provider did not let you in \(access_denied.*\)\. Sign in again and allow access/,
    );
    expect(await axeViolations(p)).toEqual([]);
    await p.context().close();
  });

  it('refuses a callback this browser did not start (state mismatch) and says to start again', async () => {
    const p = await loopbackPage();
    await p.goto(`${base}/console-auth/oidc/callback?code=stolen&state=forged`);
    await expect(p.getByTestId('sign-in-error').textContent({ timeout: 20_000 })).resolves.toMatch(
      /^This sign-in cannot be finished \(.*not started in this browser.*\)\. Start again/,
    );
    expect((await p.context().cookies()).map((c) => c.name)).not.toContain('wharf-session');
    await p.context().close();
  });

  it("configuration: the Secrets list never fetches values; a Secret created, a key set, revealed, added and removed; a refused write shows the API's message", async () => {
    await k.ok([
      'create',
      'secret',
      'generic',
      'db',
      '-n',
      'default',
      '--from-literal=password=hunter2-not-for-screens',
    ]);
    const p = await adminPage();
    const lists: string[] = [];
    p.on('response', (r) => {
      // Whole list answers only: a watch never ends.
      if (/\/secrets(\?|$)/.test(new URL(r.url()).pathname + '?') && !r.url().includes('watch='))
        void r.text().then(
          (t) => lists.push(t),
          () => undefined,
        );
    });
    await p.goto(`${base}/configuration`);
    await pickNamespace(p, 'default');
    const row = p.getByTestId('secrets-table').getByRole('row', { name: /\bdb\b/ });
    await expect(row.textContent({ timeout: 20_000 })).resolves.toMatch(/^db\s*Opaque\s*1/);
    await eventually(() => lists.some((t) => t.includes('"db"')) || undefined, 10_000, 'the Secrets list answer');
    for (const t of lists) {
      expect(t).not.toContain(b64('hunter2-not-for-screens'));
      expect(t).toContain('"kind":"Table"');
    }
    // A name the API refuses: its message in the dialog, nothing made.
    await p.getByTestId('create-secret').click();
    const dialog = p.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Bad_Name');
    await dialog.getByLabel('Key').fill('token');
    await dialog.getByLabel('Value').fill('t0ken-value');
    await dialog.getByRole('button', { name: 'Create Secret' }).click();
    await expect(dialog.getByTestId('api-error-message').textContent({ timeout: 20_000 })).resolves.toContain(
      'Bad_Name',
    );
    await dialog.getByLabel('Name').fill('api-keys');
    await dialog.getByRole('button', { name: 'Create Secret' }).click();
    await p.getByTestId('value-token').waitFor({ timeout: 20_000 });
    expect(p.url()).toBe(`${base}/configuration/secrets/default/api-keys`);
    expect(await secretValue('default', 'api-keys', 'token')).toBe('t0ken-value');
    expect(await p.getByTestId('value-token').textContent()).toBe('hidden (11 bytes)');
    expect(await p.content()).not.toContain('t0ken-value');
    expect(await axeViolations(p)).toEqual([]);
    await shot(p, 'secret-edit', 'en');
    // Reveal shows that one value; Hide takes it off the screen again.
    await p.getByRole('button', { name: 'Reveal token' }).click();
    await p.getByTestId('value-token').filter({ hasText: 't0ken-value' }).waitFor({ timeout: 10_000 });
    await p.getByRole('button', { name: 'Hide' }).click();
    await p.getByTestId('value-token').filter({ hasText: 'hidden (11 bytes)' }).waitFor({ timeout: 10_000 });
    // Set: the dialog never shows the current value; what is typed replaces it.
    await p.getByRole('button', { name: 'Set value token' }).click();
    expect(await dialog.getByLabel('Value').inputValue()).toBe('');
    await dialog.getByLabel('Value').fill('n3w-value');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await p.getByTestId('value-token').filter({ hasText: 'hidden (9 bytes)' }).waitFor({ timeout: 10_000 });
    expect(await secretValue('default', 'api-keys', 'token')).toBe('n3w-value');
    await p.getByRole('button', { name: 'Add key' }).click();
    await dialog.getByLabel('Key').fill('extra');
    await dialog.getByLabel('Value').fill('x');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await p.getByTestId('value-extra').waitFor({ timeout: 10_000 });
    expect(await secretKeys('default', 'api-keys')).toEqual(['extra', 'token']);
    // Remove after a confirmation naming the key and the Secret.
    await p.getByRole('button', { name: 'Remove extra' }).click();
    const confirm = p.getByRole('dialog').filter({ hasText: 'Remove key "extra" from Secret "api-keys"?' });
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await eventually(async () => (await p.getByTestId('value-extra').count()) === 0 || undefined, 10_000, 'extra gone');
    expect(await secretKeys('default', 'api-keys')).toEqual(['token']);
    await p.context().close();
    // The same page in zh-CN: every string translated.
    const zh = await adminPage('zh-CN');
    await zh.goto(`${base}/configuration/secrets/default/api-keys`);
    await zh.getByTestId('value-token').waitFor({ timeout: 20_000 });
    expect(await missingKeys(zh)).toEqual([]);
    expect(await axeViolations(zh)).toEqual([]);
    await shot(zh, 'secret-edit', 'zh-CN');
    await zh.context().close();
  }, 120_000);

  it('a value that is not UTF-8 shows as "binary, N bytes" and downloads as it is; a file uploads as a value byte for byte', async () => {
    // DER-like bytes: 0xff and a lone 0xc3 are no UTF-8.
    const stored = Buffer.from([0x30, 0x82, 0xff, 0x00, 0xc3, 0x28, 0xa0, 0x80]);
    const uploaded = Buffer.from([0x00, 0xfe, 0xed, 0xfa, 0xce, 0xc0, 0x01, 0x02, 0x03, 0xff]);
    const dir = mkdtempSync(join(tmpdir(), 'wharf-secret-bytes-'));
    try {
      writeFileSync(join(dir, 'store.p12'), stored);
      await k.ok(['create', 'secret', 'generic', 'keystore', '-n', 'default', `--from-file=${join(dir, 'store.p12')}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const p = await adminPage();
    await p.goto(`${base}/configuration/secrets/default/keystore`);
    await p.getByRole('button', { name: 'Reveal store.p12' }).click();
    await p.getByTestId('value-store.p12').filter({ hasText: 'binary, 8 bytes' }).waitFor({ timeout: 20_000 });
    expect(await p.content()).not.toContain('\uFFFD');
    const download = p.waitForEvent('download');
    await p.getByRole('button', { name: 'Download store.p12' }).click();
    const file = await (await download).path();
    expect(readFileSync(file)).toEqual(stored);
    expect(await axeViolations(p)).toEqual([]);
    await shot(p, 'secret-binary', 'en');
    // A file chosen in the dialog: its bytes, not text, become the value.
    await p.getByRole('button', { name: 'Add key' }).click();
    const dialog = p.getByRole('dialog');
    await dialog.getByLabel('Key').fill('cert.der');
    await dialog
      .getByLabel('Or a file')
      .setInputFiles({ name: 'cert.der', mimeType: 'application/octet-stream', buffer: uploaded });
    await dialog.getByText('cert.der: its 10 bytes replace the value.').waitFor({ timeout: 10_000 });
    expect(await dialog.getByLabel('Value').isDisabled()).toBe(true);
    expect(await axeViolations(p)).toEqual([]);
    await shot(p, 'secret-upload', 'en');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await p.getByTestId('value-cert.der').filter({ hasText: 'hidden (10 bytes)' }).waitFor({ timeout: 20_000 });
    const data = await k.ok(['get', 'secret', 'keystore', '-n', 'default', '-o', 'jsonpath={.data.cert\\.der}']);
    expect(Buffer.from(data, 'base64')).toEqual(uploaded);
    await p.context().close();
    const zh = await adminPage('zh-CN');
    await zh.goto(`${base}/configuration/secrets/default/keystore`);
    await zh.getByTestId('value-store.p12').waitFor({ timeout: 20_000 });
    await zh
      .getByRole('button', { name: /store\.p12/ })
      .first()
      .click();
    await zh.getByTestId('value-store.p12').filter({ hasText: '二进制，8 字节' }).waitFor({ timeout: 20_000 });
    expect(await missingKeys(zh)).toEqual([]);
    expect(await axeViolations(zh)).toEqual([]);
    await shot(zh, 'secret-binary', 'zh-CN');
    await zh.getByRole('button', { name: '添加键' }).click();
    await zh.getByRole('dialog').getByText('或上传文件').waitFor({ timeout: 10_000 });
    expect(await missingKeys(zh)).toEqual([]);
    await shot(zh, 'secret-upload', 'zh-CN');
    await zh.context().close();
  }, 120_000);

  it('a user who may write a Secret but not read it sets a key without seeing any, and cannot reveal one', async () => {
    await k.ok(['create', 'namespace', 'vault']);
    await k.ok(['create', 'secret', 'generic', 'app-creds', '-n', 'vault', '--from-literal=api=keep-me-hidden']);
    await k.ok([
      'create',
      'role',
      'secret-writer',
      '-n',
      'vault',
      '--verb=patch,create,list,watch',
      '--resource=secrets',
    ]);
    await k.ok([
      'create',
      'rolebinding',
      'secret-writer',
      '-n',
      'vault',
      '--role=secret-writer',
      '--group=oidc:team-a',
    ]);
    const ana = await loopbackPage();
    await signInAna(ana);
    await ana.goto(`${base}/configuration/secrets/vault/app-creds`);
    await expect(ana.getByTestId('secret-write-only').textContent({ timeout: 20_000 })).resolves.toMatch(
      /^You may change this Secret's keys but not read them/,
    );
    expect(await ana.getByTestId('secret-keys').count()).toBe(0);
    expect(await ana.getByRole('button', { name: /^Reveal/ }).count()).toBe(0);
    await ana.getByRole('button', { name: 'Add key' }).click();
    const dialog = ana.getByRole('dialog');
    await dialog.getByLabel('Key').fill('db-url');
    await dialog.getByLabel('Value').fill('postgres://db');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await eventually(
      async () => ((await secretKeys('vault', 'app-creds')).includes('db-url') ? true : undefined),
      10_000,
      'the key ana set',
    );
    expect(await secretValue('vault', 'app-creds', 'db-url')).toBe('postgres://db');
    expect(await secretValue('vault', 'app-creds', 'api')).toBe('keep-me-hidden');
    expect(await ana.content()).not.toContain('keep-me-hidden');
    expect(await axeViolations(ana)).toEqual([]);
    await ana.context().close();
  }, 90_000);

  // After the Secrets tests, which take longer than her first ID token lives: she waits for it no more.
  it('keeps the OpenID session past the ID token, renewed with the refresh token; sign-out ends it', async () => {
    // Past the first ID token's life (and the API server's 10 s of skew) she is still signed in:
    // the page renewed it with the refresh token.
    await eventually(
      async () => (Date.now() > firstUntil + 12_000 ? true : undefined),
      (ID_TOKEN_TTL_S + 30) * 1000,
      'the first ID token expired',
    );
    expect(await status(ana, '/api/v1/namespaces/team-a-dev/configmaps')).toBe(200);
    expect(Date.parse((await ana.evaluate("localStorage.getItem('wharf.session')")) as string)).toBeGreaterThan(
      firstUntil,
    );
    await ana.getByRole('button', { name: 'Sign out' }).click();
    await issuerButton(ana).waitFor();
    const left = (await ana.context().cookies()).map((c) => c.name);
    expect(left).not.toContain('wharf-session');
    expect(left).not.toContain('wharf-oidc-refresh');
    expect([401, 403]).toContain(await status(ana, '/api/v1/namespaces/team-a-dev/configmaps'));
    await ana.context().close();
  }, 60_000);

  it.skipIf(noSlapd !== '')(
    "counts failed directory sign-ins per browser: one browser's lockout leaves another free, and a forged claim gains nothing",
    async () => {
      /** One attempt in the form; resolves once its own answer shows. */
      const signIn = async (p: Page, username: string, password: string, answer: RegExp): Promise<void> => {
        // The attempt before has ended: its button no longer loading, its password cleared.
        await eventually(
          async () =>
            ((await p.locator('button.ant-btn-loading').count()) === 0 &&
              (await p.getByLabel('Password').inputValue()) === '') ||
            undefined,
          20_000,
          'the sign-in form ready for another attempt',
        );
        await p.getByLabel('Username').fill(username);
        await p.getByLabel('Password').fill(password);
        await p.getByLabel('Password').press('Enter');
        // Submitting clears the last answer: the one that shows now is this attempt's.
        await p.getByTestId('sign-in-error').filter({ hasText: answer }).waitFor({ timeout: 20_000 });
      };
      const mallory = await loopbackPage();
      await mallory.goto(`${base}/`);
      for (let i = 0; i < 5; i++) await signIn(mallory, `guess${i}`, 'nope', /^Wrong username or password\.$/);
      await signIn(mallory, 'carol', 'nope', /^Too many failed sign-ins: .*try again in \d+ s/);
      // Another browser on the same machine (so the same address) is not locked out.
      const carol = await loopbackPage();
      await carol.goto(`${base}/`);
      await carol.getByLabel('Username').fill('carol');
      await carol.getByLabel('Password').fill(LDAP_PASSWORD);
      await carol.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(carol.getByTestId('user-name').textContent({ timeout: 20_000 })).resolves.toBe('Signed in as carol');
      // Claiming to be the console's browser without its secret counts against the address, as before.
      const raw = RawApi.fromKubeconfig(wharf.kubeconfig).as(undefined);
      const forged = async (i: number): Promise<number> =>
        (
          await raw.request('POST', '/login/ldap', {
            body: { username: `forger${i}`, password: 'nope' },
            headers: { 'x-wharf-console-client': `127.0.0.1 fresh-${i}`, 'x-wharf-console-proof': 'guessed' },
          })
        ).status;
      for (let i = 0; i < 5; i++) expect(await forged(i)).toBe(401);
      expect(await forged(5)).toBe(429);
      await mallory.context().close();
      await carol.context().close();
    },
    120_000,
  );

  it('says the provider cannot be reached when it is down', async () => {
    await idp.stop();
    const p = await loopbackPage();
    await p.goto(`${base}/`);
    await issuerButton(p).click();
    await expect(p.getByTestId('sign-in-error').textContent({ timeout: 20_000 })).resolves.toMatch(
      /^The identity provider cannot be reached \(.+\)\. Try again in a moment/,
    );
    await p.context().close();
  });
});
