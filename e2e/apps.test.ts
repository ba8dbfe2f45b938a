// Applications end to end on `wharf up --nodes 1 --no-platform` with real runc pods, the platform
// controllers running as a separate `wharf platform --kubeconfig` process with the least-privilege
// ServiceAccount of deploy/platform/: the issue's interface (busybox httpd serving an artifact
// image's files through the Ingress URL), a config change rolled out under health gates with zero
// failed requests under continuous load, an inPlace file change without a restart, a bad config
// rolled back automatically (Degraded/RolledBack), a rollback to revision 1 restoring artifacts
// and config, and a secret that never shows outside the pods. Artifacts use the init-copy
// fallback (the node agent of this branch has no image volumes).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  eventually,
  httpGet,
  Kubectl,
  ociArchive,
  REPO_ROOT,
  runcUnavailable,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
const SECRET = 's3cr3t-value-4242';

/** The interface of the issue, with shorter health gates for the test (fields may be added). */
const APP = `
apiVersion: platform.wharf.dev/v1alpha1
kind: ConfigSet
metadata: {name: shop-settings, namespace: demo}
spec:
  data: {GREETING: hello}
---
apiVersion: platform.wharf.dev/v1alpha1
kind: ConfigSet
metadata: {name: shop-files, namespace: demo}
spec:
  data: {motd.txt: first}
---
apiVersion: platform.wharf.dev/v1alpha1
kind: Application
metadata: {name: shop, namespace: demo}
spec:
  # The bad config's rollback waits the deadline out; a canary was Ready in 3 s at load average 20.
  # No test here fails a pod after it was Ready: the analysis only has to be seen at each step.
  rollout: {analysisSeconds: 2, progressDeadlineSeconds: 12, batchSeconds: 2}
  components:
  - name: web
    runtime: {image: "busybox:1", command: [httpd, -f, -p, "8080", -h, /www]}
    artifacts:
    - {image: "shop-site:1", path: /site, mountPath: /www}
    replicas: 2
    ports: [{name: http, port: 8080}]
    expose: {host: shop.localhost}
    config:
    - {configSet: shop-settings, as: env}
    - {configSet: shop-files, as: file, mountPath: /www/conf, update: inPlace, reload: {httpGet: {path: /cgi-bin/reload, port: 8080}, delaySeconds: 3}}
`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl JSON output, read field by field
type Json = Record<string, any>;

interface Tally {
  ok: number;
  failed: string[];
  bodies: string[];
}

/** Sequential GETs through the Ingress gateway, as a user would send them, until stopped. */
class Load {
  readonly tally: Tally = { ok: 0, failed: [], bodies: [] };
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly port: number,
    private readonly path: string,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const r = await get(this.port, this.path).catch((e: Error) => ({ status: 0, body: e.message }));
      if (r.status === 200) {
        this.tally.ok++;
        this.tally.bodies.push(r.body.trim());
      } else this.tally.failed.push(`${r.status} ${r.body.slice(0, 200)}`);
      await new Promise((res) => setTimeout(res, 20));
    }
  }

  async stop(): Promise<Tally> {
    this.running = false;
    await this.loop;
    return this.tally;
  }
}

/** GET through the gateway with the app's Host header. */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return httpGet({ host: '127.0.0.1', port, path, headers: { host: 'shop.localhost' }, timeoutMs: 10_000 }).then(
    (r) => ({ status: r.status, body: r.text }),
  );
}

/** An artifact image: busybox plus /site with an index page and a CGI that prints the config. */
function siteImage(layout: string, dir: string, version: string): string {
  const content = join(dir, `site-${version}`);
  const site = join(content, 'site');
  mkdirSync(join(site, 'cgi-bin'), { recursive: true });
  writeFileSync(join(site, 'index.html'), `site ${version}\n`);
  writeFileSync(
    join(site, 'cgi-bin/greet'),
    '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "greeting=$GREETING"\n',
  );
  chmodSync(join(site, 'cgi-bin/greet'), 0o755);
  // Readiness by HTTP (cheaper than an exec probe on a loaded machine): a bad greeting is a 503.
  writeFileSync(
    join(site, 'cgi-bin/ready'),
    '#!/bin/sh\nif [ "$GREETING" = bad ]; then printf "HTTP/1.0 503 Service Unavailable\\r\\n\\r\\nbad config\\n"; else printf "Content-Type: text/plain\\r\\n\\r\\nready\\n"; fi\n',
  );
  chmodSync(join(site, 'cgi-bin/ready'), 0o755);
  // The reload call of the inPlace config: keeps what the file said when it was called.
  writeFileSync(
    join(site, 'cgi-bin/reload'),
    '#!/bin/sh\ncat /www/conf/motd.txt > /www/reloaded\nprintf "Content-Type: text/plain\\r\\n\\r\\nreloaded\\n"\n',
  );
  chmodSync(join(site, 'cgi-bin/reload'), 0o755);
  return ociArchive({ contentDir: content, base: { layout, ref: 'busybox:1' } }, join(dir, `site-${version}.tar`));
}

/** A kubeconfig for the platform's ServiceAccount: the controllers get only the ClusterRole's rights. */
async function serviceAccountKubeconfig(k: Kubectl, admin: string, out: string): Promise<void> {
  const token = (await k.ok(['create', 'token', 'wharf-platform', '-n', 'wharf-platform', '--duration', '2h'])).trim();
  const kc = parse(readFileSync(admin, 'utf8')) as Json;
  kc.users = [{ name: 'wharf-platform', user: { token } }];
  kc.contexts = [{ name: 'platform', context: { cluster: kc.clusters[0].name, user: 'wharf-platform' } }];
  kc['current-context'] = 'platform';
  writeFileSync(out, stringify(kc), { mode: 0o600 });
}

/** Every log file under a directory (audit log, container logs). */
function logFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...logFiles(p));
    else if (e.isFile() && /\.log$|log$/.test(e.name) && statSync(p).size < 50_000_000) out.push(p);
  }
  return out;
}

describe.skipIf(skip !== '')(`Applications with the platform as a separate process ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let scratch: string;
  let platform: ChildProcess;
  let platformOutput = '';
  let ingressPort: number;
  const app = async (): Promise<Json> =>
    JSON.parse(await k.ok(['get', 'app', 'shop', '-n', 'demo', '-o', 'json'])) as Json;
  const condition = (a: Json, type: string): Json | undefined =>
    (a.status?.conditions as Json[] | undefined)?.find((c) => c.type === type);
  const rolledOut = (n: number) => async (): Promise<Json | undefined> => {
    const a = await app();
    if (a.status?.revision === n && !a.status.rollout && condition(a, 'Ready')?.status === 'True') return a;
    // Thrown, so a timeout says where the rollout was.
    throw new Error(
      `status ${JSON.stringify({ revision: a.status?.revision, rollout: a.status?.rollout, conditions: a.status?.conditions?.map((c: Json) => `${c.type}=${c.status} ${c.reason}: ${c.message}`) })}\nplatform: ${platformOutput.split('\n').slice(-8).join('\n')}`,
    );
  };
  const podsOf = async (revision: number): Promise<Json[]> =>
    (
      JSON.parse(
        await k.ok(['get', 'pods', '-n', 'demo', '-l', `platform.wharf.dev/revision=${revision}`, '-o', 'json']),
      ) as Json
    ).items as Json[];

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'wharf-apps-e2e-'));
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1', '--no-platform'], readyTimeoutMs: 120_000 });
    k = new Kubectl(wharf.kubeconfig);
    ingressPort = Number(/"ingress":"http:\/\/<app>\.localhost:(\d+)"/.exec(wharf.output)?.[1]);
    const wharfCli = (args: string[]) =>
      run(process.execPath, [WHARF_BIN, ...args, '--data-dir', wharf.dataDir], { timeout: 180_000 });
    await wharfCli(['image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static']);
    for (const v of ['1', '2'])
      await wharfCli([
        'image',
        'import',
        siteImage(join(wharf.dataDir, 'images'), scratch, v),
        '--name',
        `shop-site:${v}`,
      ]);
    // Installed as on any cluster: the CRDs, then the controllers' account, role and binding.
    await k.ok(['apply', '-f', join(REPO_ROOT, 'deploy/platform/crds.yaml')]);
    const manifests = readFileSync(join(REPO_ROOT, 'deploy/platform/platform.yaml'), 'utf8')
      .split(/^---$/m)
      .filter((d) => !/kind: Deployment/.test(d))
      .join('---\n');
    await k.ok(['apply', '-f', '-'], { stdin: manifests });
    const kubeconfig = join(scratch, 'platform.kubeconfig');
    await serviceAccountKubeconfig(k, wharf.kubeconfig, kubeconfig);
    platform = spawn(
      process.execPath,
      [
        WHARF_BIN,
        'platform',
        '--kubeconfig',
        kubeconfig,
        '--no-install-crds',
        '--ingress-port',
        String(ingressPort),
        '--artifact-delivery',
        'init-copy',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    platform.stdout?.on('data', (d: Buffer) => (platformOutput += d.toString()));
    platform.stderr?.on('data', (d: Buffer) => (platformOutput += d.toString()));
    // Its output says why when it does not start (a busy machine may take a minute).
    await eventually(
      () => (platformOutput.includes('wharf platform is running') ? true : undefined),
      90_000,
      'wharf platform to start',
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; its output:\n${platformOutput}`);
    });
    await k.ok(['create', 'namespace', 'demo']);
    await k.ok(['create', 'secret', 'generic', 'shop-secrets', '-n', 'demo', `--from-literal=TOKEN=${SECRET}`]);
  }, 300_000);

  afterAll(async () => {
    if (platform?.pid) {
      platform.kill('SIGTERM');
      await new Promise((r) => platform.once('exit', r));
    }
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it(
    "deploys the M+N app: the artifact's files and the config answer through the Ingress URL",
    { timeout: 120_000 },
    async () => {
      await k.ok(['apply', '-f', '-'], { stdin: APP });
      const a = await eventually(rolledOut(1), 90_000, 'revision 1 rolled out');
      expect(a.status.url).toBe(`http://shop.localhost:${ingressPort}/`);
      expect(a.status.artifactDelivery).toBe('initCopy');
      expect(a.status.components).toEqual([
        { name: 'web', replicas: 2, readyReplicas: 2, updatedReplicas: 2, url: a.status.url },
      ]);
      expect(await get(ingressPort, '/')).toEqual({ status: 200, body: 'site 1\n' });
      expect(await get(ingressPort, '/cgi-bin/greet')).toEqual({ status: 200, body: 'greeting=hello\n' });
      expect(await get(ingressPort, '/conf/motd.txt')).toEqual({ status: 200, body: 'first' });
      const deploy = JSON.parse(await k.ok(['get', 'deployment', 'shop-web-r1', '-n', 'demo', '-o', 'json'])) as Json;
      expect(deploy.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'shop',
        'app.kubernetes.io/component': 'web',
        'app.kubernetes.io/managed-by': 'wharf-platform',
        'app.kubernetes.io/part-of': 'shop',
      });
      expect(await k.ok(['get', 'configmap', 'shop-settings-v1', '-n', 'demo', '-o', 'jsonpath={.immutable}'])).toBe(
        'true',
      );
    },
  );

  it('rolls a config change out under health gates with zero failed requests', { timeout: 300_000 }, async () => {
    // A readiness probe that fails on a bad greeting (a spec change: revision 2), and a secret.
    const patch = [
      {
        op: 'add',
        path: '/spec/components/0/probes',
        value: {
          readiness: {
            httpGet: { path: '/cgi-bin/ready', port: 8080 },
            periodSeconds: 1,
            timeoutSeconds: 3,
            failureThreshold: 3,
          },
        },
      },
      {
        op: 'add',
        path: '/spec/components/0/secrets',
        value: [
          { secret: 'shop-secrets', as: 'env' },
          { secret: 'shop-secrets', as: 'file', mountPath: '/run/shop' },
        ],
      },
    ];
    await k.ok(['patch', 'app', 'shop', '-n', 'demo', '--type', 'json', '-p', JSON.stringify(patch)]);
    await eventually(rolledOut(2), 120_000, 'revision 2 rolled out');
    const load = new Load(ingressPort, '/cgi-bin/greet');
    await k.ok([
      'patch',
      'configset',
      'shop-settings',
      '-n',
      'demo',
      '--type',
      'merge',
      '-p',
      '{"spec":{"data":{"GREETING":"hi"}}}',
    ]);
    const a = await eventually(rolledOut(3), 150_000, 'revision 3 rolled out');
    const tally = await load.stop();
    console.log(`config rollout: ${tally.ok} requests answered, ${tally.failed.length} failed`);
    expect(tally.failed).toEqual([]);
    expect(tally.ok).toBeGreaterThan(20); // continuous load through the whole rollout
    expect(tally.bodies.at(-1)).toBe('greeting=hi');
    const rev = JSON.parse(await k.ok(['get', 'apprev', 'shop-r3', '-n', 'demo', '-o', 'json'])) as Json;
    expect(rev.spec.cause).toBe('config shop-settings v2');
    expect(rev.spec.config).toEqual([{ configSet: 'shop-settings', version: 2, configMap: 'shop-settings-v2' }]);
    // Every replica has the new value.
    const pods = await podsOf(3);
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      const seen = await k.ok([
        'exec',
        '-n',
        'demo',
        p.metadata.name,
        '-c',
        'web',
        '--',
        'sh',
        '-c',
        'echo $GREETING $TOKEN $(cat /run/shop/TOKEN)',
      ]);
      expect(seen.trim()).toBe(`hi ${SECRET} ${SECRET}`);
    }
    const events = await k.ok([
      'get',
      'events',
      '-n',
      'demo',
      '--field-selector',
      'involvedObject.name=shop',
      '-o',
      'jsonpath={range .items[*]}{.reason}{"\\n"}{end}',
    ]);
    expect(events).toMatch(/CanaryPassed/);
    expect(condition(a, 'Degraded')?.status).toBe('False');
  });

  it(
    'changes an inPlace file in the running pods without a restart, then calls the reload on each pod',
    { timeout: 60_000 },
    async () => {
      const before = (await podsOf(3)).map((p) => p.metadata.uid as string).sort();
      await k.ok([
        'patch',
        'configset',
        'shop-files',
        '-n',
        'demo',
        '--type',
        'merge',
        '-p',
        '{"spec":{"data":{"motd.txt":"second"}}}',
      ]);
      // Both replicas (round robin) serve it, and they are the same pods, never restarted.
      await eventually(
        async () => {
          for (let i = 0; i < 6; i++)
            if ((await get(ingressPort, '/conf/motd.txt')).body !== 'second') return undefined;
          return true;
        },
        45_000,
        'the new file served by every replica',
      );
      const after = await podsOf(3);
      expect(after.map((p) => p.metadata.uid as string).sort()).toEqual(before);
      expect(after.map((p) => p.status.containerStatuses[0].restartCount as number)).toEqual([0, 0]);
      expect((await app()).status.revision).toBe(3);
      // The reload call came after the new file was in each pod (it saw "second").
      for (const p of after) {
        await eventually(
          async () => {
            const seen = await k.run([
              'exec',
              '-n',
              'demo',
              p.metadata.name as string,
              '-c',
              'web',
              '--',
              'cat',
              '/www/reloaded',
            ]);
            return seen.stdout === 'second' ? true : undefined;
          },
          20_000,
          `the reload call on ${p.metadata.name as string}`,
        );
      }
      const reloaded = await k.ok([
        'get',
        'events',
        '-n',
        'demo',
        '--field-selector',
        'involvedObject.name=shop,reason=Reloaded',
        '-o',
        'jsonpath={.items[0].message}',
      ]);
      expect(reloaded).toBe('config shop-files v2 is in place; reload called on 2 pod(s)');
    },
  );

  it(
    'rolls a bad config back automatically with zero failed requests: Degraded/RolledBack and an Event',
    { timeout: 200_000 },
    async () => {
      const load = new Load(ingressPort, '/cgi-bin/greet');
      await k.ok([
        'patch',
        'configset',
        'shop-settings',
        '-n',
        'demo',
        '--type',
        'merge',
        '-p',
        '{"spec":{"data":{"GREETING":"bad"}}}',
      ]);
      const a = await eventually(
        async () => {
          const got = await app();
          return condition(got, 'Degraded')?.reason === 'RolledBack' && !got.status.rollout ? got : undefined;
        },
        130_000,
        'Degraded/RolledBack',
      );
      const tally = await load.stop();
      console.log(`bad config rollback: ${tally.ok} requests answered, ${tally.failed.length} failed`);
      expect(tally.failed).toEqual([]);
      expect(new Set(tally.bodies)).toEqual(new Set(['greeting=hi']));
      expect(a.status.revision).toBe(3);
      expect(condition(a, 'Degraded')?.message).toMatch(
        /^revision 4 \(config shop-settings v3\) was rolled back to revision 3: .*readiness probe failing/,
      );
      expect(await k.ok(['get', 'apprev', 'shop-r4', '-n', 'demo', '-o', 'jsonpath={.status.phase}'])).toBe('Failed');
      const events = await k.ok([
        'get',
        'events',
        '-n',
        'demo',
        '--field-selector',
        'involvedObject.name=shop,reason=RolledBack',
        '-o',
        'jsonpath={.items[0].type} {.items[0].message}',
      ]);
      expect(events).toMatch(/^Warning rolled back from revision 4 to revision 3/);
      // Never re-applied: its pods go and do not come back, and no revision is made.
      await eventually(
        async () => ((await podsOf(4)).length === 0 ? true : undefined),
        30_000,
        'the pods of revision 4 gone',
      );
      await new Promise((r) => setTimeout(r, 3000));
      expect(await podsOf(4)).toEqual([]);
      expect((await k.ok(['get', 'apprev', '-n', 'demo', '-o', 'name'])).trim().split('\n')).toHaveLength(4);
    },
  );

  it(
    'rolls back to revision 1: the first artifact version and the first config version',
    { timeout: 400_000 },
    async () => {
      await k.ok([
        'patch',
        'configset',
        'shop-settings',
        '-n',
        'demo',
        '--type',
        'merge',
        '-p',
        '{"spec":{"data":{"GREETING":"hey"}}}',
      ]);
      await k.ok([
        'patch',
        'app',
        'shop',
        '-n',
        'demo',
        '--type',
        'json',
        '-p',
        JSON.stringify([{ op: 'replace', path: '/spec/components/0/artifacts/0/image', value: 'shop-site:2' }]),
      ]);
      await eventually(
        async () =>
          (await get(ingressPort, '/')).body === 'site 2\n' && (await app()).status?.rollout === undefined
            ? true
            : undefined,
        150_000,
        'site 2',
      );
      expect((await get(ingressPort, '/cgi-bin/greet')).body).toBe('greeting=hey\n');
      const n = (await app()).status.revision as number;
      // The tag of revision 1's artifact now names other content: the rollback must not follow it.
      const r1 = JSON.parse(await k.ok(['get', 'apprev', 'shop-r1', '-n', 'demo', '-o', 'json'])) as Json;
      const digest = (r1.status.images as Json[]).find((i) => i.role === 'artifact-0')?.digest as string;
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      await run(
        process.execPath,
        [
          WHARF_BIN,
          'image',
          'import',
          siteImage(join(wharf.dataDir, 'images'), scratch, 'moved'),
          '--name',
          'shop-site:1',
          '--data-dir',
          wharf.dataDir,
        ],
        { timeout: 180_000 },
      );
      // What `wharf app rollback shop --to 1` asks for. The first revision has no probe (a TCP check
      // on the port) and its own rollout policy.
      await k.ok(['annotate', 'app', 'shop', '-n', 'demo', 'platform.wharf.dev/rollback-to=1']);
      const a = await eventually(rolledOut(n + 1), 200_000, `revision ${n + 1} rolled out`);
      expect(a.metadata.annotations?.['platform.wharf.dev/rollback-to']).toBeUndefined();
      expect(await get(ingressPort, '/')).toEqual({ status: 200, body: 'site 1\n' });
      expect(await get(ingressPort, '/cgi-bin/greet')).toEqual({ status: 200, body: 'greeting=hello\n' });
      const copier = await k.ok([
        'get',
        'deployment',
        `shop-web-r${n + 1}`,
        '-n',
        'demo',
        '-o',
        'jsonpath={.spec.template.spec.initContainers[0].image}',
      ]);
      expect(copier).toBe(`shop-site:1@${digest}`);
      expect(
        JSON.parse(await k.ok(['get', 'apprev', `shop-r${n + 1}`, '-n', 'demo', '-o', 'jsonpath={.spec}'])) as Json,
      ).toMatchObject({ cause: 'rollback to 1', config: [{ configSet: 'shop-settings', version: 1 }] });
    },
  );

  it(
    'keeps the secret inside the pods: never in the app, events, the audit log or any log',
    { timeout: 60_000 },
    async () => {
      // Revisions 2 to 4 mounted it (the rollback to 1 dropped it): read it from a revision 2 snapshot.
      const snapshots = await k.ok([
        'get',
        'secrets',
        '-n',
        'demo',
        '-l',
        'platform.wharf.dev/snapshot-of=shop-secrets',
        '-o',
        'jsonpath={.items[*].immutable}',
      ]);
      expect(snapshots.split(' ')).toContain('true');
      for (const out of [
        await k.ok(['get', 'app', 'shop', '-n', 'demo', '-o', 'yaml']),
        await k.ok(['get', 'apprev', '-n', 'demo', '-o', 'yaml']),
        await k.ok(['get', 'events', '-n', 'demo', '-o', 'yaml']),
        platformOutput,
        wharf.output,
        ...logFiles(wharf.dataDir).map((f) => readFileSync(f, 'utf8')),
      ])
        expect(out).not.toContain(SECRET);
    },
  );

  it(
    'runs an exec reload in each pod after an inPlace change (the command through pods/exec)',
    { timeout: 300_000 },
    async () => {
      await k.ok(['apply', '-f', '-'], {
        stdin:
          'apiVersion: platform.wharf.dev/v1alpha1\nkind: ConfigSet\nmetadata: {name: shop-notes, namespace: demo}\nspec:\n  data: {note.txt: one}\n',
      });
      const n = (await app()).status.revision as number;
      const ref = {
        configSet: 'shop-notes',
        as: 'file',
        mountPath: '/notes',
        update: 'inPlace',
        reload: { exec: { command: ['sh', '-c', 'cat /notes/note.txt > /www/exec-reloaded'] }, delaySeconds: 5 },
      };
      await k.ok([
        'patch',
        'app',
        'shop',
        '-n',
        'demo',
        '--type',
        'json',
        '-p',
        JSON.stringify([{ op: 'add', path: '/spec/components/0/config/-', value: ref }]),
      ]);
      await eventually(rolledOut(n + 1), 200_000, `revision ${n + 1} rolled out`);
      const pods = await podsOf(n + 1);
      expect(pods.length).toBe(2);
      await k.ok([
        'patch',
        'configset',
        'shop-notes',
        '-n',
        'demo',
        '--type',
        'merge',
        '-p',
        '{"spec":{"data":{"note.txt":"two"}}}',
      ]);
      // The command ran in each pod after its file changed (it copied "two").
      const events = async (): Promise<string> =>
        k.ok([
          'get',
          'events',
          '-n',
          'demo',
          '--field-selector',
          'involvedObject.name=shop',
          '-o',
          'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}',
        ]);
      for (const p of pods) {
        let seen = '';
        await eventually(
          async () => {
            seen = (
              await k.run([
                'exec',
                '-n',
                'demo',
                p.metadata.name as string,
                '-c',
                'web',
                '--',
                'cat',
                '/www/exec-reloaded',
              ])
            ).stdout;
            return seen === 'two' ? true : undefined;
          },
          40_000,
          `the exec reload in ${p.metadata.name as string}`,
        ).catch(async (e: unknown) => {
          throw new Error(
            `${(e as Error).message}; the file holds ${JSON.stringify(seen)}; events:\n${await events()}`,
          );
        });
      }
      const reloaded = await k.ok([
        'get',
        'events',
        '-n',
        'demo',
        '--field-selector',
        'involvedObject.name=shop,reason=Reloaded',
        '-o',
        'jsonpath={range .items[*]}{.message}{"\\n"}{end}',
      ]);
      expect(reloaded).toContain('config shop-notes v2 is in place; reload called on 2 pod(s)');
    },
  );
});
