// The web console in a real browser (Debian's Chromium, headless, via playwright-core) against
// `wharf up --nodes 1` with real runc pods: sign in through a `wharf console` link, watch lists
// update live, scale, Secrets masked, edit YAML (dry run first; the API's message on a bad edit),
// delete with confirmation, follow logs, a shell in the web terminal, a namespace-restricted
// user's view, zh-CN with no untranslated key, and axe-core on every page. Screenshots of each page in both languages go to docs/console/.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, Kubectl, runcUnavailable, toolUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';
import { axeViolations, CHROMIUM, launch, missingKeys, newPage, shot } from './console-browser.js';

const run = promisify(execFile);
const skip = runcUnavailable() || toolUnavailable([CHROMIUM], 'run scripts/setup.sh --test');

const fixtures = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: busybox:1, command: ["sh", "-c", "sleep 100000"]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ticker, namespace: default, labels: {app: ticker}}
spec:
  containers: [{name: ticker, image: busybox:1, command: ["sh", "-c", "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.3; done"]}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: default}
data: {greeting: hello}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: doomed, namespace: default}
data: {a: b}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: default}
stringData: {password: hunter2-not-for-screens}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: team-settings, namespace: team-a}
data: {owner: team-a}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: dev, namespace: team-a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: dev, namespace: team-a}
rules:
- {apiGroups: ["", "apps", "batch", "networking.k8s.io"], resources: ["*"], verbs: [get, list, watch, update, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: dev}
subjects: [{kind: ServiceAccount, name: dev, namespace: team-a}]
`;

describe.skipIf(skip !== '')(`the web console in a browser ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let browser: Browser;
  let page: Page;
  let base: string;

  const open = async (p: Page, path: string, ready: string): Promise<void> => {
    await p.goto(`${base}${path}`);
    await p.getByText(ready, { exact: false }).first().waitFor({ timeout: 20_000 });
  };
  const consoleLink = async (): Promise<string> => (await run(process.execPath, [WHARF_BIN, 'console', '--data-dir', wharf.dataDir])).stdout.trim();

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1', '--console-port', String(await freePort())] });
    k = new Kubectl(wharf.kubeconfig);
    await run(process.execPath, [WHARF_BIN, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', wharf.dataDir], { timeout: 120_000 });
    await k.ok(['apply', '-f', '-'], { stdin: fixtures });
    browser = await launch();
    page = await newPage(browser);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('wharf up prints the console URL; wharf console prints a one-use link that signs the kubeconfig user in', async () => {
    expect(wharf.output).toMatch(/open http:\/\/localhost:\d+/);
    const link = await consoleLink();
    expect(link).toMatch(/^http:\/\/localhost:\d+\/#code=[\w-]{20,}$/);
    base = new URL(link).origin;
    await page.goto(link);
    await expect(page.getByTestId('user-name').textContent({ timeout: 20_000 })).resolves.toBe('Signed in as wharf-admin');
    // The code is gone from the address bar, and spent: a second browser cannot use it.
    expect(page.url()).not.toContain('code=');
    const other = await newPage(browser);
    await other.goto(link);
    await other.getByRole('alert').waitFor();
    expect(await other.getByRole('alert').textContent()).toContain('used already or has expired');
    await other.context().close();
    await page.getByText('Nodes ready').waitFor();
    await eventually(async () => (await page.getByTestId('nodes-ready').textContent())?.includes('1 / 1'), 20_000, 'node-0 Ready on the overview');
  });

  it('a pod created with kubectl appears in the open list without a reload', async () => {
    await open(page, '/r/pods', 'ticker');
    // Keyboard only: focus the picker, type, Enter.
    await page.getByRole('combobox', { name: 'Namespace' }).focus();
    await page.keyboard.type('default');
    await page.keyboard.press('Enter');
    await page.getByTestId('watch-state').getByText('Live').waitFor();
    await k.ok(['run', 'newcomer', '--image=busybox:1', '-n', 'default', '--overrides={"spec":{"nodeSelector":{"nowhere":"x"}}}', '--command', '--', 'sleep', '1']);
    await page.getByRole('link', { name: 'newcomer' }).waitFor({ timeout: 15_000 });
    // The label selector asks the API for matching pods only.
    await page.getByLabel('Label selector').fill('app=ticker');
    await page.getByLabel('Label selector').press('Enter');
    await eventually(async () => (await page.getByRole('link', { name: 'newcomer' }).count()) === 0, 10_000, 'newcomer filtered out');
    // The filtered list comes from a new list + watch: wait for it rather than read it mid-way.
    await page.getByRole('link', { name: 'ticker' }).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('link', { name: 'ticker' }).count()).toBe(1);
  });

  it('scales a Deployment and sees the new count', async () => {
    await open(page, '/r/deployments/default/web', 'Deployment default/web');
    await page.getByRole('spinbutton', { name: 'Replicas' }).fill('2');
    await page.getByRole('button', { name: 'Scale' }).click();
    await page.getByText('Scaled web to 2').waitFor();
    await eventually(async () => (await k.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])) === '2', 10_000, 'spec.replicas 2');
    await open(page, '/r/deployments', 'web');
    await eventually(async () => (await page.locator('.ant-table-row', { hasText: 'web' }).textContent())?.includes('/2'), 60_000, 'the list shows 2 wanted');
  });

  it('edits a ConfigMap in the YAML editor; kubectl reads the change back; a bad edit shows the API\'s message', async () => {
    await open(page, '/r/configmaps/default/settings', 'ConfigMap default/settings');
    await page.getByRole('tab', { name: 'YAML' }).click();
    const editor = page.getByTestId('yaml-editor');
    await editor.waitFor();
    const original = await editor.textContent();
    expect(original).toContain('greeting: hello');
    const replace = async (text: string): Promise<void> => {
      await editor.click();
      await page.keyboard.press('Control+a');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(text);
    };
    const current = JSON.parse(await k.ok(['get', 'cm', 'settings', '-o', 'json'])) as { metadata: Record<string, unknown> };
    const yamlOf = (name: string, greeting: string): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n  resourceVersion: "${String(current.metadata.resourceVersion)}"\ndata:\n  greeting: ${greeting}\n`;
    await replace(yamlOf('settings', 'bonjour'));
    await page.getByTestId('yaml-save').click();
    await page.getByText('Saved settings').waitFor();
    expect(await k.ok(['get', 'cm', 'settings', '-o', 'jsonpath={.data.greeting}'])).toBe('bonjour');
    // A bad edit: the dry run refuses it with the API's Status message; nothing is stored.
    await replace(yamlOf('other', 'salut').replace(/resourceVersion: .*\n/, ''));
    await page.getByTestId('yaml-save').click();
    await expect(page.getByTestId('api-error-message').textContent({ timeout: 10_000 })).resolves.toBe('the name of the object (other) does not match the name on the URL (settings)');
    await page.getByText('The API answered 400 BadRequest').waitFor();
    expect(await k.ok(['get', 'cm', 'settings', '-o', 'jsonpath={.data.greeting}'])).toBe('bonjour');
  });

  it('never shows a Secret\'s values, nor the copy kubectl apply keeps in an annotation', async () => {
    await open(page, '/r/secrets/default/db', 'Secret default/db');
    await page.getByText('password: (hidden)').waitFor();
    await page.getByRole('tab', { name: 'YAML' }).click();
    await page.getByTestId('yaml-editor').waitFor();
    expect(await page.getByTestId('yaml-save').count()).toBe(0); // read-only: nothing to save
    const shown = await page.locator('main').textContent();
    expect(shown).toContain('password: ••••••');
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain(Buffer.from('hunter2-not-for-screens').toString('base64'));
  });

  it('deletes only after a confirmation that names the object', async () => {
    await open(page, '/r/configmaps/default/doomed', 'ConfigMap default/doomed');
    await page.getByTestId('delete-button').click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.locator('.ant-modal-confirm-title').textContent()).resolves.toBe('Delete ConfigMap doomed?');
    expect(await dialog.locator('.ant-modal-confirm-content').textContent()).toBe('This deletes ConfigMap "doomed" in namespace "default". It cannot be undone.');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Deleted ConfigMap doomed').waitFor();
    await eventually(async () => (await k.run(['get', 'cm', 'doomed'])).stderr.includes('NotFound'), 10_000, 'doomed deleted');
  });

  it('follows a pod\'s logs as they are written', async () => {
    await k.ok(['wait', '--for=condition=Ready', 'pod/ticker', '--timeout=60s'], { timeoutMs: 70_000 });
    await open(page, '/r/pods/default/ticker', 'Pod default/ticker');
    await page.getByRole('tab', { name: 'Logs' }).click();
    const logs = page.getByTestId('pod-logs');
    const lastTick = async (): Promise<number> => Math.max(-1, ...[...((await logs.textContent()) ?? '').matchAll(/tick-(\d+)/g)].map((m) => Number(m[1])));
    const first = await eventually(async () => ((await lastTick()) >= 0 ? lastTick() : undefined), 20_000, 'log lines');
    // New lines arrive on the open stream, without a reload.
    await eventually(async () => (await lastTick()) >= first + 3, 20_000, 'followed lines');
  });

  it('runs a command in the web terminal (exec over WebSocket, v5.channel.k8s.io) and shows its output', async () => {
    await open(page, '/r/pods/default/ticker', 'Pod default/ticker');
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByTestId('terminal-state').getByText('Connected').waitFor({ timeout: 20_000 });
    await page.getByTestId('terminal').click();
    await page.keyboard.type('echo console-$((6*7))\n');
    await page.getByTestId('terminal').locator('.xterm-rows').getByText('console-42', { exact: true }).waitFor({ timeout: 15_000 });
    await shot(page, 'pod-terminal', 'en');
  });

  it('a user bound to one namespace without delete sees only that namespace, and Delete disabled with the reason', async () => {
    const token = (await k.ok(['create', 'token', 'dev', '-n', 'team-a'])).trim();
    const dev = await newPage(browser);
    await dev.goto(`${base}/`);
    await dev.getByLabel('Bearer token').fill(token);
    await dev.getByRole('button', { name: 'Sign in' }).click();
    await expect(dev.getByTestId('user-name').textContent({ timeout: 20_000 })).resolves.toBe('Signed in as system:serviceaccount:team-a:dev');
    await open(dev, '/r/configmaps', 'team-settings');
    expect(await dev.getByRole('link', { name: 'settings', exact: true }).count()).toBe(0);
    await dev.getByRole('combobox', { name: 'Namespace' }).focus();
    await dev.keyboard.press('ArrowDown');
    await dev.locator('.ant-select-item-option').first().waitFor();
    expect(await dev.locator('.ant-select-item-option').allTextContents()).toEqual(['team-a']);
    await dev.keyboard.press('Escape');
    await dev.getByRole('link', { name: 'team-settings' }).click();
    await dev.getByText('ConfigMap team-a/team-settings').waitFor();
    await eventually(async () => dev.getByTestId('delete-button').isDisabled(), 10_000, 'Delete disabled');
    // The reason arrives with the access review's answer, a moment after the button is disabled.
    const reason = await eventually(async () => (await dev.getByTestId('not-allowed-reason').textContent()) || undefined, 10_000, 'the reason shown');
    expect(reason).toMatch(/^Not allowed for your account/);
    expect(await axeViolations(dev)).toEqual([]);
    // Sign-out forgets the token: the console is back at the sign-in page.
    await dev.getByRole('button', { name: 'Sign out' }).click();
    await dev.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await dev.evaluate("sessionStorage.getItem('wharf.token')")).toBeNull();
    await dev.goto(`${base}/r/pods`);
    await dev.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot(dev, 'sign-in', 'en');
    await dev.context().close();
  });

  const pages = [
    { name: 'overview', path: '/', ready: { en: 'Nodes ready', 'zh-CN': '就绪节点' } },
    { name: 'pods', path: '/r/pods', ready: { en: 'ticker', 'zh-CN': 'ticker' } },
    { name: 'deployments', path: '/r/deployments', ready: { en: 'web', 'zh-CN': 'web' } },
    { name: 'deployment', path: '/r/deployments/default/web', ready: { en: 'Deployment default/web', 'zh-CN': 'Deployment default/web' } },
    { name: 'configmaps', path: '/r/configmaps', ready: { en: 'settings', 'zh-CN': 'settings' } },
    { name: 'events', path: '/r/events', ready: { en: 'Events', 'zh-CN': '事件' } },
  ] as const;

  it('every page in English and in zh-CN: no untranslated key, no serious axe-core violation, a screenshot each', async () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      if (lang === 'zh-CN') {
        // Switch through the header, as a user would; the choice survives a reload.
        await page.getByRole('combobox', { name: 'Language' }).focus();
        await page.keyboard.press('ArrowDown');
        await page.locator('.ant-select-item-option', { hasText: '简体中文' }).click();
        await page.getByText('概览').first().waitFor();
      }
      for (const p of pages) {
        await open(page, p.path, p.ready[lang]);
        await page.waitForTimeout(300); // let lazily loaded parts paint before the picture; not a sync point
        expect(await missingKeys(page), `${p.name} in ${lang}`).toEqual([]);
        expect(await axeViolations(page), `${p.name} in ${lang}`).toEqual([]);
        await shot(page, p.name, lang);
      }
      await open(page, '/r/pods/default/ticker', 'Pod default/ticker');
      await page.getByRole('tab', { name: lang === 'en' ? 'Logs' : '日志' }).click();
      await page.getByTestId('pod-logs').getByText('tick-', { exact: false }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'pod-logs', lang);
      await open(page, '/r/configmaps/default/settings', 'ConfigMap default/settings');
      await page.getByRole('tab', { name: 'YAML' }).click();
      await page.getByTestId('yaml-editor').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      expect(await missingKeys(page)).toEqual([]);
      await shot(page, 'configmap-yaml', lang);
    }
    expect(await page.evaluate("localStorage.getItem('wharf.lang')")).toBe('zh-CN');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
  });
});
