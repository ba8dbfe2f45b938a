// From `git push` to a running application, on `wharf up --nodes 1` with real runc pods and real
// git: a static site pushed to Wharf's git server runs the wharf-static-site Pipeline (clone with
// the step's service-account token, publish, the thin-image step pushing a FROM scratch image
// from a pod), and the delivery controller pins the image by digest into the Application, whose
// health-gated rollout serves it through the Ingress. A second push serves the change; a push
// whose build fails leaves the running version alone (the build Failed, its message in `wharf
// build logs`); a push whose site fails readiness is rolled back and the build marked
// DeploymentFailed; `wharf app rollback --to-build` brings back what the first build deployed.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  freePort,
  httpGet,
  Kubectl,
  REPO_ROOT,
  runcUnavailable,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
const NS = 'shop';

interface Run {
  metadata: { name: string; annotations?: Record<string, string>; creationTimestamp: string };
  status?: { conditions?: { type: string; status: string; reason?: string }[] };
}

describe.skipIf(skip !== '')(`git push to a running application ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let gitPort: number;
  let ingressPort: number;
  let work: string;
  let adminToken: string;
  const wharfCli = (...args: string[]) => run(process.execPath, [WHARF_BIN, ...args], { timeout: 600_000 });
  const git = (...args: string[]) =>
    run(
      'git',
      [
        '-c',
        'user.name=Ann',
        '-c',
        'user.email=ann@example.com',
        '-c',
        'init.defaultBranch=main',
        '-c',
        'credential.helper=',
        ...args,
      ],
      { cwd: join(work, 'site'), env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
    );
  const serve = async (): Promise<string> => {
    const r = await httpGet({
      host: '127.0.0.1',
      port: ingressPort,
      path: '/index.html',
      headers: { host: 'shop.localhost' },
      timeoutMs: 5000,
    });
    return `${r.status} ${r.text.trim()}`;
  };
  const runs = async (): Promise<Run[]> =>
    (JSON.parse(await k.ok(['get', 'pipelineruns.tekton.dev', '-n', NS, '-o', 'json'])) as { items: Run[] }).items.sort(
      (a, b) =>
        a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) ||
        a.metadata.name.localeCompare(b.metadata.name),
    );
  /** Commits the tree (files by path; `null` removes), pushes, and answers the commit and the run it started. */
  const push = async (files: Record<string, string | null>, message: string): Promise<{ sha: string; run: string }> => {
    for (const [path, text] of Object.entries(files)) {
      if (text === null) rmSync(join(work, 'site', path), { recursive: true, force: true });
      else {
        mkdirSync(join(work, 'site', path, '..'), { recursive: true });
        writeFileSync(join(work, 'site', path), text);
      }
    }
    const before = (await runs()).length;
    await git('add', '-A');
    await git('commit', '-qm', message);
    const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
    await git('push', '-q', `http://x:${adminToken}@127.0.0.1:${gitPort}/git/${NS}/site.git`, 'main');
    const made = await eventually(
      async () =>
        (await runs()).slice(before).find((r) => r.metadata.annotations?.['platform.wharf.dev/commit'] === sha),
      30_000,
      `the PipelineRun of ${sha}`,
    );
    return { sha, run: made.metadata.name };
  };
  const annotations = async (name: string): Promise<Record<string, string>> =>
    (JSON.parse(await k.ok(['get', 'pipelinerun.tekton.dev', name, '-n', NS, '-o', 'json'])) as Run).metadata
      .annotations ?? {};
  const deployState = (name: string, want: string, timeoutMs: number) =>
    eventually(
      async () => {
        const a = await annotations(name);
        return a['platform.wharf.dev/deploy-state'] === want ? a : undefined;
      },
      timeoutMs,
      `build ${name} ${want}`,
    ).catch(async (e: Error) => {
      throw new Error(
        `${e.message}\n${JSON.stringify(await annotations(name))}\n${await k.ok(['get', 'pipelinerun.tekton.dev', name, '-n', NS, '-o', 'yaml']).catch(() => '')}\n${await wharfCli(
          'build',
          'logs',
          name,
          '-n',
          NS,
          '--kubeconfig',
          wharf.kubeconfig,
        ).then(
          (r) => r.stdout,
          (x: Error) => x.message,
        )}`,
      );
    });

  beforeAll(async () => {
    gitPort = await freePort();
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1', '--git-port', String(gitPort)] });
    k = new Kubectl(wharf.kubeconfig);
    ingressPort = Number(/"ingress":"http:\/\/<app>\.localhost:(\d+)"/.exec(wharf.output)?.[1] ?? wharf.ingressPort);
    adminToken = /token: (\S+)/.exec(readFileSync(wharf.kubeconfig, 'utf8'))?.[1] ?? '';
    work = mkdtempSync(join(tmpdir(), 'wharf-deliver-'));
    const d = ['--data-dir', wharf.dataDir];
    await wharfCli(
      'image',
      'build-base',
      'wharf/git:0.1.0',
      '--debian-packages',
      'git,busybox-static',
      '--env',
      'HOME=/tmp',
      ...d,
    );
    await wharfCli('image', 'build-base', 'wharf/busybox:0.1.0', '--debian-packages', 'busybox-static', ...d);
    // The pipelines controller's results helper (its helperImage default).
    await wharfCli('image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', ...d);
    await wharfCli('image', 'build-pack-step', 'wharf/pack:0.1.0', ...d);
    // What the Application serves before any build: a placeholder artifact.
    mkdirSync(join(work, 'placeholder'));
    writeFileSync(join(work, 'placeholder', 'index.html'), 'placeholder\n');
    await wharfCli('image', 'pack', join(work, 'placeholder'), '--to', 'shop-site:0', '--prefix', 'app', ...d);
  }, 1_200_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('pushes become builds that roll out, failed builds and failed rollouts leave the app serving, and rollback --to-build restores a build', async () => {
    const endpoints = JSON.parse(readFileSync(join(wharf.dataDir, 'endpoints.json'), 'utf8')) as {
      registryHost: string;
      registryForPods?: string;
    };
    expect(endpoints.registryForPods).toMatch(/^http:\/\/10\.\d+\.255\.1:\d+$/);
    await k.ok(['create', 'namespace', NS]);
    // The build pods' account reads the repository (git clone); any cluster token may push images.
    await k.ok([
      'create',
      'rolebinding',
      'builds-view',
      '--clusterrole=view',
      `--serviceaccount=${NS}:default`,
      '-n',
      NS,
    ]);
    await k.ok(['apply', '-n', NS, '-f', join(REPO_ROOT, 'deploy/pipelines/templates')]);
    const claim = {
      volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } } },
    };
    await k.ok(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'platform.wharf.dev/v1alpha1',
        kind: 'Repository',
        metadata: { name: 'site', namespace: NS },
        spec: {
          source: { type: 'builtin' },
          rules: [
            {
              branches: ['main'],
              pipelineRef: { name: 'wharf-static-site' },
              params: [
                { name: 'image', value: `${endpoints.registryHost}/shop-site:main` },
                { name: 'registry', value: endpoints.registryForPods },
                { name: 'registry-name', value: endpoints.registryHost },
              ],
              workspaces: [
                { name: 'source', ...claim },
                { name: 'output', ...claim },
              ],
            },
          ],
        },
      }),
    });
    await k.ok(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'platform.wharf.dev/v1alpha1',
        kind: 'Application',
        metadata: { name: 'shop', namespace: NS },
        spec: {
          rollout: { analysisSeconds: 3, batchSeconds: 0, progressDeadlineSeconds: 20 },
          components: [
            {
              name: 'web',
              runtime: {
                image: 'wharf/busybox:0.1.0',
                command: ['/bin/busybox', 'httpd', '-f', '-p', '8080', '-h', '/www'],
              },
              artifacts: [{ name: 'site', image: 'shop-site:0', path: '/app', mountPath: '/www' }],
              ports: [{ name: 'http', port: 8080 }],
              expose: { host: 'shop.localhost' },
              probes: { readiness: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1 } },
              source: { repository: 'site', pipeline: 'wharf-static-site' },
            },
          ],
        },
      }),
    });
    await eventually(
      async () => ((await serve()) === '200 placeholder' ? true : undefined),
      240_000,
      'the placeholder served',
    );

    // A bad source is refused with its field path.
    const bad = await k.run(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'platform.wharf.dev/v1alpha1',
        kind: 'Application',
        metadata: { name: 'bad', namespace: NS },
        spec: { components: [{ name: 'web', runtime: { image: 'x' }, source: { pipeline: 'p' } }] },
      }),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.components[0].source.repository');

    mkdirSync(join(work, 'site'));
    await git('init', '-q');
    const first = await push(
      { 'public/index.html': 'version 1\n', 'README.md': 'the source, not served\n' },
      'First version',
    );
    const one = await deployState(first.run, 'Deployed', 600_000);
    expect(await serve()).toBe('200 version 1');
    expect(one['platform.wharf.dev/images']).toMatch(
      new RegExp(`^${endpoints.registryHost.replace(/\./g, '\\.')}/shop-site@sha256:[0-9a-f]{64}$`),
    );
    expect(one['platform.wharf.dev/deployed-to']).toBe('shop/web');
    expect(one['platform.wharf.dev/commit']).toBe(first.sha);
    const app = JSON.parse(await k.ok(['get', 'application', 'shop', '-n', NS, '-o', 'json'])) as {
      spec: { components: { artifacts: { image: string }[] }[] };
      status: { revision: number };
    };
    expect(app.spec.components[0]?.artifacts[0]?.image).toBe(one['platform.wharf.dev/images']);
    expect(String(app.status.revision)).toBe(one['platform.wharf.dev/deployed-revision']);
    const got = (await wharfCli('build', 'get', first.run, '-n', NS, '--kubeconfig', wharf.kubeconfig)).stdout;
    expect(got).toContain(
      `Deployment:  Deployed to shop/web (revision ${one['platform.wharf.dev/deployed-revision']})`,
    );
    expect(got).toContain('Message:     First version');

    const second = await push({ 'public/index.html': 'version 2\n' }, 'Second version');
    await deployState(second.run, 'Deployed', 600_000);
    expect(await serve()).toBe('200 version 2');

    // A build that fails: the running version stays, the build Failed with its message in the logs.
    const broken = await push({ public: null, 'site/index.html': 'moved\n' }, 'Move the site (breaks the build)');
    const notDeployed = await deployState(broken.run, 'NotDeployed', 600_000);
    expect(notDeployed['platform.wharf.dev/deploy-message']).toMatch(/^the build did not succeed \(Failed\)/);
    const logs = (await wharfCli('build', 'logs', broken.run, '-n', NS, '--kubeconfig', wharf.kubeconfig)).stdout;
    expect(logs).toContain('no directory public in the source');
    expect(await serve()).toBe('200 version 2');

    // A build that succeeds but whose site fails readiness: rolled back, the build DeploymentFailed.
    const unready = await push(
      { 'site/index.html': null, 'public/other.html': 'no index\n' },
      'Site without an index (fails readiness)',
    );
    const failed = await deployState(unready.run, 'DeploymentFailed', 600_000);
    expect(failed['platform.wharf.dev/deploy-message']).toMatch(/^revision \d+ was rolled back: /);
    expect(await serve()).toBe('200 version 2');
    const events = await k.ok(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${unready.run}`]);
    expect(events).toContain('DeploymentFailed');

    // Back to what the first build deployed.
    await wharfCli(
      'app',
      'rollback',
      'shop',
      '--to-build',
      first.run,
      '-n',
      NS,
      '--kubeconfig',
      wharf.kubeconfig,
      '--timeout',
      '5m',
    );
    await eventually(
      async () => ((await serve()) === '200 version 1' ? true : undefined),
      120_000,
      'version 1 after the rollback',
    );
    const refused = await wharfCli(
      'app',
      'rollback',
      'shop',
      '--to-build',
      broken.run,
      '-n',
      NS,
      '--kubeconfig',
      wharf.kubeconfig,
    ).catch((e: { code: number; stderr: string }) => e);
    expect('code' in refused && refused.code).toBe(1);
    expect((refused as { stderr: string }).stderr).toContain(
      `build ${broken.run} deployed no revision of application shop (NotDeployed`,
    );
  }, 3_000_000);
});
