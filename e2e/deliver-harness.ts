// What the git push → running application scenarios (e2e/deliver.test.ts) share: one `wharf up
// --nodes 1` with the git server and the step images every pipeline needs (DeliverCluster), and per
// scenario a namespace, a work tree to commit and push from, and reading the PipelineRun a push
// started, its delivery state and its logs (DeliverHarness).
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, freePort, httpGet, Kubectl, REPO_ROOT, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);

interface Run {
  metadata: { name: string; annotations?: Record<string, string>; creationTimestamp: string };
}

export interface Endpoints {
  registryHost: string;
  registryForPods?: string;
}

export interface RepositoryRule {
  /** The Pipeline a push to main runs. */
  readonly pipeline: string;
  /** The image it pushes, in the cluster's registry (`shop-site:main`). */
  readonly image: string;
  /** The size of the source and output claims each run gets. */
  readonly claim: string;
  /** Parameters beyond the image and the registry's two addresses. */
  readonly params?: readonly { name: string; value: string }[];
  /** Workspaces beyond source and output. */
  readonly workspaces?: readonly object[];
}

/** The scenarios' one Wharf: its git server, Ingress and the step images; each scenario has a namespace of its own. */
export class DeliverCluster {
  private constructor(
    readonly wharf: WharfProcess,
    readonly k: Kubectl,
    readonly gitPort: number,
    readonly ingressPort: number,
    readonly adminToken: string,
  ) {}

  /** `wharf up --nodes 1 --git-port P`, the clone, results-helper, cache and pack step images built. */
  static async start(): Promise<DeliverCluster> {
    const gitPort = await freePort();
    const wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1', '--git-port', String(gitPort)] });
    const c = new DeliverCluster(
      wharf,
      new Kubectl(wharf.kubeconfig),
      gitPort,
      Number(/"ingress":"http:\/\/<app>\.localhost:(\d+)"/.exec(wharf.output)?.[1] ?? wharf.ingressPort),
      /token: (\S+)/.exec(readFileSync(wharf.kubeconfig, 'utf8'))?.[1] ?? '',
    );
    await c.cli(
      'image',
      'build-base',
      'wharf/git:0.1.0',
      '--debian-packages',
      'git,busybox-static',
      '--env',
      'HOME=/tmp',
      ...c.dataDir,
    );
    // The pipelines controller's results helper (its helperImage default).
    await c.cli('image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', ...c.dataDir);
    // The wharf-cache Task's image, and the static site's httpd runtime.
    await c.cli('image', 'build-base', 'wharf/busybox:0.1.0', '--debian-packages', 'busybox-static', ...c.dataDir);
    await c.cli('image', 'build-pack-step', 'wharf/pack:0.1.0', ...c.dataDir);
    return c;
  }

  get dataDir(): string[] {
    return ['--data-dir', this.wharf.dataDir];
  }

  get endpoints(): Endpoints {
    return JSON.parse(readFileSync(join(this.wharf.dataDir, 'endpoints.json'), 'utf8')) as Endpoints;
  }

  cli(...args: string[]) {
    return run(process.execPath, [WHARF_BIN, ...args], { timeout: 900_000, maxBuffer: 16 << 20 });
  }

  async stop(): Promise<void> {
    await this.wharf.stop();
    execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', this.wharf.dataDir]);
  }
}

/** One scenario on the shared cluster: its namespace, its work tree, its pushes and their runs. */
export class DeliverHarness {
  readonly work: string;
  readonly k: Kubectl;

  constructor(
    readonly cluster: DeliverCluster,
    readonly ns: string,
  ) {
    this.work = mkdtempSync(join(tmpdir(), `wharf-deliver-${ns}-`));
    this.k = cluster.k;
  }

  get wharf(): WharfProcess {
    return this.cluster.wharf;
  }

  get adminToken(): string {
    return this.cluster.adminToken;
  }

  get dataDir(): string[] {
    return this.cluster.dataDir;
  }

  get endpoints(): Endpoints {
    return this.cluster.endpoints;
  }

  get src(): string {
    return join(this.work, 'src');
  }

  cli(...args: string[]) {
    return this.cluster.cli(...args);
  }

  git(...args: string[]) {
    return run(
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
      { cwd: this.src, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
    );
  }

  /** The namespace, the build pods' right to clone, and the shipped templates applied. */
  async setUpNamespace(): Promise<void> {
    await this.k.ok(['create', 'namespace', this.ns]);
    await this.k.ok([
      'create',
      'rolebinding',
      'builds-view',
      '--clusterrole=view',
      `--serviceaccount=${this.ns}:default`,
      '-n',
      this.ns,
    ]);
    await this.k.ok(['apply', '-n', this.ns, '-f', join(REPO_ROOT, 'deploy/pipelines/templates')]);
  }

  async apply(obj: object): Promise<void> {
    await this.k.ok(['apply', '-f', '-'], { stdin: JSON.stringify(obj) });
  }

  /** A Repository `name` on the built-in git server whose pushes to main run `rule.pipeline`. */
  async repository(name: string, rule: RepositoryRule): Promise<void> {
    const { registryHost, registryForPods } = this.endpoints;
    const claim = {
      volumeClaimTemplate: {
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: rule.claim } } },
      },
    };
    await this.apply({
      apiVersion: 'platform.wharf.dev/v1alpha1',
      kind: 'Repository',
      metadata: { name, namespace: this.ns },
      spec: {
        source: { type: 'builtin' },
        rules: [
          {
            branches: ['main'],
            pipelineRef: { name: rule.pipeline },
            params: [
              { name: 'image', value: `${registryHost}/${rule.image}` },
              { name: 'registry', value: registryForPods },
              { name: 'registry-name', value: registryHost },
              ...(rule.params ?? []),
            ],
            workspaces: [{ name: 'source', ...claim }, { name: 'output', ...claim }, ...(rule.workspaces ?? [])],
          },
        ],
      },
    });
  }

  /** GET `path` through the Ingress as host `host`: `STATUS BODY`. */
  async serve(host: string, path: string): Promise<string> {
    const r = await httpGet({
      host: '127.0.0.1',
      port: this.cluster.ingressPort,
      path,
      headers: { host },
      timeoutMs: 5000,
    });
    return `${r.status} ${r.text.trim()}`;
  }

  private async runs(): Promise<Run[]> {
    return (
      JSON.parse(await this.k.ok(['get', 'pipelineruns.tekton.dev', '-n', this.ns, '-o', 'json'])) as { items: Run[] }
    ).items;
  }

  async annotations(name: string): Promise<Record<string, string>> {
    return (
      (JSON.parse(await this.k.ok(['get', 'pipelinerun.tekton.dev', name, '-n', this.ns, '-o', 'json'])) as Run)
        .metadata.annotations ?? {}
    );
  }

  async logs(name: string): Promise<string> {
    return (await this.cli('build', 'logs', name, '-n', this.ns, '--kubeconfig', this.wharf.kubeconfig)).stdout;
  }

  /** Writes `files` (path → text; `null` removes) into the work tree, commits, pushes to `repo`; answers the
   * commit and its run. */
  async push(
    repo: string,
    files: Record<string, string | null>,
    message: string,
  ): Promise<{ sha: string; run: string }> {
    for (const [path, text] of Object.entries(files)) {
      if (text === null) rmSync(join(this.src, path), { recursive: true, force: true });
      else {
        mkdirSync(join(this.src, path, '..'), { recursive: true });
        writeFileSync(join(this.src, path), text);
      }
    }
    const before = new Set((await this.runs()).map((r) => r.metadata.name));
    await this.git('add', '-A');
    await this.git('commit', '-qm', message);
    const sha = (await this.git('rev-parse', 'HEAD')).stdout.trim();
    await this.git(
      'push',
      '-q',
      `http://x:${this.adminToken}@127.0.0.1:${this.cluster.gitPort}/git/${this.ns}/${repo}.git`,
      'main',
    );
    const made = await eventually(
      async () =>
        (await this.runs()).find(
          (r) => !before.has(r.metadata.name) && r.metadata.annotations?.['platform.wharf.dev/commit'] === sha,
        ),
      30_000,
      `the PipelineRun of ${sha}`,
    );
    return { sha, run: made.metadata.name };
  }

  /** The run's annotations once its delivery state is `want`; on timeout, the run and its logs in the error. */
  deployState(name: string, want: string, timeoutMs: number): Promise<Record<string, string>> {
    return eventually(
      async () => {
        const a = await this.annotations(name);
        return a['platform.wharf.dev/deploy-state'] === want ? a : undefined;
      },
      timeoutMs,
      `build ${name} ${want}`,
    ).catch(async (e: Error) => {
      throw new Error(
        `${e.message}\n${JSON.stringify(await this.annotations(name))}\n${await this.k.ok(['get', 'pipelinerun.tekton.dev', name, '-n', this.ns, '-o', 'yaml']).catch(() => '')}\n${await this.logs(name).catch((x: Error) => x.message)}`,
      );
    });
  }

  /** The work tree removed, the namespace deleted (not waited for): its pods stop while the next scenario starts. */
  async dispose(): Promise<void> {
    rmSync(this.work, { recursive: true, force: true });
    await this.k.ok(['delete', 'namespace', this.ns, '--wait=false']);
  }
}
