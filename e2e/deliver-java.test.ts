// The seed's CI/CD example end to end, on `wharf up --nodes 1` with real runc pods and real git:
// a Java servlet project of two web applications (e2e/fixtures/java-shop) pushed to Wharf's git
// server runs the wharf-java-war Pipeline: clone, Maven offline against Debian's Maven repository
// (the wharf/maven step image, `wharf image build-step maven`) compiling two .war files, and the
// thin-image step packing only those into a FROM scratch image (inspected here with skopeo: no
// source, no shell, the OCI annotations naming the commit and the Tomcat runtime). The delivery
// controller pins that image into an M+N Application (a Debian-built Tomcat runtime, the .wars
// its appBase) which serves the new version through its Ingress URL. A second push serves the
// change; a push that does not compile leaves the running version alone, the build Failed with
// javac's message in `wharf build logs`.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWar, eventually, freePort, httpGet, jdkUnavailable, Kubectl, REPO_ROOT, runcUnavailable, testCacheDir, TOMCAT_APP_BASE, TOMCAT_PORT, tomcatImage, WHARF_BIN, WharfProcess,
} from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable() || jdkUnavailable();
const NS = 'seed';
const SERVLET = 'shop/src/main/java/dev/wharf/demo/ShopServlet.java';

interface Run {
  metadata: { name: string; annotations?: Record<string, string>; creationTimestamp: string };
}

describe.skipIf(skip !== '')(`git push of a Java servlet project to a Tomcat M+N application ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let gitPort: number;
  let ingressPort: number;
  let work: string;
  let adminToken: string;
  const src = () => join(work, 'src');
  const wharfCli = (...args: string[]) => run(process.execPath, [WHARF_BIN, ...args], { timeout: 900_000, maxBuffer: 16 << 20 });
  const git = (...args: string[]) => run('git', ['-c', 'user.name=Ann', '-c', 'user.email=ann@example.com', '-c', 'init.defaultBranch=main', '-c', 'credential.helper=', ...args], { cwd: src(), env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  const serve = async (app: string): Promise<string> => {
    const r = await httpGet({ host: '127.0.0.1', port: ingressPort, path: `/${app}/`, headers: { host: 'seed.localhost' }, timeoutMs: 5000 });
    return `${r.status} ${r.text.trim()}`;
  };
  const runs = async (): Promise<Run[]> => (JSON.parse(await k.ok(['get', 'pipelineruns.tekton.dev', '-n', NS, '-o', 'json'])) as { items: Run[] }).items;
  const annotations = async (name: string): Promise<Record<string, string>> =>
    (JSON.parse(await k.ok(['get', 'pipelinerun.tekton.dev', name, '-n', NS, '-o', 'json'])) as Run).metadata.annotations ?? {};
  const logs = async (name: string): Promise<string> => (await wharfCli('build', 'logs', name, '-n', NS, '--kubeconfig', wharf.kubeconfig)).stdout;
  /** Edits the servlet's source, commits, pushes; answers the commit and the run it started. */
  const push = async (edit: (java: string) => string, message: string): Promise<{ sha: string; run: string }> => {
    writeFileSync(join(src(), SERVLET), edit(readFileSync(join(src(), SERVLET), 'utf8')));
    const before = new Set((await runs()).map((r) => r.metadata.name));
    await git('add', '-A');
    await git('commit', '-qm', message);
    const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
    await git('push', '-q', `http://x:${adminToken}@127.0.0.1:${gitPort}/git/${NS}/shop.git`, 'main');
    const made = await eventually(async () => (await runs()).find((r) => !before.has(r.metadata.name) && r.metadata.annotations?.['platform.wharf.dev/commit'] === sha), 30_000, `the PipelineRun of ${sha}`);
    return { sha, run: made.metadata.name };
  };
  const deployState = (name: string, want: string, timeoutMs: number) => eventually(async () => {
    const a = await annotations(name);
    return a['platform.wharf.dev/deploy-state'] === want ? a : undefined;
  }, timeoutMs, `build ${name} ${want}`).catch(async (e: Error) => {
    throw new Error(`${e.message}\n${JSON.stringify(await annotations(name))}\n${await k.ok(['get', 'pipelinerun.tekton.dev', name, '-n', NS, '-o', 'yaml']).catch(() => '')}\n${await logs(name).catch((x: Error) => x.message)}`);
  });

  beforeAll(async () => {
    gitPort = await freePort();
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1', '--git-port', String(gitPort)] });
    k = new Kubectl(wharf.kubeconfig);
    ingressPort = Number(/"ingress":"http:\/\/<app>\.localhost:(\d+)"/.exec(wharf.output)?.[1] ?? wharf.ingressPort);
    adminToken = /token: (\S+)/.exec(readFileSync(wharf.kubeconfig, 'utf8'))?.[1] ?? '';
    work = mkdtempSync(join(tmpdir(), 'wharf-deliver-java-'));
    const d = ['--data-dir', wharf.dataDir];
    await wharfCli('image', 'build-base', 'wharf/git:0.1.0', '--debian-packages', 'git,busybox-static', '--env', 'HOME=/tmp', ...d);
    // The pipelines controller's results helper (its helperImage default).
    await wharfCli('image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', ...d);
    await wharfCli('image', 'build-pack-step', 'wharf/pack:0.1.0', ...d);
    // Debian's Maven, JDK and Maven repository; the .debs kept between test runs.
    await wharfCli('image', 'build-step', 'maven', '--deb-cache', join(testCacheDir(), 'debs'), ...d);
    await tomcatImage(wharf);
    // What the Application serves before any build: a placeholder shop.war (javac and jar here).
    mkdirSync(join(work, 'placeholder'));
    buildWar(join(work, 'placeholder'), { name: 'shop' });
    rmSync(join(work, 'placeholder', 'shop-src'), { recursive: true });
    rmSync(join(work, 'placeholder', 'shop-war'), { recursive: true });
    await wharfCli('image', 'pack', join(work, 'placeholder'), '--to', 'shop-wars:0', '--prefix', 'app', ...d);
  }, 1_800_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a push compiles two .war files into a thin image that Tomcat serves; a change is served; a compile error leaves the app alone', async () => {
    const endpoints = JSON.parse(readFileSync(join(wharf.dataDir, 'endpoints.json'), 'utf8')) as { registryHost: string; registryForPods?: string };
    const tomcat = `${endpoints.registryHost}/tomcat:10`;
    await k.ok(['create', 'namespace', NS]);
    // The build pods' account reads the repository (git clone); any cluster token may push images.
    await k.ok(['create', 'rolebinding', 'builds-view', '--clusterrole=view', `--serviceaccount=${NS}:default`, '-n', NS]);
    await k.ok(['apply', '-n', NS, '-f', join(REPO_ROOT, 'deploy/pipelines/templates')]);
    const claim = { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '256Mi' } } } } };
    await k.ok(['apply', '-f', '-'], { stdin: JSON.stringify({
      apiVersion: 'platform.wharf.dev/v1alpha1', kind: 'Repository', metadata: { name: 'shop', namespace: NS },
      spec: {
        source: { type: 'builtin' },
        rules: [{
          branches: ['main'], pipelineRef: { name: 'wharf-java-war' },
          params: [
            { name: 'image', value: `${endpoints.registryHost}/shop-wars:main` }, { name: 'registry', value: endpoints.registryForPods },
            { name: 'registry-name', value: endpoints.registryHost }, { name: 'base-image', value: tomcat },
          ],
          workspaces: [{ name: 'source', ...claim }, { name: 'output', ...claim }],
        }],
      },
    }) });
    // M+N: the Tomcat runtime (M) and the artifact image of .war files (N) as Tomcat's appBase.
    await k.ok(['apply', '-f', '-'], { stdin: JSON.stringify({
      apiVersion: 'platform.wharf.dev/v1alpha1', kind: 'Application', metadata: { name: 'shop', namespace: NS },
      spec: {
        rollout: { analysisSeconds: 3, batchSeconds: 0, progressDeadlineSeconds: 120 },
        components: [{
          name: 'tomcat',
          runtime: { image: 'tomcat:10' },
          artifacts: [{ name: 'wars', image: 'shop-wars:0', path: '/app', mountPath: TOMCAT_APP_BASE }],
          ports: [{ name: 'http', port: TOMCAT_PORT }],
          expose: { host: 'seed.localhost' },
          resources: { limits: { memory: '512Mi' } },
          probes: { readiness: { httpGet: { path: '/shop/', port: TOMCAT_PORT }, periodSeconds: 1, timeoutSeconds: 5 } },
          source: { repository: 'shop', pipeline: 'wharf-java-war' },
        }],
      },
    }) });
    await eventually(async () => ((await serve('shop')) === '200 shop says hello' ? true : undefined), 300_000, 'the placeholder served');

    mkdirSync(src());
    cpSync(join(REPO_ROOT, 'e2e/fixtures/java-shop'), src(), { recursive: true });
    await git('init', '-q');
    const first = await push((java) => java, 'Two servlets, one .war each');
    const one = await deployState(first.run, 'Deployed', 900_000);
    expect(await serve('shop')).toBe('200 shop version 1');
    expect(await serve('admin')).toBe('200 admin ok');
    expect(one['platform.wharf.dev/commit']).toBe(first.sha);
    const image = one['platform.wharf.dev/images']!;
    expect(image).toMatch(new RegExp(`^${endpoints.registryHost.replace(/\./g, '\\.')}/shop-wars@sha256:[0-9a-f]{64}$`));
    const buildLog = await logs(first.run);
    expect(buildLog).toContain('BUILD SUCCESS');

    // The artifact image: one layer of exactly the two .war files, FROM scratch, annotated.
    const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args], { timeout: 120_000 });
    const docker = `docker://${image}`;
    const raw = JSON.parse((await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', `x:${adminToken}`, docker)).stdout) as { layers: { digest: string }[]; annotations: Record<string, string> };
    expect(raw.layers).toHaveLength(1);
    const tomcatDigest = (await skopeo('inspect', '--format', '{{.Digest}}', '--tls-verify=false', '--creds', `x:${adminToken}`, `docker://${tomcat}`)).stdout.trim();
    expect(raw.annotations).toMatchObject({
      'org.opencontainers.image.revision': first.sha, 'org.opencontainers.image.base.name': tomcat, 'org.opencontainers.image.base.digest': tomcatDigest,
    });
    expect(raw.annotations['org.opencontainers.image.source']).toMatch(new RegExp(`/git/${NS}/shop\\.git$`));
    const copy = join(work, 'artifact');
    await skopeo('copy', '--src-tls-verify=false', '--src-creds', `x:${adminToken}`, docker, `dir:${copy}`);
    const layer = raw.layers[0]!.digest.replace('sha256:', '');
    expect(readdirSync(copy)).toContain(layer);
    const names = (await run('tar', ['-tzf', join(copy, layer)])).stdout.trim().split('\n').sort();
    expect(names).toEqual(['app/', 'app/admin.war', 'app/shop.war']);
    // Inside the .war: compiled classes, no Java source.
    const war = (await run('tar', ['-xzOf', join(copy, layer), 'app/shop.war'], { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;
    writeFileSync(join(work, 'shop.war'), war);
    const entries = (await run('jar', ['--list', '--file', join(work, 'shop.war')])).stdout;
    expect(entries).toContain('WEB-INF/classes/dev/wharf/demo/ShopServlet.class');
    expect(entries).not.toContain('.java');

    const second = await push((java) => java.replace('shop version 1', 'shop version 2'), 'Version 2');
    await deployState(second.run, 'Deployed', 900_000);
    expect(await serve('shop')).toBe('200 shop version 2');
    expect(await serve('admin')).toBe('200 admin ok');

    // A push that does not compile: the build Failed with javac's message, version 2 still serving.
    const broken = await push((java) => java.replace('println(VERSION)', 'println(VERSON)'), 'Typo (does not compile)');
    const notDeployed = await deployState(broken.run, 'NotDeployed', 900_000);
    expect(notDeployed['platform.wharf.dev/deploy-message']).toMatch(/^the build did not succeed \(Failed\)/);
    const failedLog = await logs(broken.run);
    expect(failedLog).toContain('COMPILATION ERROR');
    expect(failedLog).toMatch(/ShopServlet\.java:\[\d+,\d+\] cannot find symbol/);
    expect(failedLog).toContain('symbol:   variable VERSON');
    expect(await serve('shop')).toBe('200 shop version 2');
  }, 3_600_000);
});
