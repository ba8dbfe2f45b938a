// The `wharf app|config|secret` CLI, run as the built binary against a real `wharf up --nodes 1`
// (runc pods, the in-process platform controllers, the Ingress gateway): create → ls/get/url →
// config set (dry run, then real) → history/diff → a bad config rolled back → app rollback →
// scale → logs/exec; secrets given on stdin never appear in argv or output; errors are one line.
// Needs root, runc and the CNI plugins (skipped with the reason otherwise).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, httpGet, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const SECRET = 'pa55-Zq9-never-shown';

/** Serves $GREETING; refuses to start when it is `bad`, so a bad config fails the health gate. */
const SERVE =
  'if [ "$GREETING" = bad ]; then echo "bad greeting" >&2; exit 1; fi; mkdir -p /tmp/www && echo "$GREETING" > /tmp/www/index.html && echo "started with $GREETING" && exec httpd -f -p 8080 -h /tmp/www';

describe.skipIf(skip)(`wharf app, config and secret against a real cluster${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let tmp: string;

  /** Runs the built `wharf` binary; never throws on a non-zero exit. */
  const wharfCli = (
    args: string[],
    opts: { stdin?: string; env?: Record<string, string>; kubeconfig?: string | false } = {},
  ): Promise<Result> =>
    new Promise((resolve, reject) => {
      const kc = opts.kubeconfig === false ? [] : ['--kubeconfig', opts.kubeconfig ?? wharf.kubeconfig];
      // Verb options after the verb: commander reads them wherever they stand, before `--`.
      const dash = args.indexOf('--');
      const full = dash < 0 ? [...args, ...kc] : [...args.slice(0, dash), ...kc, ...args.slice(dash)];
      const child = spawn(process.execPath, [WHARF_BIN, ...full], {
        env: { ...process.env, HOME: tmp, ...(opts.env ?? {}) },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(opts.stdin ?? '');
    });
  const ok = async (args: string[], opts: Parameters<typeof wharfCli>[1] = {}): Promise<string> => {
    const r = await wharfCli(args, opts);
    if (r.code !== 0) throw new Error(`wharf ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  /** GET through the Ingress gateway with the Host a browser sends for the app's URL. */
  const fetchUrl = (url: string): Promise<string> => {
    const u = new URL(url);
    return httpGet({
      host: '127.0.0.1',
      port: Number(u.port),
      path: u.pathname,
      headers: { host: u.host },
      timeoutMs: 10_000,
    }).then((r) => r.text);
  };
  const serves = async (text: string): Promise<void> => {
    const url = (await ok(['app', 'url', 'shop', '-n', 'demo'])).trim();
    await eventually(
      async () => ((await fetchUrl(url).catch(() => '')).trim() === text ? true : undefined),
      30_000,
      `${url} serving "${text}"`,
    );
  };

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'], readyTimeoutMs: 90_000 }); // a loaded machine starts slowly
    k = new Kubectl(wharf.kubeconfig);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'wharf-cli-'));
    // Two tags of the same image: `wharf app deploy` releases busybox:2 as a new version.
    for (const tag of ['busybox:1', 'busybox:2'])
      await run(
        process.execPath,
        [WHARF_BIN, 'image', 'build-base', tag, '--debian-packages', 'busybox-static', '--data-dir', wharf.dataDir],
        { timeout: 120_000 },
      );
    await k.ok(['create', 'namespace', 'demo']);
  }, 180_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('creates an application from flags and waits until it serves', async () => {
    const cfg = await ok(['config', 'set', 'shop-settings', 'GREETING=hello', '-m', 'first', '-n', 'demo']);
    expect(cfg).toContain('No application in namespace demo reads configset shop-settings');
    expect(cfg).toContain('configset shop-settings: published version 1');
    const r = await wharfCli([
      'app',
      'create',
      'shop',
      '-n',
      'demo',
      '--image',
      'busybox:1',
      '--port',
      'http:8080',
      '--host',
      'shop.localhost',
      '--config',
      'shop-settings',
      '--analysis-seconds',
      '3',
      // Each config edit becomes a revision at once, not 5 s later (the default's gathering of edits).
      '--batch-seconds',
      '0',
      '--',
      'sh',
      '-c',
      SERVE,
    ]);
    expect(r.stderr + r.stdout).toMatch(/shop: revision 1: \d\/1 pods Ready/); // progress, from status
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('application shop created in namespace demo');
    expect(r.stdout).toMatch(/revision 1 is rolled out \(created\), http:\/\/shop\.localhost:\d+\//);
    await serves('hello');
  }, 240_000);

  it('lists and shows it, as tables and as JSON, using $KUBECONFIG and the context namespace too', async () => {
    const table = (await ok(['app', 'ls', '-n', 'demo'])).split('\n');
    expect(table[0]).toMatch(/^NAME\s+REVISION\s+READY\s+STATE\s+URL\s+AGE$/);
    expect(table[1]).toMatch(/^shop\s+1\s+1\/1\s+Ready\s+http:\/\/shop\.localhost:\d+\//);
    // No --kubeconfig: $KUBECONFIG; no -n: the context's namespace, set here to demo.
    const kc = parse(readFileSync(wharf.kubeconfig, 'utf8')) as { contexts: { context: { namespace?: string } }[] };
    for (const c of kc.contexts) c.context.namespace = 'demo';
    writeFileSync(path.join(tmp, 'kubeconfig-demo'), stringify(kc));
    const got = JSON.parse(
      await ok(['app', 'get', 'shop', '-o', 'json'], {
        kubeconfig: false,
        env: { KUBECONFIG: path.join(tmp, 'kubeconfig-demo') },
      }),
    ) as { status: { revision: number; url: string; conditions: { type: string; status: string }[] } };
    expect(got.status.revision).toBe(1);
    expect(got.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    const human = await ok(['app', 'get', 'shop', '-n', 'demo']);
    expect(human).toMatch(/web\s+1\/1\s+1\s+http:\/\/shop\.localhost:\d+\/\s+busybox:1/);
    expect(human).toMatch(/Ready\s+True\s+Available/);
  });

  it('previews a config change without changing anything, then rolls it out', async () => {
    const dry = await ok(['config', 'set', 'shop-settings', 'GREETING=hi', '--dry-run', '-n', 'demo']);
    expect(dry).toContain('GREETING changed (dry run: nothing is changed)');
    expect(dry).toMatch(/shop\s+web\s+env\s+GREETING\s+rollout\s+a new revision, one canary pod/);
    expect(dry).toContain('--- GREETING (version 1)\n+++ GREETING (new)\n@@ -1,1 +1,1 @@\n-hello\n+hi\n');
    expect(JSON.parse(await ok(['config', 'history', 'shop-settings', '-n', 'demo', '-o', 'json']))).toHaveLength(1);
    await serves('hello');

    const real = await wharfCli(['config', 'set', 'shop-settings', 'GREETING=hi', '-m', 'friendlier', '-n', 'demo']);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('configset shop-settings: published version 2');
    expect(real.stderr).toMatch(/shop: revision 2: canary/);
    expect(real.stdout).toMatch(/application shop: revision 2 is rolled out \(config shop-settings v2\)/);
    await serves('hi');
  }, 240_000);

  it('shows config history and a per-key diff, and app history', async () => {
    const hist = JSON.parse(await ok(['config', 'history', 'shop-settings', '-n', 'demo', '-o', 'json'])) as {
      version: number;
      message?: string;
    }[];
    expect(hist.map((h) => [h.version, h.message])).toEqual([
      [2, 'friendlier'],
      [1, 'first'],
    ]);
    expect(await ok(['config', 'diff', 'shop-settings', '1', '2', '-n', 'demo'])).toBe(
      '--- GREETING (version 1)\n+++ GREETING (version 2)\n@@ -1,1 +1,1 @@\n-hello\n+hi\n',
    );
    expect(await ok(['config', 'get', 'shop-settings', '--version', '1', '-n', 'demo'])).toContain('GREETING: hello');
    const apps = (await ok(['app', 'history', 'shop', '-n', 'demo'])).split('\n');
    expect(apps[1]).toMatch(/^ 1\s+\S+\s+Superseded\s+created\s+shop-settings@v1\s+web\/runtime=busybox:1/);
    expect(apps[2]).toMatch(/^\*2\s+\S+\s+Active\s+config shop-settings v2\s+shop-settings@v2/);
  });

  it('exits non-zero with the reason when a bad config is rolled back, and the app keeps serving', async () => {
    const r = await wharfCli(['config', 'set', 'shop-settings', 'GREETING=bad', '-n', 'demo']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^wharf: application shop: RolledBack: revision 3 failed its health gate and was rolled back to revision 2: /,
    );
    await serves('hi');
    expect(await ok(['app', 'ls', '-n', 'demo'])).toMatch(/shop\s+2\s+1\/1\s+RolledBack/);
  }, 240_000);

  it('rolls back to revision 1: its config version comes back', async () => {
    const r = await wharfCli(['app', 'rollback', 'shop', '--to', '1', '-n', 'demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('application shop: rollback to revision 1 requested');
    expect(r.stdout).toMatch(/revision 4 is rolled out \(rollback to 1\)/);
    await serves('hello');
    const missing = await wharfCli(['app', 'rollback', 'shop', '--to', '99', '-n', 'demo']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^wharf: application shop has no revision 99 in namespace demo; kept: 1, 2, 3, 4\n$/,
    );
  }, 240_000);

  it('rolls the ConfigSet back too, so the next release does not pick up the bad version', async () => {
    const r = await wharfCli(['config', 'rollback', 'shop-settings', '--to', '1', '-n', 'demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--- GREETING (version 3)\n+++ GREETING (new)\n@@ -1,1 +1,1 @@\n-bad\n+hello\n');
    expect(r.stdout).toContain('configset shop-settings: published version 4');
    expect(r.stdout).toMatch(/application shop: revision 5 is rolled out \(config shop-settings v4\)/);
    const hist = JSON.parse(await ok(['config', 'history', 'shop-settings', '-n', 'demo', '-o', 'json'])) as {
      version: number;
      message?: string;
    }[];
    expect(hist[0]).toMatchObject({ version: 4, message: 'rollback to version 1' });
    await serves('hello');
  }, 240_000);

  it('deploys a new runtime image as a new revision, and says when nothing changes', async () => {
    const r = await wharfCli(['app', 'deploy', 'shop', '--image', 'busybox:2', '-n', 'demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('application shop: new version of component web submitted');
    expect(r.stdout).toMatch(/revision 6 is rolled out \(spec\)/);
    expect((await ok(['app', 'history', 'shop', '-n', 'demo'])).split('\n')[6]).toMatch(
      /^\*6\s+\S+\s+Active\s+spec\s+shop-settings@v4\s+web\/runtime=busybox:2/,
    );
    await serves('hello');
    expect(await ok(['app', 'deploy', 'shop', '--image', 'busybox:2', '-n', 'demo'])).toBe(
      'application shop: component web already runs that version\n',
    );
  }, 240_000);

  it('scales, then prints the logs of every pod prefixed with its name, and runs a command in one', async () => {
    expect(await ok(['app', 'scale', 'shop', '--replicas', '2', '-n', 'demo'])).toContain(
      'component web: 2/2 pods Ready',
    );
    const logs = await ok(['app', 'logs', 'shop', '-n', 'demo']);
    const lines = logs
      .trim()
      .split('\n')
      .filter((l) => l.includes('started with'));
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^\[shop-web-r6-[a-z0-9]+-[a-z0-9]+\] started with hello$/);
    expect(new Set(lines.map((l) => l.slice(0, l.indexOf(']')))).size).toBe(2);
    // -f keeps streaming: a line written now arrives, prefixed with its pod.
    const follow = spawn(
      process.execPath,
      [WHARF_BIN, 'app', 'logs', 'shop', '-f', '--tail', '1', '-n', 'demo', '--kubeconfig', wharf.kubeconfig],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let streamed = '';
    follow.stdout.on('data', (d: Buffer) => (streamed += d.toString()));
    try {
      await eventually(
        () => (streamed.split('\n').filter((l) => l.includes('started with')).length === 2 ? true : undefined),
        30_000,
        "both pods' last line",
      );
      await ok(['app', 'exec', 'shop', '-n', 'demo', '--', 'sh', '-c', 'echo followed > /proc/1/fd/1']);
      await eventually(
        () => (/^\[shop-web-r6-[a-z0-9]+-[a-z0-9]+\] followed$/m.test(streamed) ? true : undefined),
        30_000,
        'a new line through logs -f',
      );
    } finally {
      follow.kill();
    }
    expect(await ok(['app', 'exec', 'shop', '-n', 'demo', '--', 'cat', '/tmp/www/index.html'])).toBe('hello\n');
    expect((await wharfCli(['app', 'exec', 'shop', '-n', 'demo', '--', 'sh', '-c', 'exit 3'])).code).toBe(3);
  }, 120_000);

  it('takes a secret from stdin, never from argv, and never prints it unless revealed to someone allowed', async () => {
    // The value goes on stdin after the process started: its argv (what `ps` shows) never holds it.
    const child = spawn(
      process.execPath,
      [WHARF_BIN, 'secret', 'set', 'shop', 'DB_PASSWORD', '-n', 'demo', '--kubeconfig', wharf.kubeconfig],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
    expect(argv).toContain('DB_PASSWORD');
    child.stdin.end(`${SECRET}\n`);
    expect(await new Promise((res) => child.on('close', res))).toBe(0);
    expect(argv).not.toContain(SECRET);
    expect(out).toBe(
      'secret shop-secrets: DB_PASSWORD: added (secret value not shown)\nno component of shop reads secret shop-secrets yet: reference it with secrets: [{secret: shop-secrets, as: env}] (or --secret shop-secrets on create)\n',
    );
    expect(
      Buffer.from(
        await k.ok(['get', 'secret', 'shop-secrets', '-n', 'demo', '-o', 'jsonpath={.data.DB_PASSWORD}']),
        'base64',
      ).toString(),
    ).toBe(SECRET);

    const ls = await ok(['secret', 'ls', '-n', 'demo']);
    expect(ls).toMatch(/shop-secrets\s+Opaque\s+DB_PASSWORD/);
    const json = await ok(['secret', 'ls', 'shop', '-n', 'demo', '-o', 'json']);
    expect(JSON.parse(json)).toEqual([{ name: 'shop-secrets', type: 'Opaque', keys: ['DB_PASSWORD'] }]);
    for (const o of [ls, json, await ok(['app', 'get', 'shop', '-n', 'demo', '-o', 'yaml'])])
      expect(o).not.toContain(SECRET);
    expect(await ok(['secret', 'ls', 'shop', '--reveal', '-n', 'demo'])).toContain(
      `shop-secrets/DB_PASSWORD=${SECRET}`,
    );

    // A user who may read applications but not secrets: --reveal is refused, by a SelfSubjectAccessReview.
    await k.ok(['create', 'serviceaccount', 'viewer', '-n', 'demo']);
    await k.ok([
      'create',
      'role',
      'apps-only',
      '-n',
      'demo',
      '--verb=get,list',
      '--resource=applications.platform.wharf.dev',
    ]);
    await k.ok([
      'create',
      'rolebinding',
      'apps-only',
      '-n',
      'demo',
      '--role=apps-only',
      '--serviceaccount=demo:viewer',
    ]);
    const token = (await k.ok(['create', 'token', 'viewer', '-n', 'demo'])).trim();
    const kc = parse(readFileSync(wharf.kubeconfig, 'utf8')) as { users: { user: Record<string, unknown> }[] };
    for (const u of kc.users) u.user = { token };
    writeFileSync(path.join(tmp, 'kubeconfig-viewer'), stringify(kc));
    const viewer = { kubeconfig: path.join(tmp, 'kubeconfig-viewer') };
    const denied = await eventually(
      async () => {
        const r = await wharfCli(['secret', 'ls', 'shop', '--reveal', '-n', 'demo'], viewer);
        return r.code === 1 && r.stderr.includes('--reveal') ? r : undefined;
      },
      10_000,
      '--reveal refused to viewer',
    );
    expect(denied.stderr).toBe('wharf: --reveal: you may not get secrets (shop-secrets) in namespace demo\n');
    expect(denied.stdout).not.toContain(SECRET);
    const forbidden = await wharfCli(['app', 'ls', '-n', 'default'], viewer);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(
      /^wharf: forbidden: you may not list applications in namespace default \(.*cannot list resource "applications"/,
    );
    expect(forbidden.stderr.trim().split('\n')).toHaveLength(1);

    expect(await ok(['secret', 'rm', 'shop', 'DB_PASSWORD', '-n', 'demo'])).toBe(
      'secret shop-secrets: DB_PASSWORD: removed (secret value not shown)\n',
    );
  }, 120_000);

  it('creates applications and config sets from a file on stdin', async () => {
    const yaml = `apiVersion: platform.wharf.dev/v1alpha1
kind: ConfigSet
metadata: {name: blog-settings}
spec: {data: {TITLE: notes}}
---
apiVersion: platform.wharf.dev/v1alpha1
kind: Application
metadata: {name: blog}
spec:
  components:
  - {name: web, runtime: {image: "busybox:1", command: [sleep, "3600"]}, config: [{configSet: blog-settings, as: env}]}
`;
    expect(await ok(['app', 'create', '-f', '-', '-n', 'demo', '--no-wait'], { stdin: yaml })).toBe(
      'configset blog-settings created in namespace demo\napplication blog created in namespace demo\n',
    );
    const list = JSON.parse(await ok(['app', 'ls', '-n', 'demo', '-o', 'json'])) as {
      items: { metadata: { name: string } }[];
    };
    expect(list.items.map((a) => a.metadata.name).sort()).toEqual(['blog', 'shop']);
    const again = await wharfCli(['app', 'create', '-f', '-', '-n', 'demo'], { stdin: yaml });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('wharf: configset blog-settings already exists in namespace demo\n');
    expect(await ok(['app', 'delete', 'blog', '-n', 'demo'])).toBe('application blog deleted from namespace demo\n');
  });

  it('gives one line naming the app and namespace for a missing app, and deletes', async () => {
    const r = await wharfCli(['app', 'get', 'nope', '-n', 'demo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('wharf: application nope not found in namespace demo\n');
    expect(await ok(['app', 'delete', 'shop', '-n', 'demo'])).toBe('application shop deleted from namespace demo\n');
    await eventually(
      async () => ((await wharfCli(['app', 'get', 'shop', '-n', 'demo'])).code === 1 ? true : undefined),
      10_000,
      'shop gone',
    );
  });
});
