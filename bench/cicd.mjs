// CI/CD benchmarks. The thin-image step: `wharf image pack` (Wharf's own image code, no daemon,
// no root needed) against `buildah bud` of `FROM scratch` + `COPY` of the same files (vfs storage,
// chroot isolation), each building the image and pushing it to the same built-in registry; the
// time ratio and the pushed image's size. And `git push` → the new version serving: a static
// site pushed to Wharf's git server, built by the wharf-static-site Pipeline in runc pods, rolled
// out by its Application; a Node.js app (npm offline, a lockfile-keyed cache) and the seed's Java
// app (two .wars, Maven offline, Tomcat M+N) the same way (bench/lib/deliver.mjs). And the
// pipeline controller's overhead: five no-op tasks in a row, wall time less the steps' own.
// Writes docs/benchmarks/cicd.md, each part its own section. Run after a build: `node
// bench/cicd.mjs` (BENCH_REPS repetitions, default 5; BENCH_PART=pack, push, node, java or
// overhead for one part, the other sections of the file kept).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onCleanup, startWharfCleanly, runBench } from './lib/cleanup.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { REPO_ROOT, WHARF_BIN, tempDir } from './lib/procs.mjs';
import { fmtNum, fmtRatio, quantile } from './lib/stats.mjs';
import { benchPushToServe, kubectlOf, pushTables, until } from './lib/deliver.mjs';
import { javaWar, nodeApp, staticSite } from './lib/deliver-scenarios.mjs';

const run = promisify(execFile);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const OUT = join(REPO_ROOT, 'docs/benchmarks/cicd.md');
const PART = process.env.BENCH_PART ?? 'all';

/** The `## ` section of `md` starting with `heading`, or '' (to keep a part not re-run). */
function section(md, heading) {
  const at = md.indexOf(`\n## ${heading}`);
  if (at < 0) return '';
  const next = md.indexOf('\n## ', at + 4);
  return md.slice(at + 1, next < 0 ? undefined : next + 1).trimEnd() + '\n';
}

/** What a Java build leaves: two .war files (random bytes: they are zips already) and static files. */
function buildOutput(dir) {
  mkdirSync(join(dir, 'static'), { recursive: true });
  writeFileSync(join(dir, 'ROOT.war'), randomBytes(8e6));
  writeFileSync(join(dir, 'shop.war'), randomBytes(4e6));
  for (let i = 0; i < 200; i++) writeFileSync(join(dir, 'static', `page-${i}.html`), `<h1>page ${i}</h1>\n`.repeat(50));
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** The load average as this part starts: the machine is shared, so each section says how busy it was. */
const loadNow = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

const median = (xs) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

async function staticSection() {
  const load = loadNow();
  const { rows, imagesMs } = await benchPushToServe(REPS, staticSite);
  return `## \`git push\` → the new version serving

A static site (one page) pushed to Wharf's git server; the Repository's rule runs the
\`wharf-static-site\` Pipeline (clone with the step's service-account token → publish → the
thin-image step pushing a \`FROM scratch\` image from a pod: three runc pods, each workspace a
fresh local-path claim); the delivery controller pins the image by digest into the Application,
whose health-gated rollout (canary, 3 s analysis, then the rest) replaces the pod; timed from
\`git push\` to the first GET through the Ingress answering with the pushed text. The first push is
cold (the step images are pulled and unpacked on the node for the first time); the others are
warm. Step images built first (git, busybox, the pack step) in ${fmtNum(imagesMs)} ms.

${pushTables(rows)}

Load average when this part started: ${load}. Most of the time is the three build pods one after another (each a pod start, a claim and, for
the pack step, Node.js loading); the rollout adds a few seconds. On the shared 2-core machine
(other suites running) the warm times are upper bounds.
Run with \`BENCH_PART=push node bench/cicd.mjs\` after \`npm run build\` (root, runc, CNI).
`;
}

async function nodeSection() {
  const load = loadNow();
  const { rows, imagesMs } = await benchPushToServe(REPS, nodeApp);
  return `## \`git push\` → the new version serving: a Node.js app (npm, a lockfile-keyed cache)

e2e/fixtures/node-shop (a server, a build script, one dependency vendored as a tarball so npm
needs no registry) pushed to Wharf's git server; the \`wharf-node-app\` Pipeline runs clone → the
wharf-cache Task restoring node_modules by the hash of package-lock.json from a claim every run
shares → \`npm ci --offline\` (skipped when the cache had that lockfile) and the build script in the
\`wharf/node-build\` step image → the cache saved → the thin-image step packing only \`dist/\`; the
delivery controller pins the image into an Application running it on Debian's nodejs (M+N: the
runtime image \`wharf/node:18\`, the artifact the build); timed from \`git push\` to the first GET
through the Ingress answering the pushed version. Cold is the first push (step images unpacked on
the node for the first time, an empty npm cache); warm are the others (same lockfile: npm ci
skipped). Step images built first (git, busybox, pack, node-build, the nodejs runtime) in ${fmtNum(imagesMs)} ms.

${pushTables(rows)}

Load average when this part started: ${load}. Target (issue 14): Node.js app ≤ 30 s warm. Run with \`BENCH_PART=node node bench/cicd.mjs\` after \`npm run build\` (root, runc, CNI).
`;
}

async function javaSection() {
  const load = loadNow();
  const { rows, imagesMs } = await benchPushToServe(REPS, javaWar);
  return `## \`git push\` → the new version serving: the seed's Java app (Maven, Tomcat M+N)

e2e/fixtures/java-shop (two servlet web applications, one .war each) pushed to Wharf's git
server; the \`wharf-java-war\` Pipeline runs clone → \`mvn --offline package\` against Debian's Maven
repository (the \`wharf/maven\` step image, \`wharf image build-step maven\`) → the thin-image step
packing only the two .wars; the delivery controller pins the image into an Application whose
runtime is a Tomcat 10 image built from Debian's packages and whose artifact (the .wars) is its
appBase; timed from \`git push\` to the first GET of \`/shop/\` answering the pushed version. Cold is
the first push (the step images, Maven's 280 MB among them, unpacked on the node for the first
time); warm are the others. Maven builds offline against a repository inside its image, so there
is no dependency download for a cache to save: warm runs gain from images already on the node,
not from the wharf-cache Task (used by the Node.js pipeline, keyed by package-lock.json). Step
images built first (git, busybox, pack, maven, Tomcat) in ${fmtNum(imagesMs)} ms.

${pushTables(rows)}

Load average when this part started: ${load}. Target (issue 14): Java ≤ 60 s warm. Run with \`BENCH_PART=java node bench/cicd.mjs\` after \`npm run build\` (root, runc, CNI, JDK).
`;
}

/** A PipelineRun of five no-op tasks in a row (a → b → c → d → e), each one step running `true`. */
const noopRun = (i) =>
  JSON.stringify({
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { name: `noop-${i}`, namespace: 'bench' },
    spec: {
      pipelineSpec: {
        tasks: ['a', 'b', 'c', 'd', 'e'].map((name, j, all) => ({
          name,
          ...(j ? { runAfter: [all[j - 1]] } : {}),
          taskSpec: { steps: [{ name: 'noop', image: 'busybox:1', script: 'true' }] },
        })),
      },
    },
  });

/** Seconds between two RFC 3339 times of the API (second resolution). */
const span = (from, to) => (Date.parse(to) - Date.parse(from)) / 1000;

async function overheadSection() {
  const load = loadNow();
  const wharf = await startWharfCleanly(['--nodes', '1', '--no-monitoring'], { readyTimeoutMs: 300_000 });
  const kubectl = kubectlOf(wharf.dataDir);
  await run(
    process.execPath,
    [WHARF_BIN, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', wharf.dataDir],
    {
      timeout: 900_000,
    },
  );
  await kubectl(['create', 'namespace', 'bench']);
  const rows = [];
  for (let i = 0; i <= REPS; i++) {
    const t0 = performance.now();
    await kubectl(['create', '-f', '-'], noopRun(i));
    const done = await until(
      async () => {
        const r = JSON.parse(await kubectl(['get', 'pipelinerun', `noop-${i}`, '-n', 'bench', '-o', 'json']));
        const c = r.status?.conditions?.find((x) => x.type === 'Succeeded');
        return c && c.status !== 'Unknown' ? c : undefined;
      },
      600_000,
      `PipelineRun noop-${i}`,
    );
    const wall = performance.now() - t0;
    if (done.status !== 'True') throw new Error(`noop-${i} did not succeed: ${done.message}`);
    const taskRuns = JSON.parse(
      await kubectl(['get', 'taskruns', '-n', 'bench', '-l', `tekton.dev/pipelineRun=noop-${i}`, '-o', 'json']),
    ).items;
    const steps = taskRuns
      .flatMap((t) => t.status?.steps ?? [])
      .reduce((sum, st) => sum + (st.terminated ? span(st.terminated.startedAt, st.terminated.finishedAt) : 0), 0);
    // Run 0 pulls and unpacks busybox on the node: reported apart, not in the percentiles.
    rows.push({ i, wall, steps: steps * 1000, tasks: taskRuns.length });
    process.stderr.write(`noop-${i}: ${fmtNum(wall)} ms, steps ${fmtNum(steps * 1000)} ms\n`);
  }
  const warm = rows.slice(1);
  const walls = warm.map((r) => r.wall).sort((a, b) => a - b);
  const over = warm.map((r) => r.wall - r.steps).sort((a, b) => a - b);
  return `## Pipeline controller overhead: five no-op tasks

A PipelineRun of five tasks in a row (each waits for the one before), each task one step running
\`true\` in \`busybox:1\`, on \`wharf up --nodes 1 --no-monitoring\` (runc pods); timed from \`kubectl
create\` to the run's Succeeded condition seen by polling every 200 ms. The steps' own time is the
sum of their containers' start → finish (second resolution: a \`true\` rounds to 0 or 1 s); what
is left is the controller's overhead: five TaskRuns created in turn, a pod each (scheduling,
sandbox, the entrypoint's wait for the step before), status written back. Run 0 (busybox unpacked
on the node for the first time) is left out of the percentiles. No Tekton runs beside it: its
controller images come from a public registry this machine cannot reach.

| | p50 | p95 | max |
|---|---|---|---|
| wall time, ${warm.length} runs | ${fmtNum(quantile(walls, 0.5))} ms | ${fmtNum(quantile(walls, 0.95))} ms | ${fmtNum(walls.at(-1))} ms |
    quantile(
      [...warm.map((r) => r.wall)].sort((a, b) => a - b),
      0.5,
    ),
  )} ms | ${fmtNum(
    quantile(
      [...warm.map((r) => r.wall)].sort((a, b) => a - b),
      0.95,
    ),
  )} ms | ${fmtNum(Math.max(...warm.map((r) => r.wall)))} ms |
| overhead (wall − steps) | ${fmtNum(quantile(over, 0.5))} ms | ${fmtNum(quantile(over, 0.95))} ms | ${fmtNum(Math.max(...over))} ms |
| overhead per task | ${fmtNum(quantile(over, 0.5) / 5)} ms | ${fmtNum(quantile(over, 0.95) / 5)} ms | |

| run | wall | steps' own time | TaskRuns |
|---|---|---|---|
${rows.map((r) => `| ${r.i}${r.i === 0 ? ' (cold)' : ''} | ${fmtNum(r.wall)} ms | ${fmtNum(r.steps)} ms | ${r.tasks} |`).join('\n')}

Load average when this part started: ${load}. Run with \`BENCH_PART=overhead node bench/cicd.mjs\` after \`npm run build\` (root, runc, CNI).
`;
}

async function packSection() {
  const buildahVersion = (await run('buildah', ['--version'])).stdout.trim();
  const wharf = await startWharfCleanly(['--no-platform']);
  const { registryHost } = JSON.parse(readFileSync(join(wharf.dataDir, 'endpoints.json'), 'utf8'));
  const work = tempDir('wharf-bench-cicd-');
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  const files = join(work, 'target');
  buildOutput(files);
  writeFileSync(join(work, 'Containerfile'), 'FROM scratch\nCOPY . /app/\n');
  const storage = [
    '--root',
    join(work, 'buildah-root'),
    '--runroot',
    join(work, 'buildah-run'),
    '--storage-driver',
    'vfs',
  ];
  const creds = ['--tls-verify=false', '--creds', `x:${wharf.token}`];
  const size = async (ref) => {
    const m = JSON.parse(
      (await run('skopeo', ['inspect', '--raw', ...creds, `docker://${registryHost}/${ref}`])).stdout,
    );
    return m.config.size + m.layers.reduce((s, l) => s + l.size, 0);
  };

  // The CLI's own start (Node.js and module loading), to tell it from the packing itself.
  const startup = [];
  for (let i = 0; i < REPS; i++) startup.push(await timed(() => run(process.execPath, [WHARF_BIN, '--version'])));
  const pack = [];
  const buildah = [];
  const buildahBuildOnly = [];
  for (let i = 0; i < REPS; i++) {
    pack.push(
      await timed(() =>
        run(
          process.execPath,
          [
            WHARF_BIN,
            'image',
            'pack',
            files,
            '--to',
            `${registryHost}/bench-pack:${i}`,
            '--prefix',
            'app',
            '--data-dir',
            wharf.dataDir,
          ],
          { timeout: 300_000 },
        ),
      ),
    );
    let built = 0;
    buildah.push(
      await timed(async () => {
        built = await timed(() =>
          run(
            'buildah',
            [
              ...storage,
              'bud',
              '--isolation',
              'chroot',
              '-q',
              '-f',
              join(work, 'Containerfile'),
              '-t',
              `localhost/bench:${i}`,
              files,
            ],
            { timeout: 300_000 },
          ),
        );
        await run(
          'buildah',
          [...storage, 'push', ...creds, `localhost/bench:${i}`, `docker://${registryHost}/bench-buildah:${i}`],
          { timeout: 300_000 },
        );
      }),
    );
    buildahBuildOnly.push(built);
    process.stderr.write(
      `rep ${i + 1}/${REPS}: pack ${fmtNum(pack.at(-1))} ms, buildah ${fmtNum(buildah.at(-1))} ms (build ${fmtNum(built)} ms)\n`,
    );
  }
  const packSize = await size('bench-pack:0');
  const buildahSize = await size('bench-buildah:0');
  onCleanup(() => run('buildah', [...storage, 'rm', '--all']).catch(() => undefined));

  return `## The thin-image step: \`wharf image pack\` vs \`buildah\`

The same build output (two .war files of 8 MB and 4 MB of random bytes, 200 small HTML files) as a
\`FROM scratch\` image with the files under /app, built and pushed to Wharf's built-in registry.
\`wharf image pack\` is one CLI process (Node.js start included) that writes one reproducible gzip
layer and pushes it; buildah runs \`bud\` (vfs storage, chroot isolation, root) then \`push\`.
Median of ${REPS} runs, each to a new tag (blobs already in the registry are not sent again by
either tool after the first run).

| | wharf image pack | buildah bud + push | ratio (buildah / pack) |
|---|---|---|---|
| build + push, median | ${fmtNum(median(pack))} ms | ${fmtNum(median(buildah))} ms | ${fmtRatio(median(buildah) / median(pack))} |
| build only, median | (not separable: one command) | ${fmtNum(median(buildahBuildOnly))} ms | |
| \`wharf --version\` (CLI start alone), median | ${fmtNum(median(startup))} ms | | |
| build + push less the CLI start | ${fmtNum(median(pack) - median(startup))} ms | | ${fmtRatio(median(buildah) / (median(pack) - median(startup)))} |
| image size (config + layers, compressed) | ${fmtNum(packSize)} bytes | ${fmtNum(buildahSize)} bytes | ${fmtRatio(buildahSize / packSize)} |

The load average above says how busy the shared machine was: on this 2-core host other test runs
were going on, and the CLI's start (loading Node.js modules) takes seconds under that load.

Runs (ms): pack ${pack.map((x) => fmtNum(x)).join(', ')}; buildah ${buildah.map((x) => fmtNum(x)).join(', ')}.

Run with \`BENCH_PART=pack node bench/cicd.mjs\` after \`npm run build\` (needs buildah and skopeo; root for buildah's vfs storage).
Runtime: no nodes (\`wharf up --no-platform\`); buildah: ${buildahVersion}.
`;
}

async function main() {
  const facts = machineFacts();
  const old = (() => {
    try {
      return readFileSync(OUT, 'utf8');
    } catch {
      return '';
    }
  })();
  const pack = PART === 'all' || PART === 'pack' ? await packSection() : section(old, 'The thin-image step');
  const push =
    PART === 'all' || PART === 'push' ? await staticSection() : section(old, '`git push` → the new version serving\n');
  const node =
    PART === 'all' || PART === 'node'
      ? await nodeSection()
      : section(old, '`git push` → the new version serving: a Node.js app');
  const overhead =
    PART === 'all' || PART === 'overhead' ? await overheadSection() : section(old, 'Pipeline controller overhead');
  const java =
    PART === 'all' || PART === 'java'
      ? await javaSection()
      : section(old, "`git push` → the new version serving: the seed's Java app");
  const md = `# CI/CD benchmarks

${machineTable(facts, [], PART === 'pack' ? 'see each section' : '`wharf up --nodes 1` (runc) for `git push`; no nodes for the thin-image step')}

${push}
${node}
${java}
${overhead}
${pack}`;
  writeFileSync(OUT, md);
  process.stdout.write(md);
}

runBench(main);
