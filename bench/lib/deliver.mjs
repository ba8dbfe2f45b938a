// `git push` → the new version serving, measured on `wharf up --nodes 1` (runc pods), for one
// scenario (bench/lib/deliver-scenarios.mjs: a static site, a Node.js app, the seed's Java app):
// its source in Wharf's git server, its Pipeline in pods, the delivery controller pinning the
// image into the Application, the health-gated rollout (analysis 3 s), and the Ingress answering
// with the pushed text. Each push is timed from `git push` starting to the first GET through the
// Ingress that returns the new text; the build's own duration (PipelineRun start → completion) is
// read from its status.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onCleanup, startWharfCleanly } from './cleanup.mjs';
import { freePort, REPO_ROOT, tempDir, WHARF_BIN } from './procs.mjs';
import { fmtNum, quantile } from './stats.mjs';

const run = promisify(execFile);
const NS = 'bench';

const fetchText = (port, path) =>
  new Promise((resolve) => {
    const req = get(
      { host: '127.0.0.1', port, path, headers: { host: 'site.localhost' }, agent: false, timeout: 3000 },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(res.statusCode === 200 ? body.trim() : ''));
      },
    );
    req.on('error', () => resolve(''));
    req.on('timeout', () => req.destroy());
  });

export async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const p = (xs, q) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    q,
  );

/** kubectl 1.32 against the cluster of `dataDir`: args, optional stdin → its stdout (rejects with its stderr). */
export function kubectlOf(dataDir) {
  return (args, stdin) => {
    const child = execFile('/usr/bin/kubectl', ['--kubeconfig', join(dataDir, 'kubeconfig'), ...args], {
      timeout: 120_000,
    });
    if (stdin !== undefined) child.stdin.end(stdin);
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')}: ${err}`))));
    });
  };
}

/** Pushes `reps` versions of scenario `sc`; answers the rows and the step images' build time. */
export async function benchPushToServe(reps, sc) {
  const gitPort = await freePort();
  const ingressPort = await freePort();
  const wharf = await startWharfCleanly(
    ['--nodes', '1', '--git-port', String(gitPort), '--ingress-port', String(ingressPort)],
    { readyTimeoutMs: 300_000 },
  );
  const kubectl = kubectlOf(wharf.dataDir);
  const work = tempDir('wharf-bench-deliver-');
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  const d = ['--data-dir', wharf.dataDir];
  const cli = (...args) => run(process.execPath, [WHARF_BIN, ...args], { timeout: 900_000 });
  const imagesStarted = performance.now();
  await cli(
    'image',
    'build-base',
    'wharf/git:0.1.0',
    '--debian-packages',
    'git,busybox-static',
    '--env',
    'HOME=/tmp',
    ...d,
  );
  await cli('image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', ...d); // the results helper
  await cli('image', 'build-pack-step', 'wharf/pack:0.1.0', ...d);
  await sc.images(cli, d, wharf);
  const imagesMs = performance.now() - imagesStarted;
  await sc.placeholder(join(work, 'placeholder'), cli, d);

  const { registryHost, registryForPods } = JSON.parse(readFileSync(join(wharf.dataDir, 'endpoints.json'), 'utf8'));
  await kubectl(['create', 'namespace', NS]);
  await kubectl([
    'create',
    'rolebinding',
    'builds-view',
    '--clusterrole=view',
    `--serviceaccount=${NS}:default`,
    '-n',
    NS,
  ]);
  await kubectl(['apply', '-n', NS, '-f', join(REPO_ROOT, 'deploy/pipelines/templates')]);
  await sc.setUp?.(kubectl);
  const claim = {
    volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '256Mi' } } } },
  };
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'platform.wharf.dev/v1alpha1',
      kind: 'Repository',
      metadata: { name: 'site', namespace: NS },
      spec: {
        source: { type: 'builtin' },
        rules: [
          {
            branches: ['main'],
            pipelineRef: { name: sc.pipeline },
            params: [
              { name: 'image', value: `${registryHost}/site:main` },
              { name: 'registry', value: registryForPods },
              { name: 'registry-name', value: registryHost },
              ...(sc.params?.(registryHost) ?? []),
            ],
            workspaces: [{ name: 'source', ...claim }, { name: 'output', ...claim }, ...(sc.workspaces ?? [])],
          },
        ],
      },
    }),
  );
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'platform.wharf.dev/v1alpha1',
      kind: 'Application',
      metadata: { name: 'site', namespace: NS },
      spec: {
        rollout: { analysisSeconds: 3, batchSeconds: 0, progressDeadlineSeconds: 120 },
        components: [
          {
            name: 'web',
            ...sc.component,
            expose: { host: 'site.localhost' },
            source: { repository: 'site', pipeline: sc.pipeline },
          },
        ],
      },
    }),
  );
  await until(async () => (await fetchText(ingressPort, sc.path)) === sc.placeholderText, 300_000, 'the placeholder');

  const token = wharf.token;
  const repo = join(work, 'site');
  mkdirSync(repo, { recursive: true });
  const git = (...args) =>
    run(
      'git',
      [
        '-c',
        'user.name=Bench',
        '-c',
        'user.email=bench@example.com',
        '-c',
        'init.defaultBranch=main',
        '-c',
        'credential.helper=',
        ...args,
      ],
      { cwd: repo },
    );
  await git('init', '-q');
  sc.init(repo);
  const rows = [];
  for (let i = 1; i <= reps; i++) {
    sc.change(repo, i);
    await git('add', '-A');
    await git('commit', '-qm', `version ${i}`);
    const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
    const t0 = performance.now();
    await git('push', '-q', `http://x:${token}@127.0.0.1:${gitPort}/git/${NS}/site.git`, 'main');
    await until(async () => (await fetchText(ingressPort, sc.path)) === sc.text(i), 900_000, `version ${i} serving`);
    const total = performance.now() - t0;
    const runs = JSON.parse(await kubectl(['get', 'pipelineruns.tekton.dev', '-n', NS, '-o', 'json'])).items;
    const r = runs.find((x) => x.metadata.annotations?.['platform.wharf.dev/commit'] === sha);
    const build =
      r?.status?.startTime && r.status.completionTime
        ? Date.parse(r.status.completionTime) - Date.parse(r.status.startTime)
        : NaN;
    rows.push({ i, total, build });
    process.stderr.write(`push ${i}/${reps}: serving after ${fmtNum(total)} ms (build ${fmtNum(build)} ms)\n`);
  }
  return { rows, imagesMs };
}

/** The section's two tables: p50/p95 over all and warm pushes, then each push. */
export function pushTables(rows) {
  const totals = rows.map((r) => r.total);
  const warm = rows.slice(1).map((r) => r.total);
  return `| | p50 | p95 | max |
|---|---|---|---|
| push → serving, all ${rows.length} pushes | ${fmtNum(p(totals, 0.5))} ms | ${fmtNum(p(totals, 0.95))} ms | ${fmtNum(Math.max(...totals))} ms |
| push → serving, warm (pushes 2–${rows.length}) | ${fmtNum(p(warm, 0.5))} ms | ${fmtNum(p(warm, 0.95))} ms | ${fmtNum(Math.max(...warm))} ms |

| push | push → serving | of which the build (PipelineRun start → completion) |
|---|---|---|
${rows.map((r) => `| ${r.i}${r.i === 1 ? ' (cold)' : ''} | ${fmtNum(r.total)} ms | ${fmtNum(r.build)} ms |`).join('\n')}`;
}
