// Running `wharf cluster upgrade` from the console's Cluster page, in Debian's Chromium (via
// playwright-core), on a real 1-node cluster made by `wharf cluster create` (1.31): after a backup
// the plan is a GO; a user who may not update nodes is refused by `wharf up`, whatever the page
// shows; the admin confirms a dialog naming the version, `wharf up` starts the CLI's upgrade as a
// process of its own, and the page follows its steps, reconnects while the control plane restarts
// (this very console with it), and says it finished; the API then serves 1.32.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeClusterPorts, Kubectl, runcUnavailable, runWharf, toolUnavailable, type WharfRun } from '@wharf/testing';
import { axeViolations, CHROMIUM, launch, missingKeys, newPage, shot } from './console-browser.js';

const skip = toolUnavailable([CHROMIUM], 'run scripts/setup.sh --test') || runcUnavailable() || '';

describe.skipIf(skip !== '')(`the console runs a cluster upgrade ${skip}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-console-upgrade-'));
  const dataDir = join(dir, 'data');
  // `wharf up` finds its cluster in the default state store (~/.wharf/clusters): HOME is this test's.
  const cli = (...args: string[]): Promise<WharfRun> => runWharf(args, { timeoutMs: 900_000, env: { HOME: dir } });
  const k = (): Kubectl => new Kubectl(join(dataDir, 'kubeconfig'));
  let consolePort = 0;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const ports = await freeClusterPorts();
    consolePort = ports.console;
    const file = join(dir, 'up.yaml');
    writeFileSync(
      file,
      `apiVersion: wharf.dev/v1alpha1
kind: Cluster
metadata: {name: up}
spec:
  version: "1.31"
  nodes: 1
  nodeProcesses: true
  addons: {platform: false, monitoring: false}
  ports: ${JSON.stringify(ports)}
  dataDir: ${dataDir}
`,
    );
    // Chromium starts while the cluster is made: neither waits for the other.
    const [made] = await Promise.all([
      cli('cluster', 'create', '-f', file, '--yes'),
      launch().then((b) => (browser = b)),
    ]);
    expect(made.code, made.stderr).toBe(0);
    await k().ok(['wait', '--for=condition=Ready', 'node/node-0', '--timeout=180s'], { timeoutMs: 190_000 });
    const backup = await cli('cluster', 'backup', 'up');
    expect(backup.code, backup.stderr).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    // A run that failed mid-upgrade: its detached `wharf cluster upgrade` must not outlive the test.
    try {
      const { pid } = JSON.parse(readFileSync(join(dataDir, 'console-upgrade.json'), 'utf8')) as { pid: number };
      process.kill(pid, 'SIGKILL');
    } catch {
      // none recorded, or it has ended
    }
    await cli('cluster', 'delete', 'up', '--yes');
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('refuses a user who may not update nodes, whatever the page sends', async () => {
    await k().ok(['create', 'serviceaccount', 'viewer', '-n', 'default']);
    await k().ok(['create', 'clusterrole', 'node-viewer', '--verb=get,list,watch', '--resource=nodes']);
    await k().ok([
      'create',
      'clusterrolebinding',
      'node-viewer',
      '--clusterrole=node-viewer',
      '--serviceaccount=default:viewer',
    ]);
    const token = (await k().ok(['create', 'token', 'viewer', '-n', 'default'])).trim();
    const res = await fetch(`http://localhost:${consolePort}/console-api/upgrade`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-wharf-console': '1' },
      body: JSON.stringify({ to: '1.32.9' }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain(
      'system:serviceaccount:default:viewer may not update nodes',
    );
  });

  it('upgrades from the page after a confirmation naming the version, following the steps through the restart', async () => {
    const link = (await cli('console', '--data-dir', dataDir)).stdout.trim();
    page = await newPage(browser);
    await page.goto(link);
    await page.getByTestId('user-name').waitFor({ timeout: 30_000 });
    await page.goto(`http://localhost:${consolePort}/cluster`);
    const plan = page.getByTestId('upgrade-plan-1.32.9');
    await expect(plan.getByTestId('upgrade-verdict').textContent({ timeout: 60_000 })).resolves.toMatch(/^GO/);
    await plan.getByTestId('upgrade-start').click();
    const confirm = page.getByRole('dialog').filter({ hasText: 'Upgrade cluster up to Kubernetes 1.32.9?' });
    expect(await confirm.textContent()).toContain('wharf cluster upgrade up --to 1.32.9 --yes');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'cluster-upgrade-confirm', 'en');
    // The page is never reloaded: it outlives the console it came from. Whenever one of its progress
    // requests failed (the restart may be shorter than the 2 s between them), it said it was reconnecting.
    const upPid = (): number =>
      (JSON.parse(readFileSync(join(dir, '.wharf', 'clusters', 'up', 'cluster.json'), 'utf8')) as { pid: number }).pid;
    const pidBefore = upPid();
    let failed = 0;
    // A request the page itself aborted (its view re-mounted, a 5 s timeout that the next answer
    // overtook) is not a lost connection; a refused or reset one is.
    page.on('requestfailed', (r) => {
      if (r.url().includes('/console-api/upgrade-progress') && r.failure()?.errorText !== 'net::ERR_ABORTED') failed++;
    });
    let sawReconnecting = false;
    void page
      .getByTestId('upgrade-reconnecting')
      .waitFor({ timeout: 900_000 })
      .then(
        () => (sawReconnecting = true),
        () => undefined,
      );
    await confirm.getByRole('button', { name: 'Upgrade to 1.32.9' }).click();
    const progress = page.getByTestId('upgrade-progress');
    await progress.waitFor({ timeout: 120_000 });
    expect(await progress.textContent()).toContain('Upgrade 1.31.13 → 1.32.9');
    // Finished, or stopped with its output: either way the page says so.
    await progress
      .locator('.ant-alert-success, .ant-alert-error')
      .waitFor({ timeout: 300_000 })
      .catch(async (e: unknown) => {
        await page.screenshot({ path: '/tmp/wt-console-upgrade-failed.png' });
        throw e;
      });
    expect(await progress.textContent()).toContain('Upgraded to Kubernetes 1.32.9.');
    expect(upPid()).not.toBe(pidBefore);
    if (failed > 0) expect(sawReconnecting).toBe(true);
    expect(await page.getByTestId('upgrade-step-control-plane').textContent()).toContain('serves 1.32.9');
    expect(await page.getByTestId('upgrade-step-node/node-0/agent').textContent()).toContain('reports v1.32.9');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'cluster-upgrade-done', 'en');
    const version = JSON.parse(await k().ok(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string } };
    expect(version.serverVersion.gitVersion).toBe('v1.32.9');
    // The same view in zh-CN, switched through the header: every string translated.
    await page.getByRole('combobox', { name: 'Language' }).focus();
    await page.keyboard.press('ArrowDown');
    await page.locator('.ant-select-item-option', { hasText: '简体中文' }).click();
    await progress.getByText('已升级到 Kubernetes 1.32.9。').waitFor({ timeout: 10_000 });
    expect(await missingKeys(page)).toEqual([]);
    await shot(page, 'cluster-upgrade-done', 'zh-CN');
  }, 1_200_000);
});
