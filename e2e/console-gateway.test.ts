// The console by name through the Ingress gateway, as issue 15 asks (`http://console.localhost:8080`
// on this machine, no certificate warning): `wharf up --nodes 1` (the process runtime: no pod runs
// here) prints that URL, `wharf console --gateway` links to it, and Debian's Chromium (via
// playwright-core) signs in there and follows a list live through the gateway. And for browsers on
// other hosts, `--console-address` serves the same console over TLS with a certificate of the cluster
// CA (here on 127.0.0.1: tests send traffic to loopback only). The OpenID sign-in works at
// console.localhost too: its redirect URI follows the gateway's origin, and another name is refused.
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, Kubectl, OidcTestProvider, toolUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';
import { axeViolations, CHROMIUM, launch, newPage, providerSignIn } from './console-browser.js';

const exec = promisify(execFile);
const skip = toolUnavailable([CHROMIUM], 'run scripts/setup.sh --test') || '';

describe.skipIf(skip !== '')(`the console through the Ingress gateway ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let browser: Browser;
  let page: Page;
  let httpsPort: number;
  let consolePort: number;
  let idp: OidcTestProvider;
  const cli = (args: string[]) =>
    exec(process.execPath, [WHARF_BIN, ...args, '--data-dir', wharf.dataDir], { timeout: 60_000 });

  beforeAll(async () => {
    httpsPort = await freePort();
    consolePort = await freePort();
    // The provider's client is a web application's: its one redirect URI is the console by name.
    const ingressPort = await freePort();
    idp = await OidcTestProvider.start({
      users: [{ login: 'ana', email: 'ana@example.com', groups: [] }],
      applicationType: 'web',
      redirectUris: [`http://console.localhost:${ingressPort}/console-auth/oidc/callback`],
    });
    // Chromium starts while `wharf up` does: neither waits for the other.
    [wharf, browser] = await Promise.all([
      WharfProcess.start({
        ingressPort,
        extraArgs: [
          ...['--nodes', '1', '--runtime', 'process', '--console-port', String(consolePort)],
          ...['--console-address', '127.0.0.1', '--console-https-port', String(httpsPort)],
          ...['--oidc-issuer-url', idp.issuer, '--oidc-client-id', idp.clientId, '--oidc-ca-file', idp.caFile],
          ...['--oidc-username-claim', 'email'],
        ],
      }),
      launch(),
    ]);
    k = new Kubectl(wharf.kubeconfig);
    page = await newPage(browser);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await wharf?.stop();
    await idp?.stop();
    // The dataplane (the gateway's process) outlives `wharf up`: reset stops it.
    if (wharf) await cli(['reset']).catch(() => undefined);
  }, 60_000);

  it('wharf up prints the console by name; wharf console --gateway links there and signs the user in', async () => {
    const byName = `http://console.localhost:${wharf.ingressPort}`;
    expect(wharf.output).toContain(`or open ${byName}`);
    const link = (await cli(['console', '--gateway'])).stdout.trim();
    expect(link).toMatch(new RegExp(`^${byName.replace(/\./g, '\\.')}/#code=[\\w-]{20,}$`));
    await page.goto(link);
    await expect(page.getByTestId('user-name').textContent({ timeout: 60_000 })).resolves.toBe(
      'Signed in as wharf-admin',
    );
    expect(new URL(page.url()).host).toBe(`console.localhost:${wharf.ingressPort}`);
  });

  it('lists follow their watches through the gateway, and axe finds nothing', async () => {
    await page.goto(`http://console.localhost:${wharf.ingressPort}/r/configmaps`);
    // Live once the watch's status line is through: the gateway passes it on before any event.
    await page.getByTestId('watch-state').getByText('Live').waitFor({ timeout: 30_000 });
    await k.ok(['create', 'configmap', 'through-the-gateway', '-n', 'default', '--from-literal=a=b']);
    await page.getByRole('link', { name: 'through-the-gateway' }).waitFor({ timeout: 15_000 });
    expect(await axeViolations(page)).toEqual([]);
  });

  it('serves the console over TLS for other hosts: the cluster CA signs it, wharf console --https signs in there, another Host is refused', async () => {
    const url = `https://127.0.0.1:${httpsPort}`;
    expect(wharf.output).toContain(`from other hosts: ${url}`);
    const ca = readFileSync(join(wharf.dataDir, 'pki', 'ca.crt'), 'utf8');
    const get = (host: string) =>
      new Promise<{ status: number; secure: boolean }>((resolve, reject) => {
        // TLS names localhost (in the certificate); the Host header is what the console checks.
        const req = request(
          { host: '127.0.0.1', port: httpsPort, path: '/', ca, servername: 'localhost', headers: { host } },
          (res) => {
            res.resume();
            resolve({
              status: res.statusCode ?? 0,
              secure: (res.socket as { encrypted?: boolean }).encrypted === true,
            });
          },
        );
        req.on('error', reject).end();
      });
    // Verified against the cluster CA (the default agent refuses anything else).
    expect(await get(`127.0.0.1:${httpsPort}`)).toEqual({ status: 200, secure: true });
    expect((await get(`evil.example:${httpsPort}`)).status).toBe(421);
    const link = (await cli(['console', '--https'])).stdout.trim();
    expect(link).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${httpsPort}/#code=[\\w-]{20,}$`));
    // A browser elsewhere would trust the cluster CA; this one is told the certificate's key instead.
    const cert = new X509Certificate(readFileSync(join(wharf.dataDir, 'pki', 'console.crt')));
    expect(cert.verify(new X509Certificate(ca).publicKey)).toBe(true);
    const spki = createHash('sha256')
      .update(cert.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    const remote = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', `--ignore-certificate-errors-spki-list=${spki}`],
    });
    try {
      const p = await newPage(remote);
      await p.goto(link);
      await expect(p.getByTestId('user-name').textContent({ timeout: 60_000 })).resolves.toBe(
        'Signed in as wharf-admin',
      );
      expect(new URL(p.url()).origin).toBe(url);
    } finally {
      await remote.close();
    }
  });

  it('signs in with OpenID at console.localhost: the redirect URI is the gateway origin; a name the console is not served at is refused', async () => {
    const byName = `http://console.localhost:${wharf.ingressPort}`;
    // The provider's certificate trusted (as after trusting its CA); its pages' web font stays off the network.
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, ignoreHTTPSErrors: true });
    await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost|console\.localhost|elsewhere\.localhost)/, (r) =>
      r.abort(),
    );
    const p = await context.newPage();
    const issuerButton = p.getByRole('link', { name: `Sign in with ${new URL(idp.issuer).host}` });
    await p.goto(`${byName}/`);
    const asked = p.waitForRequest((r) => r.url().startsWith(`${idp.issuer}/auth?`));
    await issuerButton.click();
    expect(new URL((await asked).url()).searchParams.get('redirect_uri')).toBe(`${byName}/console-auth/oidc/callback`);
    await providerSignIn(p, 'ana');
    await expect(p.getByTestId('user-name').textContent({ timeout: 30_000 })).resolves.toBe(
      'Signed in as ana@example.com',
    );
    expect(new URL(p.url()).origin).toBe(byName);
    // Another loopback name reaches the console's own port, but no redirect URI is made for it.
    await p.goto(`http://elsewhere.localhost:${consolePort}/`);
    await issuerButton.click();
    await expect(p.getByTestId('sign-in-error').textContent({ timeout: 20_000 })).resolves.toMatch(
      new RegExp(
        `^This address cannot sign in with the identity provider \\(.*open it at http://localhost:${consolePort}`,
      ),
    );
    expect(await axeViolations(p)).toEqual([]);
    await context.close();
  }, 120_000);
});
