// The console by name through the Ingress gateway, as issue 15 asks (`http://console.localhost:8080`
// on this machine, no certificate warning): `wharf up --nodes 1` (the process runtime: no pod runs
// here) prints that URL, `wharf console --gateway` links to it, and Debian's Chromium (via
// playwright-core) signs in there and follows a list live through the gateway.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, Kubectl, toolUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';
import { axeViolations, CHROMIUM, launch, newPage } from './console-browser.js';

const exec = promisify(execFile);
const skip = toolUnavailable([CHROMIUM], 'run scripts/setup.sh --test') || '';

describe.skipIf(skip !== '')(`the console through the Ingress gateway ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let browser: Browser;
  let page: Page;
  const cli = (args: string[]) =>
    exec(process.execPath, [WHARF_BIN, ...args, '--data-dir', wharf.dataDir], { timeout: 60_000 });

  beforeAll(async () => {
    wharf = await WharfProcess.start({
      extraArgs: ['--nodes', '1', '--runtime', 'process', '--console-port', String(await freePort())],
    });
    k = new Kubectl(wharf.kubeconfig);
    browser = await launch();
    page = await newPage(browser);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await wharf?.stop();
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
});
