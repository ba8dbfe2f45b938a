// The web console in a real browser (Debian's Chromium, headless, via playwright-core) against
// `wharf up --nodes 1` with real runc pods: sign in through a `wharf console` link, watch lists
// update live, scale, Secrets masked, edit YAML (dry run first; the API's message on a bad edit),
// delete with confirmation, follow logs, a shell in the web terminal, an Application's revisions
// after a config change, its per-key config diff, rollback and scale, its logs (every pod of a
// component in one stream, a pod joining, search, download) and a shell in a picked pod, the
// Configuration page (a ConfigSet key edited with a dry-run preview, published, rolled out; rolled
// back to an earlier version after a preview), the Cluster page's upgrade plan, an M+N application made
// with the create wizard (the API's refusal beside the field; then its URL), a node's pods and cordon,
// node CPU/memory charts and the firing alerts through Wharf's Prometheus query API, builds
// (steps, archived logs, cancel), a namespace-restricted
// user's view, an LDAP user's password sign-in (real slapd; httpOnly session cookie; the Images page;
// sign-out revoking the token at the API server), the Images
// page (the built-in registry's tags with their OCI annotations; delete a tag), silencing a firing
// alert in a real Alertmanager and expiring the silence, draining a node past a
// PodDisruptionBudget that holds a pod, zh-CN with no untranslated key, and axe-core on every page. Screenshots of each
// page in both languages go to docs/console/.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  freePort,
  importImage,
  Kubectl,
  ociArchive,
  runcUnavailable,
  Slapd,
  slapdUnavailable,
  toolUnavailable,
  WHARF_BIN,
  WharfProcess,
  writeFiles,
} from '@wharf/testing';
import {
  axeViolations,
  CHROMIUM,
  launch,
  loaded,
  missingKeys,
  navigate,
  newPage,
  pickNamespace,
  shot,
  signInWithToken,
} from './console-browser.js';

const run = promisify(execFile);
const AM_BIN = '/usr/bin/prometheus-alertmanager';
const skip =
  runcUnavailable() ||
  toolUnavailable([CHROMIUM, '/usr/bin/prometheus', AM_BIN], 'run scripts/setup.sh --test') ||
  slapdUnavailable() ||
  '';
const LDAP_PASSWORD = 'c0rrect-h0rse';

/** Two builds: one that finishes (its logs archived) and one that runs until the console cancels it. */
const builds = `
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: site-build, namespace: default}
spec:
  pipelineSpec:
    tasks:
      - name: compile
        taskSpec:
          steps:
            - {name: make, image: busybox:1, script: 'echo compiling-the-site; echo built-ok'}
            - {name: check, image: busybox:1, script: 'echo checks-passed'}
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: slow-build, namespace: default}
spec:
  pipelineSpec:
    tasks:
      - name: wait
        taskSpec:
          steps:
            - {name: sleep, image: busybox:1, script: 'echo waiting-forever; sleep 3600'}
`;

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
  # sh as PID 1 ignores SIGTERM: the drain waits this out before the pod is gone (30 s by default).
  terminationGracePeriodSeconds: 2
  # 6,000 lines at once first: more than the log view keeps (5,000).
  containers: [{name: ticker, image: busybox:1, command: ["sh", "-c", "awk 'BEGIN { for (i = 0; i < 6000; i++) print \\"boot-\\" i }'; i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.3; done"]}]
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
  let prometheus: ChildProcess | undefined;
  let alertmanager: ChildProcess | undefined;
  let amUrl = '';
  /** Digest of each shop-war tag, as `wharf image pack` printed it. */
  const digests = new Map<string, string>();
  /** A fetch from the page with its signed-in token (the console's own calls carry it the same way). */
  const fetchStatus = (p: Page, path: string, method = 'GET'): Promise<number> =>
    p.evaluate(
      `fetch(${JSON.stringify(path)}, { method: ${JSON.stringify(method)}, headers: { authorization: 'Bearer ' + sessionStorage.getItem('wharf.token') } }).then((r) => r.status)`,
    ) as Promise<number>;
  let slapd: Slapd | undefined;
  const tsdb = mkdtempSync(join(tmpdir(), 'wharf-console-prom-'));

  /** The shell's prompt (busybox sh as root: "/ # ") in the terminal: typing before it may be lost. */
  const shellPrompt = (p: Page): Promise<true> =>
    eventually(
      async () =>
        ((await p.getByTestId('terminal').locator('.xterm-rows').textContent()) ?? '').includes('#') || undefined,
      20_000,
      'the shell prompt',
    );
  const open = async (p: Page, path: string, ready: string): Promise<void> => {
    await p.goto(`${base}${path}`);
    await p.getByText(ready, { exact: false }).first().waitFor({ timeout: 20_000 });
  };
  /** The built `wharf` CLI; --kubeconfig goes before a `--`, after which words are the app's command. */
  const wharfCli = async (args: string[]): Promise<string> => {
    const dash = args.includes('--') ? args.indexOf('--') : args.length;
    return (
      await run(
        process.execPath,
        [WHARF_BIN, ...args.slice(0, dash), '--kubeconfig', wharf.kubeconfig, ...args.slice(dash)],
        { timeout: 120_000 },
      )
    ).stdout;
  };
  const appRevision = async (): Promise<number> =>
    Number(
      await k.ok([
        'get',
        'applications.platform.wharf.dev',
        'shop',
        '-n',
        'default',
        '-o',
        'jsonpath={.status.revision}',
      ]),
    );
  const wharfImage = async (args: string[]): Promise<string> =>
    (await run(process.execPath, [WHARF_BIN, 'image', ...args, '--data-dir', wharf.dataDir], { timeout: 120_000 }))
      .stdout;
  const consoleLink = async (): Promise<string> =>
    (await run(process.execPath, [WHARF_BIN, 'console', '--data-dir', wharf.dataDir])).stdout.trim();
  /** A browser of its own signed in through a `wharf console` link; what the page shows if that fails. */
  const adminPage = async (): Promise<Page> => {
    const p = await newPage(browser);
    await p.goto(await consoleLink());
    await p
      .getByTestId('user-name')
      .waitFor({ timeout: 60_000 })
      .catch(async (e: unknown) => {
        throw new Error(`${(e as Error).message}; the page shows: ${await p.locator('body').textContent()}`);
      });
    return p;
  };

  beforeAll(async () => {
    // Monitoring with a Prometheus on the host (as e2e/monitoring.test.ts): Wharf writes its
    // config and answers the query API from it; scraped every 2 s so charts fill quickly.
    const promPort = await freePort();
    // A real Alertmanager (Debian's) on loopback that Prometheus sends its alerts to; silences from
    // the console reach it through wharf up's gateway. It notifies nobody.
    amUrl = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(join(tsdb, 'alertmanager.yml'), 'route: {receiver: nobody}\nreceivers: [{name: nobody}]\n');
    alertmanager = spawn(
      AM_BIN,
      [
        `--config.file=${join(tsdb, 'alertmanager.yml')}`,
        `--storage.path=${join(tsdb, 'am')}`,
        `--web.listen-address=${new URL(amUrl).host}`,
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    );
    // A real directory (Debian's slapd, as the LDAP integration test starts it) for the password sign-in.
    slapd = await Slapd.start([{ uid: 'carol', password: LDAP_PASSWORD }], [{ cn: 'devs', members: ['carol'] }]);
    const ldap = [
      '--ldap-url',
      slapd.ldapsUrl,
      '--ldap-ca-file',
      slapd.caFile,
      '--ldap-user-dn-template',
      Slapd.userDNTemplate,
      '--ldap-group-search-base',
      Slapd.groupSearchBase,
    ];
    wharf = await WharfProcess.start({
      monitoring: true,
      readyTimeoutMs: 180_000,
      extraArgs: [
        '--nodes',
        '1',
        '--console-port',
        String(await freePort()),
        '--prometheus-url',
        `http://127.0.0.1:${promPort}`,
        '--alertmanager-url',
        amUrl,
        '--scrape-interval',
        '2s',
        ...ldap,
      ],
    });
    k = new Kubectl(wharf.kubeconfig);
    const promConfig = join(wharf.dataDir, 'monitoring', 'prometheus', 'prometheus.yml');
    await eventually(() => existsSync(promConfig) || undefined, 30_000, 'the operator to write prometheus.yml');
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${promConfig}`,
        `--storage.tsdb.path=${tsdb}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--web.enable-lifecycle',
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
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
    await k.ok(['apply', '-f', '-'], { stdin: fixtures });
    // The CLI's objects and the registry's images do not depend on one another: made side by side.
    await Promise.all([
      (async () => {
        // An Application reading a ConfigSet, made with the CLI; the console follows its first rollout.
        await wharfCli(['config', 'set', 'shop-settings', 'GREETING=hello', '-m', 'first', '-n', 'default']);
        await wharfCli([
          'app',
          'create',
          'shop',
          '-n',
          'default',
          '--image',
          'busybox:1',
          '--port',
          'http:8080',
          '--host',
          'shop.localhost',
          '--config',
          'shop-settings',
          '--analysis-seconds',
          '2',
          // Each config edit becomes a revision at once, not 5 s later (the default's gathering of edits).
          '--batch-seconds',
          '0',
          '--no-wait',
          '--',
          'sh',
          '-c',
          'echo "$GREETING" > /tmp/index.html && exec httpd -f -p 8080 -h /tmp',
        ]);
      })(),
      // An application of two pods that write a line every half second, for its logs and terminal tabs.
      wharfCli([
        'app',
        'create',
        'chatter',
        '-n',
        'default',
        '--image',
        'busybox:1',
        '--component',
        'talk',
        '--replicas',
        '2',
        '--analysis-seconds',
        '2',
        '--no-wait',
        '--',
        'sh',
        '-c',
        'i=0; while true; do echo "chat-$i"; i=$((i+1)); sleep 0.5; done',
      ]),
      k.ok(['apply', '-f', '-'], { stdin: builds }),
      (async () => {
        // Images with the annotations a build records (source, revision, base), as a build's pack step pushes them.
        const files = writeFiles(join(tsdb, 'image'), { 'app.war': 'war-bytes\n' });
        await wharfImage(['pack', files, '--to', '127.0.0.1:5000/runtime/tomcat:9']);
        for (const tag of ['abc1234', 'old']) {
          const out = await wharfImage([
            'pack',
            files,
            '--to',
            `127.0.0.1:5000/shop-war:${tag}`,
            '--source',
            'https://git.example/shop.git',
            '--revision',
            `${tag}0123456789`,
            '--base',
            '127.0.0.1:5000/runtime/tomcat:9',
          ]);
          digests.set(tag, out.trim().split('@')[1] ?? '');
        }
      })(),
      launch().then((b) => (browser = b)),
    ]);
    page = await newPage(browser);
  }, 360_000);

  afterAll(async () => {
    await browser?.close();
    prometheus?.kill('SIGTERM');
    alertmanager?.kill('SIGTERM');
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    await slapd?.stop();
    rmSync(tsdb, { recursive: true, force: true });
  });

  it('wharf up prints the console URL; wharf console prints a one-use link that signs the kubeconfig user in', async () => {
    expect(wharf.output).toMatch(/open http:\/\/localhost:\d+/);
    const link = await consoleLink();
    expect(link).toMatch(/^http:\/\/localhost:\d+\/#code=[\w-]{20,}$/);
    base = new URL(link).origin;
    await page.goto(link);
    // The browser's first load of the console (parsing its JavaScript cold) is the slowest one.
    await expect(page.getByTestId('user-name').textContent({ timeout: 60_000 })).resolves.toBe(
      'Signed in as wharf-admin',
    );
    // The code is gone from the address bar, and spent: a second browser cannot use it.
    expect(page.url()).not.toContain('code=');
    const other = await newPage(browser);
    await other.goto(link);
    await other.getByRole('alert').waitFor();
    expect(await other.getByRole('alert').textContent()).toContain('used already or has expired');
    await other.context().close();
    await page.getByText('Nodes ready').waitFor();
    await eventually(
      async () => (await page.getByTestId('nodes-ready').textContent())?.includes('1 / 1'),
      20_000,
      'node-0 Ready on the overview',
    );
  }, 120_000);

  it('a pod created with kubectl appears in the open list without a reload', async () => {
    await open(page, '/r/pods', 'ticker');
    // Keyboard only: focus the picker, type, Enter.
    await page.getByRole('combobox', { name: 'Namespace' }).focus();
    await page.keyboard.type('default');
    await page.keyboard.press('Enter');
    await page.getByTestId('watch-state').getByText('Live').waitFor();
    await k.ok([
      'run',
      'newcomer',
      '--image=busybox:1',
      '-n',
      'default',
      '--overrides={"spec":{"nodeSelector":{"nowhere":"x"}}}',
      '--command',
      '--',
      'sleep',
      '1',
    ]);
    await page.getByRole('link', { name: 'newcomer' }).waitFor({ timeout: 15_000 });
    // The label selector asks the API for matching pods only.
    await page.getByLabel('Label selector').fill('app=ticker');
    await page.getByLabel('Label selector').press('Enter');
    await eventually(
      async () => (await page.getByRole('link', { name: 'newcomer' }).count()) === 0,
      10_000,
      'newcomer filtered out',
    );
    // The filtered list comes from a new list + watch: wait for it rather than read it mid-way.
    await page.getByRole('link', { name: 'ticker' }).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('link', { name: 'ticker' }).count()).toBe(1);
  });

  it('scales a Deployment and sees the new count', async () => {
    await open(page, '/r/deployments/default/web', 'Deployment default/web');
    await page.getByRole('spinbutton', { name: 'Replicas' }).fill('2');
    await page.getByRole('button', { name: 'Scale' }).click();
    await page.getByText('Scaled web to 2').waitFor();
    await eventually(
      async () => (await k.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])) === '2',
      10_000,
      'spec.replicas 2',
    );
    await open(page, '/r/deployments', 'web');
    // Exactly `web`: the shop application's Deployment (shop-web-r1) has `web` in its name too.
    const row = page.locator('.ant-table-row').filter({ has: page.getByRole('link', { name: 'web', exact: true }) });
    await eventually(async () => (await row.textContent())?.includes('/2'), 60_000, 'the list shows 2 wanted');
  });

  it("edits a ConfigMap in the YAML editor; kubectl reads the change back; a bad edit shows the API's message", async () => {
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
    const current = JSON.parse(await k.ok(['get', 'cm', 'settings', '-o', 'json'])) as {
      metadata: Record<string, unknown>;
    };
    const yamlOf = (name: string, greeting: string): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n  resourceVersion: "${String(current.metadata.resourceVersion)}"\ndata:\n  greeting: ${greeting}\n`;
    await replace(yamlOf('settings', 'bonjour'));
    await page.getByTestId('yaml-save').click();
    await page.getByText('Saved settings').waitFor();
    expect(await k.ok(['get', 'cm', 'settings', '-o', 'jsonpath={.data.greeting}'])).toBe('bonjour');
    // A bad edit: the dry run refuses it with the API's Status message; nothing is stored.
    await replace(yamlOf('other', 'salut').replace(/resourceVersion: .*\n/, ''));
    await page.getByTestId('yaml-save').click();
    await expect(page.getByTestId('api-error-message').textContent({ timeout: 10_000 })).resolves.toBe(
      'the name of the object (other) does not match the name on the URL (settings)',
    );
    await page.getByText('The API answered 400 BadRequest').waitFor();
    expect(await k.ok(['get', 'cm', 'settings', '-o', 'jsonpath={.data.greeting}'])).toBe('bonjour');
  });

  it("never shows a Secret's values, nor the copy kubectl apply keeps in an annotation", async () => {
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
    expect(await dialog.locator('.ant-modal-confirm-content').textContent()).toBe(
      'This deletes ConfigMap "doomed" in namespace "default". It cannot be undone.',
    );
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Deleted ConfigMap doomed').waitFor();
    await eventually(
      async () => (await k.run(['get', 'cm', 'doomed'])).stderr.includes('NotFound'),
      10_000,
      'doomed deleted',
    );
  });

  it("follows a pod's logs as they are written; scrolled back, it stays on the lines being read", async () => {
    await k.ok(['wait', '--for=condition=Ready', 'pod/ticker', '--timeout=60s'], { timeoutMs: 70_000 });
    await open(page, '/r/pods/default/ticker', 'Pod default/ticker');
    await page.getByRole('tab', { name: 'Logs' }).click();
    const logs = page.getByTestId('pod-logs');
    /** The lines inside the view's box, as the reader sees them. */
    const inView = (): Promise<string[]> =>
      logs.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return [...el.querySelectorAll('[data-log-line]')]
          .filter((l) => {
            const r = l.getBoundingClientRect();
            return r.bottom > box.top + 1 && r.top < box.bottom - 1;
          })
          .map((l) => (l.textContent ?? '').trim());
      });
    const tickOf = (lines: string[]): number =>
      Math.max(-1, ...lines.map((l) => /^tick-(\d+)$/.exec(l)?.[1]).map((n) => (n === undefined ? -1 : Number(n))));
    const first = await eventually(
      async () => ((await tickOf(await inView())) >= 0 ? tickOf(await inView()) : undefined),
      20_000,
      'log lines',
    );
    // New lines arrive on the open stream, without a reload, and the newest is in view.
    await eventually(async () => (tickOf(await inView()) >= first + 3 ? true : undefined), 20_000, 'followed lines');
    // 5,000 lines kept (the pod wrote 6,000 before its ticks), a few of them in the page.
    await eventually(
      async () => ((await page.getByText('5000 lines').count()) === 1 ? true : undefined),
      10_000,
      '5000 lines',
    );
    expect(await logs.locator('[data-log-line]').count()).toBeLessThan(200);
    // Scrolled back to the middle: following pauses, and the lines read stay in place as new ones come
    // (and the oldest are dropped).
    await logs.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    const reading = await eventually(
      async () => {
        const lines = await inView();
        return lines[0]?.startsWith('boot-') ? lines : undefined;
      },
      5_000,
      'boot lines in view',
    );
    const newest = tickOf((await k.ok(['logs', 'ticker', '--tail=1'])).trim().split('\n'));
    await eventually(
      async () =>
        tickOf((await k.ok(['logs', 'ticker', '--tail=1'])).trim().split('\n')) >= newest + 4 ? true : undefined,
      20_000,
      'more ticks written',
    );
    expect(await inView()).toEqual(reading);
    // Back at the bottom, it follows again.
    await logs.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await eventually(async () => (tickOf(await inView()) >= newest + 4 ? true : undefined), 20_000, 'following again');
  });

  it('runs a command in the web terminal (exec over WebSocket, v5.channel.k8s.io) and shows its output', async () => {
    await open(page, '/r/pods/default/ticker', 'Pod default/ticker');
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByTestId('terminal-state').getByText('Connected').waitFor({ timeout: 20_000 });
    await page.getByTestId('terminal').click();
    await shellPrompt(page);
    await page.keyboard.type('echo console-$((6*7))\n');
    await page
      .getByTestId('terminal')
      .locator('.xterm-rows')
      .getByText('console-42', { exact: true })
      .waitFor({ timeout: 15_000 });
    await shot(page, 'pod-terminal', 'en');
  });

  it('lists the application with ready/desired per component, its URL and conditions, live', async () => {
    await open(page, '/apps', 'Applications');
    const row = page.locator('.ant-table-row', { hasText: 'shop' });
    await eventually(
      async () => ((await row.getByTestId('app-state').textContent()) === 'Ready' ? true : undefined),
      180_000,
      'shop Ready in the list',
    );
    expect(await row.getByTestId('ready-web').textContent()).toBe('web 1/1');
    expect(await row.textContent()).toMatch(/http:\/\/shop\.localhost:\d+\//);
    expect(await row.textContent()).toContain('Ready=True (Available)');
    expect(await axeViolations(page)).toEqual([]);
  }, 240_000);

  it('shows a config change as a new revision and the per-key diff of the versions; rolls back after a preview; scales a component', async () => {
    await page.getByRole('link', { name: 'shop', exact: true }).click();
    await page.getByText('Application default/shop').waitFor();
    const revisions = page.getByTestId('revisions-table');
    const causes = async (): Promise<string[]> => revisions.getByTestId('revision-cause').allTextContents();
    await eventually(async () => ((await causes()).length === 1 ? true : undefined), 20_000, 'revision 1 listed');
    expect(await revisions.locator('.ant-table-row').first().textContent()).toContain('current');
    // A config change made elsewhere (the CLI) appears as revision 2, caused by config, without a reload.
    await wharfCli([
      'config',
      'set',
      'shop-settings',
      'GREETING=bonjour',
      '-m',
      'french',
      '-n',
      'default',
      '--no-wait',
    ]);
    await eventually(
      async () => ((await causes()).join(',') === 'config shop-settings v2,created' ? true : undefined),
      60_000,
      'revision 2 (config) listed',
    );
    await eventually(
      async () => ((await page.getByTestId('app-revision').textContent()) === '2' ? true : undefined),
      120_000,
      'revision 2 current',
    );
    // The config tab: both versions, and the per-key diff of the latest against the one before.
    await page.getByRole('tab', { name: 'Config' }).click();
    const versions = page.getByTestId('config-versions');
    await eventually(
      async () => ((await versions.locator('.ant-table-row').count()) === 2 ? true : undefined),
      20_000,
      'two config versions',
    );
    expect(await versions.locator('.ant-table-row').first().textContent()).toContain('french');
    const diff = page.getByTestId('config-diff').locator('.ant-table-row');
    await diff.first().waitFor();
    expect(await diff.allTextContents()).toEqual(['GREETINGchangedhellobonjour']);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'application-config', 'en');
    // Roll back to revision 1: the confirmation names the app and shows the config version it restores.
    await page.getByRole('tab', { name: 'Revisions' }).click();
    await page.getByTestId('rollback-1').click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.locator('.ant-modal-confirm-title').textContent()).toBe('Roll back shop to revision 1?');
    expect(await dialog.getByTestId('rollback-preview').textContent()).toContain('config shop-settings@v1');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await page.getByText('Rollback of shop to revision 1 requested').waitFor();
    await eventually(
      async () => ((await causes())[0] === 'rollback to 1' ? true : undefined),
      60_000,
      'revision 3 (rollback) listed',
    );
    await eventually(
      async () => ((await page.getByTestId('app-revision').textContent()) === '3' ? true : undefined),
      120_000,
      'revision 3 current',
    );
    expect(await appRevision()).toBe(3);
    await shot(page, 'application-revisions', 'en');
    // Scale web to 2: the same update `wharf app scale` makes; the count follows the pods.
    await page.getByRole('spinbutton', { name: 'Replicas of web' }).fill('2');
    await page.getByTestId('scale-button-web').click();
    await page.getByText('Scaled web to 2').waitFor();
    expect(
      await k.ok([
        'get',
        'applications.platform.wharf.dev',
        'shop',
        '-n',
        'default',
        '-o',
        'jsonpath={.spec.components[0].replicas}',
      ]),
    ).toBe('2');
    await eventually(
      async () => ((await page.getByTestId('component-ready-web').textContent()) === '2/2' ? true : undefined),
      120_000,
      'web 2/2',
    );
  }, 480_000);

  /** chatter's running pods, by name. */
  const chatterPods = async (): Promise<string[]> =>
    (
      await k.ok([
        'get',
        'pods',
        '-n',
        'default',
        '-l',
        'platform.wharf.dev/application=chatter',
        '--field-selector=status.phase=Running',
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ])
    )
      .split(' ')
      .filter(Boolean)
      .sort();

  it("an application's logs: every pod of a component at once, each line prefixed with its pod, followed as a pod comes; searched and downloaded", async () => {
    await eventually(
      async () => ((await chatterPods()).length === 2 ? true : undefined),
      180_000,
      "chatter's two pods running",
    );
    const [first = '', second = ''] = await chatterPods();
    await open(page, '/apps/default/chatter', 'Application default/chatter');
    await page.getByRole('tab', { name: 'Logs' }).click();
    const logs = page.getByTestId('app-logs');
    /** The highest chat-N each pod has shown so far. */
    const lastOf = async (pod: string): Promise<number> =>
      Math.max(
        -1,
        ...[...((await logs.textContent()) ?? '').matchAll(new RegExp(`^\\[${pod}\\] chat-(\\d+)$`, 'gm'))].map((m) =>
          Number(m[1]),
        ),
      );
    const seen = await eventually(
      async () => {
        const [a, b] = [await lastOf(first), await lastOf(second)];
        return a >= 0 && b >= 0 ? [a, b] : undefined;
      },
      30_000,
      'lines of both pods, prefixed with their names',
    );
    // Followed: both pods' new lines arrive on the open streams.
    await eventually(
      async () =>
        (await lastOf(first)) > (seen[0] ?? 0) + 2 && (await lastOf(second)) > (seen[1] ?? 0) + 2 ? true : undefined,
      30_000,
      'followed lines of both pods',
    );
    expect(await page.getByTestId('app-logs-count').textContent()).toMatch(/^\d+ lines$/);
    // A third pod (scaled with the CLI) joins the view while it is open, once its container starts.
    await wharfCli(['app', 'scale', 'chatter', '--replicas', '3', '-n', 'default']);
    const third = await eventually(
      async () => (await chatterPods()).find((p) => p !== first && p !== second),
      120_000,
      'a third chatter pod running',
    );
    await eventually(async () => ((await lastOf(third)) >= 1 ? true : undefined), 60_000, `lines of ${third}`);
    expect(await page.getByText('from 3 pods').count()).toBe(1);
    // Search keeps the matching lines only; the download holds what is shown.
    await page.getByLabel('Search the logs').fill(third);
    await eventually(
      async () =>
        /^\d+ of \d+ lines match$/.test((await page.getByTestId('app-logs-count').textContent()) ?? '')
          ? true
          : undefined,
      10_000,
      'the match count',
    );
    const shown = ((await logs.textContent()) ?? '').split('\n');
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((l) => l.startsWith(`[${third}] chat-`))).toBe(true);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('app-logs-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('chatter-talk.log');
    const saved = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\n');
    expect(saved.length).toBeGreaterThan(0);
    expect(saved.every((l) => l.startsWith(`[${third}] chat-`))).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    expect(await missingKeys(page)).toEqual([]);
    await shot(page, 'application-logs', 'en');
  }, 300_000);

  it("an application's terminal: a shell in the picked pod of a component runs a command and shows its output", async () => {
    const pods = await chatterPods();
    const target = pods[pods.length - 1] ?? '';
    await open(page, '/apps/default/chatter', 'Application default/chatter');
    await page.getByRole('tab', { name: 'Terminal' }).click();
    // The first pod's shell opens by itself; another pod is picked while it connects.
    await page.getByTestId('app-terminal-pod').click();
    await page.locator(`.ant-select-item-option[title="${target}"]`).click();
    await page.getByTestId('terminal-state').getByText('Connected').waitFor({ timeout: 20_000 });
    await page.getByTestId('terminal').click();
    await shellPrompt(page);
    // The pod's hostname is its name: the output proves which pod the shell runs in.
    await page.keyboard.type('echo "$(hostname)-$((6*7))"\n');
    await page
      .getByTestId('terminal')
      .locator('.xterm-rows')
      .getByText(`${target}-42`, { exact: true })
      .waitFor({ timeout: 15_000 });
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'application-terminal', 'en');
  }, 120_000);

  it('configuration: lists ConfigSets with who reads them; edits a key with a dry-run preview of the change and its impact, then publishes a version the app rolls out', async () => {
    await open(page, '/configuration', 'Configuration sets');
    const row = page.getByTestId('configsets-table').locator('.ant-table-row', { hasText: 'shop-settings' });
    await eventually(
      async () => ((await row.getByTestId('configset-version').textContent()) === '2' ? true : undefined),
      20_000,
      'shop-settings at version 2',
    );
    expect(await row.textContent()).toContain('french');
    expect(await row.textContent()).toContain('shop');
    expect(await axeViolations(page)).toEqual([]);
    await row.getByRole('link', { name: 'shop-settings' }).click();
    await page.getByText('ConfigSet default/shop-settings').waitFor();
    expect(await page.getByTestId('configset-data').locator('.ant-table-row').allTextContents()).toEqual([
      'GREETINGbonjourEdit GREETING',
    ]);
    // A key the API would refuse is refused next to the field before anything is asked.
    await page.getByTestId('add-key').click();
    await page.getByLabel('Key', { exact: true }).fill('bad key!');
    await page.getByText('A key consists of letters, digits').waitFor();
    expect(await page.getByTestId('config-check').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();
    // Change GREETING: the dry run shows the per-key change and that shop rolls it out; nothing is stored yet.
    await page.getByRole('button', { name: 'Edit GREETING' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Value').fill('hola');
    await dialog.getByLabel('Why (recorded with the version)').fill('spanish');
    await dialog.getByTestId('config-check').click();
    await dialog.getByTestId('config-preview').waitFor();
    expect(await dialog.getByTestId('config-preview-changes').locator('.ant-table-row').allTextContents()).toEqual([
      'GREETINGchangedbonjourhola',
    ]);
    expect(await dialog.getByTestId('config-impact').locator('.ant-table-row').first().textContent()).toMatch(
      /^shopwebenvGREETINGrollout/,
    );
    expect(
      await k.ok([
        'get',
        'configsets.platform.wharf.dev',
        'shop-settings',
        '-n',
        'default',
        '-o',
        'jsonpath={.spec.data.GREETING}',
      ]),
    ).toBe('bonjour');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'configset-edit', 'en');
    const before = await appRevision();
    await dialog.getByTestId('config-save').click();
    // The platform publishes version 3 (author: the signed-in user, the message given) and shop rolls it out.
    await eventually(
      async () =>
        (await page.getByTestId('publish-status').textContent())?.includes('Published version 3 of shop-settings.')
          ? true
          : undefined,
      60_000,
      'version 3 published',
    );
    expect(await page.getByTestId('publish-status').getByRole('link', { name: 'shop' }).count()).toBe(1);
    const history = JSON.parse(
      await k.ok([
        'get',
        'configsets.platform.wharf.dev',
        'shop-settings',
        '-n',
        'default',
        '-o',
        'jsonpath={.status.history[0]}',
      ]),
    ) as { version: number; message?: string; author?: string };
    expect(history).toMatchObject({ version: 3, message: 'spanish' });
    expect(history.author).toBeTruthy();
    await eventually(
      async () => ((await appRevision()) > before ? true : undefined),
      60_000,
      'a new revision of shop for version 3',
    );
    const cause = await k.ok([
      'get',
      'applicationrevisions.platform.wharf.dev',
      '-n',
      'default',
      '-l',
      'platform.wharf.dev/application=shop',
      '-o',
      'jsonpath={.items[*].spec.cause}',
    ]);
    expect(cause).toContain('config shop-settings v3');
    // The versions tab: three, and the diff of the latest against the one before.
    await page.getByRole('tab', { name: 'Versions' }).click();
    await eventually(
      async () =>
        (await page.getByTestId('config-versions').locator('.ant-table-row').count()) === 3 ? true : undefined,
      20_000,
      'three versions',
    );
    const diff = page.getByTestId('config-diff').locator('.ant-table-row');
    await diff.first().waitFor();
    expect(await diff.allTextContents()).toEqual(['GREETINGchangedbonjourhola']);
    await page.getByRole('tab', { name: 'Read by' }).click();
    expect(await page.getByTestId('configset-readers').locator('.ant-table-row').first().textContent()).toMatch(
      /^shopwebenvall keysrollout/,
    );
    expect(await axeViolations(page)).toEqual([]);
  }, 240_000);

  it('configuration: rolls a ConfigSet back to an earlier version after a dry-run preview of the change and its impact; a new version is published and rolled out', async () => {
    await open(page, '/configuration/default/shop-settings', 'ConfigSet default/shop-settings');
    await page.getByRole('tab', { name: 'Versions' }).click();
    await page.getByTestId('rollback-config-1').click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.locator('.ant-modal-title').textContent()).toBe('Roll back shop-settings to version 1?');
    await dialog.getByTestId('config-preview').waitFor({ timeout: 20_000 });
    // Version 3 said hola; version 1 said hello: the change and the app that rolls it out, before anything is stored.
    expect(await dialog.getByTestId('config-preview-changes').locator('.ant-table-row').allTextContents()).toEqual([
      'GREETINGchangedholahello',
    ]);
    expect(await dialog.getByTestId('config-impact').locator('.ant-table-row').first().textContent()).toMatch(
      /^shopwebenvGREETINGrollout/,
    );
    expect(
      await k.ok([
        'get',
        'configsets.platform.wharf.dev',
        'shop-settings',
        '-n',
        'default',
        '-o',
        'jsonpath={.spec.data.GREETING}',
      ]),
    ).toBe('hola');
    expect(await axeViolations(page)).toEqual([]);
    expect(await missingKeys(page)).toEqual([]);
    await shot(page, 'configset-rollback', 'en');
    const before = await appRevision();
    await dialog.getByTestId('config-rollback-save').click();
    await eventually(
      async () =>
        (await page.getByTestId('publish-status').textContent())?.includes('Published version 4 of shop-settings.')
          ? true
          : undefined,
      60_000,
      'version 4 published',
    );
    const history = JSON.parse(
      await k.ok([
        'get',
        'configsets.platform.wharf.dev',
        'shop-settings',
        '-n',
        'default',
        '-o',
        'jsonpath={.status.history[0]}',
      ]),
    ) as { version: number; message?: string; author?: string };
    expect(history).toMatchObject({ version: 4, message: 'rollback to version 1' });
    expect(
      await k.ok([
        'get',
        'configsets.platform.wharf.dev',
        'shop-settings',
        '-n',
        'default',
        '-o',
        'jsonpath={.spec.data.GREETING}',
      ]),
    ).toBe('hello');
    await eventually(
      async () => ((await appRevision()) > before ? true : undefined),
      60_000,
      'a new revision of shop for version 4',
    );
    // The versions table lists the new one on top, named by its message.
    await eventually(
      async () =>
        (await page.getByTestId('config-versions').locator('.ant-table-row').first().textContent())?.includes(
          'rollback to version 1',
        )
          ? true
          : undefined,
      20_000,
      'version 4 listed',
    );
  }, 180_000);

  it("creates an M+N application through the wizard: the API's refusal beside the field, then the app runs and its URL serves the artifact", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-console-site-'));
    await importImage(
      wharf,
      ociArchive(
        { contentDir: writeFiles(join(dir, 'content'), { 'site/index.html': 'made-by-the-wizard\n' }) },
        join(dir, 'site.tar'),
      ),
      'wizard-site:1',
    );
    rmSync(dir, { recursive: true, force: true });
    await open(page, '/apps', 'Applications');
    await page.getByTestId('new-app').click();
    await page.getByRole('heading', { name: 'Create application' }).waitFor();
    // Next checks the required fields first.
    await page.getByTestId('new-app-next').click();
    await page.getByText('Required').first().waitFor();
    await page.getByLabel('Application name').fill('site');
    await page.getByLabel('Runtime image (M)').fill('busybox:1');
    await page.getByLabel('Command (optional)').fill(['httpd', '-f', '-p', '8080', '-h', '/www'].join('\n'));
    await page.getByLabel('Port').fill('8080');
    await page.getByLabel('Health check seconds per step').fill('2');
    await page.getByLabel('Host name (optional)').fill('site.localhost');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByTestId('new-app-next').click();
    // The N: an artifact image whose /site appears at the mount path (given relative: the API refuses it); and the
    // ConfigSet.
    await page.getByTestId('add-artifact').click();
    await page.getByLabel('Artifact 1 image').fill('wizard-site:1');
    await page.getByLabel('Artifact 1 path in the image').fill('/site');
    await page.getByLabel('Artifact 1 mount path').fill('www');
    await page.getByTestId('add-config').click();
    // Checked before the ConfigSet picker opens: antd leaves its closed option list in the page.
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Config 1: ConfigSet').click();
    await page.locator('.ant-select-item-option', { hasText: 'shop-settings' }).click();
    await shot(page, 'new-application', 'en');
    await page.getByTestId('new-app-next').click();
    const preview = page.getByTestId('new-app-preview');
    expect(await preview.textContent()).toContain('image: wizard-site:1');
    await page.getByTestId('new-app-create').click();
    // The dry run's refusal, beside the artifact's mount path, back on the step that holds it.
    const mount = page.getByTestId('artifact-0');
    await mount.getByText('mountPath must be an absolute path').waitFor();
    expect(await k.run(['get', 'applications.platform.wharf.dev', 'site', '-n', 'default'])).toMatchObject({ code: 1 });
    await page.getByLabel('Artifact 1 mount path').fill('/www');
    await page.getByTestId('new-app-next').click();
    await page.getByTestId('new-app-create').click();
    await page.getByText('Application default/site').waitFor({ timeout: 30_000 });
    const spec = JSON.parse(
      await k.ok(['get', 'applications.platform.wharf.dev', 'site', '-n', 'default', '-o', 'jsonpath={.spec}']),
    ) as { components: Record<string, unknown>[]; rollout?: unknown };
    expect(spec.components[0]).toMatchObject({
      name: 'web',
      replicas: 1,
      runtime: { image: 'busybox:1', command: ['httpd', '-f', '-p', '8080', '-h', '/www'] },
      ports: [{ port: 8080 }],
      expose: { host: 'site.localhost' },
      artifacts: [{ image: 'wizard-site:1', path: '/site', mountPath: '/www' }],
      config: [{ configSet: 'shop-settings', as: 'env' }],
    });
    expect(spec.rollout).toEqual({ analysisSeconds: 2 });
    // Ready, then its URL (the gateway) serves the artifact's page in the browser.
    await eventually(
      async () => ((await page.getByTestId('component-ready-web').textContent()) === '1/1' ? true : undefined),
      180_000,
      'site 1/1',
    );
    const url = await k.ok([
      'get',
      'applications.platform.wharf.dev',
      'site',
      '-n',
      'default',
      '-o',
      'jsonpath={.status.url}',
    ]);
    expect(url).toMatch(/^http:\/\/site\.localhost:\d+\/$/);
    const visit = await browser.newPage();
    await eventually(
      async () =>
        (
          await visit.goto(url).then(
            (r) => r?.text(),
            () => undefined,
          )
        )?.includes('made-by-the-wizard')
          ? true
          : undefined,
      60_000,
      'the app URL serving the artifact',
    );
    await visit.close();
  }, 300_000);

  it('the cluster page shows the API version, judges health as wharf cluster validate does, and the upgrade plan with NO-GO and its blockers', async () => {
    await open(page, '/cluster', 'Control-plane components');
    const version = (JSON.parse(await k.ok(['get', '--raw', '/version'])) as { gitVersion: string }).gitVersion;
    await eventually(
      async () => ((await page.getByTestId('cluster-version').textContent()) === version ? true : undefined),
      20_000,
      'the version shown',
    );
    const lease = page
      .getByTestId('cluster-components')
      .locator('.ant-table-row', { hasText: 'wharf-controller-manager' });
    expect(await lease.textContent({ timeout: 20_000 })).toContain('healthy');
    // The same verdict as the CLI's (which exits 1 when invalid, its JSON still on stdout).
    await eventually(
      async () => {
        const out = await run(process.execPath, [
          WHARF_BIN,
          'cluster',
          'validate',
          '-o',
          'json',
          '--kubeconfig',
          wharf.kubeconfig,
        ]).then(
          (r) => r.stdout,
          (e: { stdout?: string }) => e.stdout ?? '',
        );
        const cli = JSON.parse(out) as { valid: boolean; findings: { severity: string }[] };
        const failures = cli.findings.filter((f) => f.severity === 'failure').length;
        const verdict = (await page.getByTestId('cluster-verdict').textContent()) ?? '';
        return (
          cli.valid
            ? verdict.startsWith('The cluster is valid')
            : verdict.startsWith(`The cluster is not valid: ${failures} failures`)
        )
          ? true
          : undefined;
      },
      60_000,
      "the page's verdict matching wharf cluster validate",
    );
    // The upgrade plan, read-only: the next minor, a step per node, and NO-GO with the preflight's
    // blockers (a plain wharf up has no backup, as wharf cluster upgrade would say).
    const plan = page.locator('[data-testid^="upgrade-plan-"]').last();
    await plan.waitFor({ timeout: 60_000 });
    const node = await k.ok(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']);
    expect(await plan.getByTestId('upgrade-steps').textContent()).toContain(`Node ${node}: cordon, drain`);
    expect(await plan.getByTestId('upgrade-verdict').textContent()).toMatch(
      /^NO-GO \(blockers: [1-9]\d*, listed below\)/,
    );
    expect(
      await plan
        .getByTestId('upgrade-findings')
        .locator('.ant-table-row', { hasText: 'no backup of the cluster' })
        .textContent(),
    ).toBe('blockerno backup of the cluster: run wharf cluster backup first');
    expect(await axeViolations(page)).toEqual([]);
    expect(await missingKeys(page)).toEqual([]);
    await shot(page, 'cluster-upgrade', 'en');
  }, 120_000);

  it('a node page shows conditions, capacity, its pods; cordon and uncordon', async () => {
    const node = await k.ok(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']);
    await open(page, `/r/nodes/_/${node}`, `Node ${node}`);
    await page.getByRole('tab', { name: 'Conditions' }).click();
    expect(
      await page.getByTestId('node-conditions').locator('.ant-table-row', { hasText: 'Ready' }).first().textContent(),
    ).toContain('True');
    await page.getByRole('tab', { name: 'Capacity and allocatable' }).click();
    expect(await page.getByTestId('node-resources').locator('.ant-table-row', { hasText: 'pods' }).count()).toBe(1);
    await page.getByRole('tab', { name: 'Pods' }).click();
    await page.getByTestId('node-pods').getByRole('link', { name: 'ticker' }).waitFor({ timeout: 15_000 });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByTestId('cordon-button').click();
    await page.getByText(`Cordoned ${node}`).waitFor();
    expect(await k.ok(['get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'])).toBe('true');
    await page.getByRole('button', { name: 'Uncordon' }).waitFor();
    await open(page, '/r/nodes', node);
    await eventually(
      async () =>
        (await page.locator('.ant-table-row', { hasText: node }).textContent())?.includes('Ready,SchedulingDisabled'),
      10_000,
      'SchedulingDisabled in the list',
    );
    await open(page, `/r/nodes/_/${node}`, `Node ${node}`);
    await page.getByTestId('cordon-button').click();
    await page.getByText(`Uncordoned ${node}`).waitFor();
    expect(await k.ok(['get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'])).toBe('');
  });

  it("builds: the runs with their outcome, a run's steps and its archived logs; cancel after a confirmation", async () => {
    await open(page, '/builds', 'site-build');
    const row = page
      .locator('.ant-table-row')
      .filter({ has: page.getByRole('link', { name: 'site-build', exact: true }) });
    await eventually(
      async () => ((await row.getByTestId('build-outcome').textContent()) === 'Succeeded' ? true : undefined),
      180_000,
      'site-build Succeeded',
    );
    await row.getByRole('link', { name: 'site-build', exact: true }).click();
    await page.getByText('Build default/site-build').waitFor();
    const steps = page.getByTestId('build-steps');
    await eventually(
      async () =>
        (await steps.textContent())?.includes('make') && (await steps.textContent())?.includes('check')
          ? true
          : undefined,
      20_000,
      'the steps listed',
    );
    expect(await steps.locator('tr', { hasText: 'make' }).textContent()).toContain('Completed');
    const logs = page.getByTestId('build-logs');
    await eventually(
      async () => ((await logs.textContent())?.includes('checks-passed') ? true : undefined),
      30_000,
      'the archived logs',
    );
    expect(await logs.textContent()).toContain('compiling-the-site');
    // The task graph: the one task, with its TaskRun's outcome.
    expect(await page.getByTestId('graph-task-compile').getByTestId('task-state').textContent()).toBe('Succeeded');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'build', 'en');
    // Rerun: a new run of the same spec (as wharf build rerun), after a confirmation naming the run; the page follows
    // it.
    await page.getByTestId('rerun-build').click();
    const again = page.getByRole('dialog');
    expect(await again.locator('.ant-modal-confirm-title').textContent()).toBe('Rerun build site-build?');
    await again.getByRole('button', { name: 'Rerun' }).click();
    await page.getByText(/^Build default\/site-build-\w+$/).waitFor({ timeout: 20_000 });
    const rerun = page.url().split('/').pop() ?? '';
    expect(
      await k.ok([
        'get',
        'pipelineruns.tekton.dev',
        rerun,
        '-n',
        'default',
        '-o',
        'jsonpath={.metadata.annotations.platform\\.wharf\\.dev/trigger}',
      ]),
    ).toBe('rerun of site-build');
    // The slow one: its log streams while it runs; Cancel asks first, then Tekton reports Cancelled.
    await open(page, '/builds/default/slow-build', 'Build default/slow-build');
    await eventually(
      async () => ((await logs.textContent())?.includes('waiting-forever') ? true : undefined),
      180_000,
      "the running step's log",
    );
    await page.getByTestId('cancel-build').click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.locator('.ant-modal-confirm-title').textContent()).toBe('Cancel build slow-build?');
    await dialog.getByRole('button', { name: 'Cancel build' }).click();
    await page.getByText('Build slow-build cancelled').waitFor();
    await eventually(
      async () => ((await page.getByTestId('build-outcome').textContent()) === 'Cancelled' ? true : undefined),
      60_000,
      'slow-build Cancelled',
    );
    expect(
      await k.ok(['get', 'pipelineruns.tekton.dev', 'slow-build', '-n', 'default', '-o', 'jsonpath={.spec.status}']),
    ).toBe('Cancelled');
  }, 480_000);

  it("monitoring: a node's CPU and memory over time (uPlot) and the firing alerts, through Wharf's query API", async () => {
    await open(page, '/monitoring', 'Alerts');
    // Cluster-wide: the Watchdog alert has no namespace, so a namespaced view filters it out.
    await pickNamespace(page, 'All namespaces');
    // Prometheus starts in the background after `wharf up` (its image is built on first use), so give it time.
    const points = async (id: string): Promise<number> =>
      Number(
        (await page
          .getByTestId(id)
          .getAttribute('data-points', { timeout: 1000 })
          .catch(() => '0')) ?? 0,
      );
    await eventually(
      async () => ((await points('chart-cpu')) > 0 ? true : undefined),
      300_000,
      'node CPU samples charted',
    );
    expect(await page.getByTestId('chart-cpu').locator('canvas').count()).toBe(1);
    expect(await page.getByTestId('chart-cpu-latest').textContent()).toMatch(/^CPU \(cores\), latest: .+: \d/);
    await eventually(
      async () => ((await points('chart-memory')) > 0 ? true : undefined),
      60_000,
      'node memory samples charted',
    );
    await page
      .getByTestId('alerts-table')
      .locator('.ant-table-row', { hasText: 'Watchdog' })
      .waitFor({ timeout: 60_000 });
    expect(
      await page.getByTestId('alerts-table').locator('.ant-table-row', { hasText: 'Watchdog' }).textContent(),
    ).toContain('firing');
    expect(await axeViolations(page)).toEqual([]);
    expect(await missingKeys(page)).toEqual([]);
    await shot(page, 'monitoring', 'en');
  }, 480_000);

  it('silences the firing Watchdog alert in Alertmanager from the console, signed by the user, then expires the silence after a confirmation', async () => {
    await open(page, '/monitoring', 'Silences');
    const row = page.getByTestId('alerts-table').locator('.ant-table-row', { hasText: 'Watchdog' });
    await row.getByRole('button', { name: 'Silence Watchdog' }).click({ timeout: 60_000 });
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByTestId('silence-matchers').textContent()).toContain('alertname=Watchdog');
    await dialog.getByLabel('Why').fill('console e2e: planned maintenance');
    await dialog.getByRole('button', { name: 'Silence', exact: true }).click();
    await page.getByText('Silenced Watchdog').waitFor();
    expect(await row.getByTestId('alert-silenced').textContent({ timeout: 20_000 })).toBe('silenced by wharf-admin');
    const silenceRow = page.getByTestId('silences-table').locator('.ant-table-row', { hasText: 'alertname=Watchdog' });
    expect(await silenceRow.textContent()).toMatch(/active.*wharf-admin.*console e2e: planned maintenance/);
    // In Alertmanager itself: signed with the API server's name for the user, and muting the alert Prometheus sends.
    type AmSilence = { id: string; createdBy: string; comment: string; status: { state: string } };
    const silences = (await (await fetch(`${amUrl}/api/v2/silences`)).json()) as AmSilence[];
    const ours = silences.find((x) => x.comment === 'console e2e: planned maintenance');
    expect(ours).toMatchObject({ createdBy: 'wharf-admin', status: { state: 'active' } });
    const id = ours?.id ?? '';
    await eventually(
      async () => {
        const alerts = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as {
          labels: Record<string, string>;
          status: { silencedBy: string[] };
        }[];
        return alerts.some((a) => a.labels.alertname === 'Watchdog' && a.status.silencedBy.includes(id)) || undefined;
      },
      120_000,
      'Alertmanager muting Watchdog',
    );
    // The "Silenced" toast fades out: axe would judge its contrast mid-animation.
    await page.locator('.ant-message-notice').waitFor({ state: 'detached', timeout: 20_000 });
    expect(await axeViolations(page)).toEqual([]);
    expect(await missingKeys(page)).toEqual([]);
    await shot(page, 'monitoring-silence', 'en');
    await silenceRow.getByTestId('expire-silence').click();
    const confirm = page.getByRole('dialog');
    expect(await confirm.locator('.ant-modal-confirm-title').textContent()).toBe(`Expire silence ${id.slice(0, 8)}?`);
    expect(await confirm.locator('.ant-modal-confirm-content').textContent()).toContain('alertname=Watchdog');
    await confirm.getByRole('button', { name: 'Expire' }).click();
    await page.getByText(`Silence ${id.slice(0, 8)} expired`).waitFor();
    await eventually(
      async () =>
        ((await (await fetch(`${amUrl}/api/v2/silence/${id}`)).json()) as AmSilence).status.state === 'expired' ||
        undefined,
      20_000,
      'the silence expired in Alertmanager',
    );
    await row.getByRole('button', { name: 'Silence Watchdog' }).waitFor({ timeout: 20_000 });
    // Back to the namespace the other tests use.
    await pickNamespace(page, 'default');
  }, 300_000);

  it("images: the registry's repositories and tags with digest, size and OCI annotations; a tag deleted after a confirmation naming it", async () => {
    await page.goto(`${base}/images`);
    await page.getByRole('link', { name: 'shop-war' }).waitFor({ timeout: 60_000 });
    const repo = page.getByTestId('repositories-table').locator('.ant-table-row', { hasText: 'shop-war' });
    expect(await repo.textContent()).toMatch(/shop-war2.*abc1234.*old/);
    expect(
      await page.getByTestId('repositories-table').locator('.ant-table-row', { hasText: 'runtime/tomcat' }).count(),
    ).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await repo.getByRole('link', { name: 'shop-war' }).click();
    await page.getByText('Repository shop-war').waitFor();
    const tag = page.getByTestId('tags-table').locator('.ant-table-row', { hasText: 'abc1234' });
    await tag.waitFor({ timeout: 60_000 });
    const text = (await tag.textContent()) ?? '';
    expect(text).toContain((digests.get('abc1234') ?? 'missing').slice(0, 'sha256:'.length + 12));
    expect(text).toContain('https://git.example/shop.git');
    expect(text).toContain('abc123401234'); // the revision, 12 characters
    expect(text).toContain('127.0.0.1:5000/runtime/tomcat:9');
    expect(await tag.getByTestId('size-abc1234').textContent()).toMatch(/^\d+(\.\d)? (B|KiB)$/);
    expect(await axeViolations(page)).toEqual([]);
    expect(await missingKeys(page)).toEqual([]);
    await shot(page, 'repository', 'en');
    await page.getByTestId('delete-old').click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.locator('.ant-modal-confirm-title').textContent()).toBe('Delete tag shop-war:old?');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Deleted tag shop-war:old').waitFor();
    await eventually(
      async () =>
        (await page.getByTestId('tags-table').locator('.ant-table-row', { hasText: 'old' }).count()) === 0
          ? true
          : undefined,
      20_000,
      'the tag gone from the page',
    );
    expect(await fetchStatus(page, '/v2/shop-war/manifests/old')).toBe(404);
    expect(await fetchStatus(page, '/v2/shop-war/manifests/abc1234')).toBe(200);
  }, 240_000);

  it('signs a directory user in with their LDAP password: a wrong one refused, the session an httpOnly cookie no script reads, RBAC by directory group, images, sign-out revokes the token', async () => {
    await k.ok([
      'create',
      'rolebinding',
      'devs-view',
      '-n',
      'default',
      '--clusterrole',
      'view',
      '--group',
      'ldap:devs',
    ]);
    const carol = await newPage(browser);
    await carol.goto(`${base}/`);
    await carol.getByLabel('Username').fill('carol');
    await carol.getByLabel('Password').fill('not-her-password');
    await carol.getByRole('button', { name: 'Sign in' }).click();
    expect(await carol.getByTestId('sign-in-error').textContent({ timeout: 20_000 })).toBe(
      'Wrong username or password.',
    );
    expect(await axeViolations(carol)).toEqual([]);
    await shot(carol, 'sign-in-password', 'en');
    await carol.getByLabel('Password').fill(LDAP_PASSWORD);
    await carol.getByRole('button', { name: 'Sign in' }).click();
    await expect(carol.getByTestId('user-name').textContent({ timeout: 20_000 })).resolves.toBe('Signed in as carol');
    await open(carol, '/r/pods', 'ticker');
    const cookie = (await carol.context().cookies()).find((c) => c.name === 'wharf-session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
    expect(await carol.evaluate('document.cookie')).not.toContain('wharf-session');
    expect(await carol.evaluate("sessionStorage.getItem('wharf.token')")).toBeNull();
    // The cookie counts only on the console's own requests (its header): a plain request is anonymous.
    const status = (headers: Record<string, string>): Promise<number> =>
      carol.evaluate(
        `fetch('/api/v1/namespaces/default/pods', { headers: ${JSON.stringify(headers)} }).then((r) => r.status)`,
      ) as Promise<number>;
    expect(await status({ 'x-wharf-console': '1' })).toBe(200);
    expect([401, 403]).toContain(await status({}));
    // The Images page works for her: the registry takes the sign-in session's token. Deleting needs
    // RBAC her view role lacks: Delete disabled, and the registry refuses the call itself.
    await open(carol, '/images', 'shop-war');
    await open(carol, '/images/shop-war', 'abc1234');
    await eventually(
      async () => carol.getByTestId('delete-abc1234').isDisabled(),
      10_000,
      'Delete of a tag disabled for carol',
    );
    const registry = (method: string): Promise<number> =>
      carol.evaluate(
        `fetch('/v2/shop-war/manifests/abc1234', { method: '${method}', headers: { 'x-wharf-console': '1' } }).then((r) => r.status)`,
      ) as Promise<number>;
    expect(await registry('GET')).toBe(200);
    expect(await registry('DELETE')).toBe(403);
    expect(await axeViolations(carol)).toEqual([]);
    await shot(carol, 'repository-directory-user', 'en');
    // Sign-out ends the session at the API server: a copy of the token is refused from then on.
    const token = cookie?.value ?? '';
    const asCarol = (): ReturnType<Kubectl['run']> => k.run(['get', 'pods', '-n', 'default', '--token', token]);
    expect((await asCarol()).code).toBe(0);
    await carol.getByRole('button', { name: 'Sign out' }).click();
    await carol.getByLabel('Username').waitFor();
    expect((await carol.context().cookies()).find((c) => c.name === 'wharf-session')).toBeUndefined();
    expect((await asCarol()).stderr).toContain('Unauthorized');
    await carol.goto(`${base}/r/pods`);
    await carol.getByLabel('Username').waitFor();
    await carol.context().close();
  });

  it('a user bound to one namespace without delete sees only that namespace, and Delete disabled with the reason', async () => {
    const token = (await k.ok(['create', 'token', 'dev', '-n', 'team-a'])).trim();
    const [dev, user] = await signInWithToken(browser, base, token);
    expect(user).toBe('Signed in as system:serviceaccount:team-a:dev');
    await open(dev, '/r/configmaps', 'team-settings');
    expect(await dev.getByRole('link', { name: 'settings', exact: true }).count()).toBe(0);
    await dev.getByRole('combobox', { name: 'Namespace' }).focus();
    await dev.keyboard.press('ArrowDown');
    await dev.locator('.ant-select-item-option').first().waitFor();
    expect(await dev.locator('.ant-select-item-option').allTextContents()).toEqual(['team-a']);
    await dev.keyboard.press('Escape');
    // Images: the registry lets any cluster token pull, but deleting needs RBAC the dev lacks — the
    // button is disabled with the reason, and the registry refuses the call itself.
    await open(dev, '/images/shop-war', 'abc1234');
    await eventually(async () => dev.getByTestId('delete-abc1234').isDisabled(), 10_000, 'Delete of a tag disabled');
    expect(await fetchStatus(dev, '/v2/shop-war/manifests/abc1234', 'DELETE')).toBe(403);
    await open(dev, '/r/configmaps', 'team-settings');
    await dev.getByRole('link', { name: 'team-settings' }).click();
    await dev.getByText('ConfigMap team-a/team-settings').waitFor();
    await eventually(async () => dev.getByTestId('delete-button').isDisabled(), 10_000, 'Delete disabled');
    // The reason arrives with the access review's answer, a moment after the button is disabled.
    const reason = await eventually(
      async () => (await dev.getByTestId('not-allowed-reason').textContent()) || undefined,
      10_000,
      'the reason shown',
    );
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
    {
      name: 'deployment',
      path: '/r/deployments/default/web',
      ready: { en: 'Deployment default/web', 'zh-CN': 'Deployment default/web' },
    },
    { name: 'configmaps', path: '/r/configmaps', ready: { en: 'settings', 'zh-CN': 'settings' } },
    // A reason in the list, not the title: the menu says "Events" before the list has come.
    { name: 'events', path: '/r/events', ready: { en: 'Scheduled', 'zh-CN': 'Scheduled' } },
    { name: 'applications', path: '/apps', ready: { en: 'shop', 'zh-CN': 'shop' } },
    { name: 'new-application-form', path: '/apps/new', ready: { en: 'Runtime image (M)', 'zh-CN': '运行时镜像 (M)' } },
    {
      name: 'application',
      path: '/apps/default/shop',
      ready: { en: 'Application default/shop', 'zh-CN': '应用 default/shop' },
    },
    { name: 'configsets', path: '/configuration', ready: { en: 'shop-settings', 'zh-CN': 'shop-settings' } },
    { name: 'configset', path: '/configuration/default/shop-settings', ready: { en: 'GREETING', 'zh-CN': 'GREETING' } },
    { name: 'nodes', path: '/r/nodes', ready: { en: 'Ready', 'zh-CN': 'Ready' } },
    { name: 'cluster', path: '/cluster', ready: { en: 'Control-plane components', 'zh-CN': '控制平面组件' } },
    { name: 'monitoring-page', path: '/monitoring', ready: { en: 'Alerts', 'zh-CN': '告警' } },
    { name: 'builds', path: '/builds', ready: { en: 'site-build', 'zh-CN': 'site-build' } },
    { name: 'images', path: '/images', ready: { en: 'shop-war', 'zh-CN': 'shop-war' } },
    { name: 'repository', path: '/images/shop-war', ready: { en: 'abc1234', 'zh-CN': 'abc1234' } },
    { name: 'build', path: '/builds/default/site-build', ready: { en: 'checks-passed', 'zh-CN': 'checks-passed' } },
  ] as const;

  const LOADING = { en: 'Loading…', 'zh-CN': '加载中…' } as const;
  /**
   * Every page in one language: the first loaded afresh, the rest reached as the console's links reach
   * them (see navigate), so a check costs the page's own work and not a reload of the console with axe.
   */
  const checkPages = async (p: Page, lang: 'en' | 'zh-CN'): Promise<void> => {
    for (const [i, pg] of pages.entries()) {
      await (i === 0 ? open : navigate)(p, pg.path, pg.ready[lang]);
      await loaded(p, LOADING[lang]);
      expect(await missingKeys(p), `${pg.name} in ${lang}`).toEqual([]);
      expect(await axeViolations(p), `${pg.name} in ${lang}`).toEqual([]);
      await shot(p, pg.name, lang);
    }
    await navigate(p, '/r/pods/default/ticker', 'Pod default/ticker');
    await p.getByRole('tab', { name: lang === 'en' ? 'Logs' : '日志' }).click();
    await p.getByTestId('pod-logs').getByText('tick-', { exact: false }).last().waitFor();
    expect(await axeViolations(p)).toEqual([]);
    await shot(p, 'pod-logs', lang);
    await navigate(p, '/r/configmaps/default/settings', 'ConfigMap default/settings');
    await p.getByRole('tab', { name: 'YAML' }).click();
    await p.getByTestId('yaml-editor').waitFor();
    // CodeMirror's scroller is focusable through its content once that is in place.
    await p.locator('.cm-content').waitFor();
    expect(await axeViolations(p)).toEqual([]);
    expect(await missingKeys(p)).toEqual([]);
    await shot(p, 'configmap-yaml', lang);
  };

  it('every page in English and in zh-CN: no untranslated key, no serious axe-core violation, a screenshot each', async () => {
    // zh-CN in a browser of its own, signed in and checked while English is: the two renderers share the cores.
    const chinese = async (): Promise<Page> => {
      const zh = await adminPage();
      await pickNamespace(zh, 'default'); // where the English pages are, since the tests before
      // Switch through the header, as a user would; the choice survives the reload checkPages starts with.
      await zh.getByRole('combobox', { name: 'Language' }).focus();
      await zh.keyboard.press('ArrowDown');
      await zh.locator('.ant-select-item-option', { hasText: '简体中文' }).click();
      await zh.getByText('概览').first().waitFor();
      await checkPages(zh, 'zh-CN');
      return zh;
    };
    const [, zh] = await Promise.all([checkPages(page, 'en'), chinese()]);
    expect(await zh.evaluate("localStorage.getItem('wharf.lang')")).toBe('zh-CN');
    expect(await zh.locator('html').getAttribute('lang')).toBe('zh-CN');
    await zh.context().close();
  }, 720_000);

  // Last: it evicts the pods the other tests use.
  it('drains a node: cordoned, its pods evicted, and the one a PodDisruptionBudget holds named with the budget until the user stops', async () => {
    // No web pod may go while all are healthy (web runs 2 replicas since the scale test).
    await k.ok(['apply', '-f', '-'], {
      stdin:
        'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web-pdb, namespace: default}\nspec: {maxUnavailable: 0, selector: {matchLabels: {app: web}}}\n',
    });
    const node = await k.ok(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']);
    const webPod = await k.ok([
      'get',
      'pods',
      '-n',
      'default',
      '-l',
      'app=web',
      '-o',
      'jsonpath={.items[0].metadata.name}',
    ]);
    await eventually(
      async () => {
        const [healthy, expected, allowed] = (
          await k.ok([
            'get',
            'pdb',
            'web-pdb',
            '-n',
            'default',
            '-o',
            'jsonpath={.status.currentHealthy} {.status.expectedPods} {.status.disruptionsAllowed}',
          ])
        ).split(' ');
        return (healthy === expected && Number(healthy) > 0 && allowed === '0') || undefined;
      },
      90_000,
      'the budget counting every web pod healthy',
    );
    const admin = await adminPage();
    await open(admin, `/r/nodes/_/${node}`, `Node ${node}`);
    await admin.getByTestId('drain-button').click();
    const dialog = admin.getByRole('dialog');
    expect(await dialog.locator('.ant-modal-confirm-title').textContent()).toBe(`Drain node ${node}?`);
    const body = (await dialog.locator('.ant-modal-confirm-content').textContent()) ?? '';
    expect(body).toContain(webPod);
    expect(body).toContain('No controller recreates these pods: they are gone for good: ticker');
    await dialog.getByRole('button', { name: 'Drain' }).click();
    const table = admin.getByTestId('drain-table');
    const web = table.locator('.ant-table-row', { hasText: `default/${webPod}` });
    await eventually(
      async () => {
        if (
          (await web
            .getByTestId('drain-state')
            .textContent({ timeout: 1000 })
            .catch(() => '')) === 'blocked'
        )
          return true;
        throw new Error(
          `the drain table says: ${(await table.textContent({ timeout: 1000 }).catch(() => '')) ?? ''}; wharf up's last output: ${wharf.output.slice(-2000)}`,
        );
      },
      60_000,
      `${webPod} blocked`,
    );
    expect(await web.getByTestId('drain-budget').textContent()).toMatch(
      /^Held by PodDisruptionBudget web-pdb \(maxUnavailable 0\): (\d) healthy, \1 needed, 0 disruptions allowed$/,
    );
    expect(await web.textContent()).toContain('disruption budget');
    await eventually(
      async () =>
        (await table
          .locator('.ant-table-row', { hasText: 'default/ticker' })
          .getByTestId('drain-state')
          .textContent({ timeout: 1000 })
          .catch(() => '')) === 'evicted'
          ? true
          : undefined,
      60_000,
      'ticker evicted',
    );
    expect(await k.ok(['get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'])).toBe('true');
    // Evicted is deleted gracefully: gone once its container stops.
    await eventually(
      async () => ((await k.run(['get', 'pod', 'ticker', '-n', 'default'])).code !== 0 ? true : undefined),
      90_000,
      'ticker deleted',
    );
    expect(await axeViolations(admin)).toEqual([]);
    expect(await missingKeys(admin)).toEqual([]);
    await shot(admin, 'node-drain', 'en');
    await admin.getByTestId('drain-stop').click();
    await admin.getByTestId('drain-stop').waitFor({ state: 'detached', timeout: 20_000 });
    expect(await k.ok(['get', 'pod', webPod, '-n', 'default', '-o', 'jsonpath={.metadata.name}'])).toBe(webPod);
    await admin.getByTestId('cordon-button').click();
    await admin.getByText(`Uncordoned ${node}`).waitFor();
    await admin.context().close();
  }, 300_000);
});
