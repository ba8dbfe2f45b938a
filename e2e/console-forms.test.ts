// The console's edit forms in a real browser (Debian's Chromium via playwright-core) against
// `wharf up` (control plane only: the forms change objects, which kubectl reads back): a
// Deployment's container image, environment variables (plain, a ConfigMap key, a Secret key) and
// CPU/memory requests and limits, and a Service's ports. Each Save is a JSON patch after a dry
// run; a bad value shows the API's message beside its field and changes nothing; a user who may
// not patch finds Save disabled with the reason; axe-core and the missing-key record in both
// languages. Screenshots go to docs/console/.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, Kubectl, toolUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';
import { axeViolations, CHROMIUM, launch, missingKeys, newPage, shot, signInWithToken } from './console-browser.js';

const exec = promisify(execFile);
const skip = toolUnavailable([CHROMIUM], 'run scripts/setup.sh --test') || '';

const fixtures = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: busybox:1
          command: [sh, -c, 'sleep 100000']
          env: [{name: GREETING, value: hello}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: default}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: default}
stringData: {password: not-on-screen}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: viewer, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: viewer, namespace: default}
rules: [{apiGroups: ["", apps], resources: ["*"], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: viewer}
subjects: [{kind: ServiceAccount, name: viewer, namespace: default}]
`;

describe.skipIf(skip !== '')(`the console's edit forms ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let browser: Browser;
  let page: Page;
  let base = '';

  /** The web container's field, as kubectl reads it. */
  const container = async (jsonpath: string): Promise<string> =>
    k.ok(['get', 'deploy', 'web', '-n', 'default', '-o', `jsonpath={.spec.template.spec.containers[0]${jsonpath}}`]);
  const generation = async (kind: string): Promise<string> =>
    k.ok(['get', kind, 'web', '-n', 'default', '-o', 'jsonpath={.metadata.generation}']);
  const openEdit = async (p: Page, path: string, title: string): Promise<void> => {
    await p.goto(`${base}${path}`);
    await p.getByText(title).waitFor({ timeout: 30_000 });
    await p.getByRole('tab', { name: /^(Edit|编辑)$/ }).click();
  };
  const saved = (p: Page, text: string) => p.getByText(text).first().waitFor({ timeout: 20_000 });
  /**
   * axe once the "Saved" notices have gone: one starting to fade out while axe reads the page has
   * light grey text on white.
   */
  const axeSettled = async (p: Page): Promise<string[]> => {
    await eventually(
      async () => ((await p.locator('.ant-message-notice').count()) === 0 ? true : undefined),
      20_000,
      'the notices gone',
    );
    return axeViolations(p);
  };
  /** Picks an option of an antd Select by its label, and waits until its list has closed. */
  const choose = async (p: Page, label: string, option: string): Promise<void> => {
    await p.getByRole('combobox', { name: label }).focus();
    await p.keyboard.press('ArrowDown');
    await p.locator(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) [title="${option}"]`).click();
    await eventually(
      async () =>
        (await p.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').count()) === 0 ? true : undefined,
      10_000,
      'the option list closed',
    );
  };

  beforeAll(async () => {
    const port = await freePort();
    // Chromium starts while `wharf up` does: neither waits for the other.
    [wharf, browser] = await Promise.all([
      WharfProcess.start({ extraArgs: ['--console-port', String(port)] }),
      launch(),
    ]);
    base = `http://localhost:${port}`;
    k = new Kubectl(wharf.kubeconfig);
    await k.ok(['apply', '-f', '-'], { stdin: fixtures });
    page = await newPage(browser);
    const link = (await exec(process.execPath, [WHARF_BIN, 'console', '--data-dir', wharf.dataDir])).stdout.trim();
    await page.goto(link);
    await page.getByTestId('user-name').waitFor({ timeout: 60_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await wharf?.stop();
  });

  it("sets a container's image; an emptied image shows the API's message beside the field and changes nothing", async () => {
    await openEdit(page, '/r/deployments/default/web', 'Deployment default/web');
    await page.getByTestId('image-0-input').fill('busybox:1.36');
    // The command the user could run instead, shown before they save.
    await page.getByText('The same change with kubectl').first().click();
    expect(await page.getByTestId('image-0-kubectl').textContent()).toBe(
      `kubectl patch deployments.apps web -n default --type=json -p '[{"op":"test","path":"/spec/template/spec/containers/0/name","value":"web"},{"op":"add","path":"/spec/template/spec/containers/0/image","value":"busybox:1.36"}]'`,
    );
    await page.getByTestId('image-0-save').click();
    await saved(page, 'Saved the Image of web');
    await eventually(async () => (await container('.image')) === 'busybox:1.36' || undefined, 10_000, 'the image');

    const before = await generation('deploy');
    await page.getByTestId('image-0-input').fill('');
    await page.getByTestId('image-0-save').click();
    const error = await page.getByTestId('image-0-error').textContent({ timeout: 20_000 });
    expect(error).toBe('Required value');
    expect(await container('.image')).toBe('busybox:1.36');
    expect(await generation('deploy')).toBe(before);
    // Reset shows the stored image again and clears the message.
    await page.getByRole('button', { name: 'Reset' }).first().click();
    expect(await page.getByTestId('image-0-input').inputValue()).toBe('busybox:1.36');
    await eventually(
      async () => ((await page.getByTestId('image-0-error').count()) === 0 ? true : undefined),
      10_000,
      'the message gone',
    );
  });

  it('edits environment variables: a plain value, a ConfigMap key and a Secret key; a bad name is refused beside it', async () => {
    await page.getByTestId('env-1-value').fill('bonjour');
    await page.getByTestId('env-form-0-add').click();
    await page.getByTestId('env-2-name').fill('MODE');
    await choose(page, 'Source of variable 2', 'ConfigMap key');
    await page.getByLabel('ConfigMap of variable 2').fill('settings');
    await page.getByLabel('Key of variable 2').fill('mode');
    await page.getByTestId('env-form-0-add').click();
    await page.getByTestId('env-3-name').fill('PASSWORD');
    await choose(page, 'Source of variable 3', 'Secret key');
    await page.getByLabel('Secret of variable 3').fill('db');
    await page.getByLabel('Key of variable 3').fill('password');
    expect(await axeSettled(page)).toEqual([]);
    await shot(page, 'workload-edit', 'en');
    await page.getByTestId('env-form-0-save').click();
    await saved(page, 'Saved the Environment variables of web');
    await eventually(
      async () => JSON.parse((await container('.env')) || '[]') as unknown[],
      10_000,
      'the variables stored',
    );
    expect(JSON.parse(await container('.env'))).toEqual([
      { name: 'GREETING', value: 'bonjour' },
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ]);

    const before = await generation('deploy');
    await page.getByTestId('env-1-name').fill('MODE=slow');
    await page.getByTestId('env-form-0-save').click();
    const error = await page.getByTestId('env-1-name-error').textContent({ timeout: 20_000 });
    expect(error).toBe(
      `Invalid value: "MODE=slow": a valid environment variable name must consist only of printable ASCII characters other than '='`,
    );
    expect(await generation('deploy')).toBe(before);
    // Removing a variable removes it, nothing else.
    await page.getByRole('button', { name: 'Remove variable 1' }).click();
    await page.getByTestId('env-form-0-save').click();
    await eventually(
      async () => ((JSON.parse(await container('.env')) as unknown[]).length === 2 ? true : undefined),
      20_000,
      'GREETING removed',
    );
    expect(await container('.env[0].name')).toBe('MODE');
  });

  it('sets CPU and memory requests and limits; a quantity that does not parse is refused beside its field', async () => {
    await page.getByLabel('CPU request').fill('100m');
    await page.getByLabel('Memory request').fill('64Mi');
    await page.getByLabel('Memory limit').fill('128Mi');
    await page.getByTestId('resources-0-save').click();
    await saved(page, 'Saved the Resources of web');
    await eventually(async () => (await container('.resources.limits.memory')) || undefined, 10_000, 'the limit');
    expect(JSON.parse(await container('.resources'))).toEqual({
      requests: { cpu: '100m', memory: '64Mi' },
      limits: { memory: '128Mi' },
    });

    const before = await generation('deploy');
    await page.getByLabel('CPU limit').fill('lots');
    await page.getByTestId('resources-0-save').click();
    const error = await page.getByTestId('resources-0-limits-cpu-error').textContent({ timeout: 20_000 });
    expect(error).toContain('quantities must match the regular expression');
    expect(await generation('deploy')).toBe(before);
    expect(await container('.resources.limits.cpu')).toBe('');
    expect(await axeSettled(page)).toEqual([]);
  });

  it("edits a Service's ports; a port out of range is refused beside it and changes nothing", async () => {
    await openEdit(page, '/r/services/default/web', 'Service default/web');
    await page.getByLabel('Port number of port 1').fill('8081');
    await page.getByTestId('ports-add').click();
    await page.getByTestId('port-2-name').fill('metrics');
    await page.getByLabel('Port number of port 2').fill('9090');
    await page.getByTestId('port-2-target').fill('metrics');
    await page.getByTestId('ports-save').click();
    await saved(page, 'Saved the Ports of web');
    const ports = async () => k.ok(['get', 'svc', 'web', '-n', 'default', '-o', 'jsonpath={.spec.ports}']);
    await eventually(async () => (await ports()).includes('metrics') || undefined, 10_000, 'the ports stored');
    expect(JSON.parse(await ports())).toEqual([
      { name: 'http', protocol: 'TCP', port: 8081, targetPort: 8080 },
      { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 'metrics' },
    ]);

    const stored = await ports();
    await page.getByLabel('Port number of port 2').fill('70000');
    await page.getByTestId('ports-save').click();
    const error = await page.getByTestId('port-2-port-error').textContent({ timeout: 20_000 });
    expect(error).toBe('Invalid value: 70000: must be between 1 and 65535, inclusive');
    expect(await ports()).toBe(stored);
    expect(await axeSettled(page)).toEqual([]);
    await shot(page, 'service-ports', 'en');
  });

  it('in zh-CN every string of the forms is translated, and axe finds nothing', async () => {
    const zh = await newPage(browser, 'zh-CN');
    const link = (await exec(process.execPath, [WHARF_BIN, 'console', '--data-dir', wharf.dataDir])).stdout.trim();
    await zh.goto(link);
    await zh.getByTestId('user-name').waitFor({ timeout: 30_000 });
    await openEdit(zh, '/r/deployments/default/web', 'Deployment default/web');
    await zh.getByText('环境变量').waitFor();
    await zh.getByText('用 kubectl 做同样的修改').first().click();
    expect(await axeViolations(zh)).toEqual([]);
    await shot(zh, 'workload-edit', 'zh-CN');
    await openEdit(zh, '/r/services/default/web', 'Service default/web');
    await zh.getByText('添加端口').waitFor();
    expect(await axeViolations(zh)).toEqual([]);
    expect(await missingKeys(zh)).toEqual([]);
    expect(await missingKeys(page)).toEqual([]);
    await zh.context().close();
  });

  it('a user who may not patch sees the forms with Save disabled and the reason, and the API refuses them too; no terminal without exec', async () => {
    const token = (await k.ok(['create', 'token', 'viewer', '-n', 'default'])).trim();
    const [viewer, user] = await signInWithToken(browser, base, token);
    expect(user).toBe('Signed in as system:serviceaccount:default:viewer');
    await openEdit(viewer, '/r/deployments/default/web', 'Deployment default/web');
    for (const save of ['image-0-save', 'env-form-0-save', 'resources-0-save'])
      await eventually(async () => viewer.getByTestId(save).isDisabled(), 10_000, `${save} disabled`);
    const reason = await eventually(
      async () => (await viewer.getByTestId('not-allowed-reason').first().textContent()) || undefined,
      10_000,
      'the reason shown',
    );
    expect(reason).toMatch(/^Not allowed for your account/);
    // The button only spares a click: the API refuses the same patch from this user.
    const status = await viewer.evaluate(`fetch('/apis/apps/v1/namespaces/default/deployments/web', {
      method: 'PATCH', body: '[]', headers: { authorization: 'Bearer ' + sessionStorage.getItem('wharf.token'),
      'content-type': 'application/json-patch+json' } }).then((r) => r.status)`);
    expect(status).toBe(403);
    expect(await axeViolations(viewer)).toEqual([]);
    // A pod's terminal: the reason RBAC gives, no session that ends at once.
    const pod = await k.ok([
      'get',
      'pods',
      '-n',
      'default',
      '-l',
      'app=web',
      '-o',
      'jsonpath={.items[0].metadata.name}',
    ]);
    await viewer.goto(`${base}/r/pods/default/${pod}`);
    await viewer.getByRole('tab', { name: 'Terminal' }).click({ timeout: 30_000 });
    expect(await viewer.getByTestId('terminal-not-allowed').textContent({ timeout: 10_000 })).toMatch(
      /^Not allowed for your account/,
    );
    expect(await viewer.getByTestId('terminal').count()).toBe(0);
    await viewer.context().close();
  });
});
