// The seed's CI/CD example end to end, on the deliver suites' `wharf up --nodes 1`
// (e2e/deliver.test.ts) with real runc pods and real git:
// a Java servlet project of two web applications (e2e/fixtures/java-shop) pushed to Wharf's git
// server runs the wharf-java-war Pipeline: clone, Maven offline against Debian's Maven repository
// (the wharf/maven step image, `wharf image build-step maven`) compiling two .war files, and the
// thin-image step packing only those into a FROM scratch image (inspected here with skopeo: no
// source, no shell, the OCI annotations naming the commit and the Tomcat runtime). The delivery
// controller pins that image into an M+N Application (a Debian-built Tomcat runtime, the .wars
// its appBase) which serves the new version through its Ingress URL. A second push serves the
// change; a push that does not compile leaves the running version alone, the build Failed with
// javac's message in `wharf build logs`.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWar,
  eventually,
  jdkUnavailable,
  REPO_ROOT,
  testCacheDir,
  TOMCAT_APP_BASE,
  TOMCAT_PORT,
  tomcatImage,
} from '@wharf/testing';
import { type DeliverCluster, DeliverHarness } from './deliver-harness.js';

const run = promisify(execFile);
const skip = jdkUnavailable();
const NS = 'seed';
const HOST = 'seed.localhost';
const SERVLET = 'shop/src/main/java/dev/wharf/demo/ShopServlet.java';

export function describeJavaApp(cluster: () => DeliverCluster): void {
  describe.skipIf(skip !== '')(`git push of a Java servlet project to a Tomcat M+N application ${skip}`, () => {
    let h: DeliverHarness;
    const servlet = () => readFileSync(join(h.src, SERVLET), 'utf8');

    beforeAll(async () => {
      h = new DeliverHarness(cluster(), NS);
      // Debian's Maven, JDK and Maven repository; the .debs kept between test runs.
      await h.cli('image', 'build-step', 'maven', '--deb-cache', join(testCacheDir(), 'debs'), ...h.dataDir);
      await tomcatImage(h.wharf);
      // What the Application serves before any build: a placeholder shop.war (javac and jar here).
      mkdirSync(join(h.work, 'placeholder'));
      buildWar(join(h.work, 'placeholder'), { name: 'shop' });
      rmSync(join(h.work, 'placeholder', 'shop-src'), { recursive: true });
      rmSync(join(h.work, 'placeholder', 'shop-war'), { recursive: true });
      await h.cli('image', 'pack', join(h.work, 'placeholder'), '--to', 'shop-wars:0', '--prefix', 'app', ...h.dataDir);
    }, 1_800_000);

    afterAll(async () => {
      await h?.dispose();
    });

    it('a push compiles two .war files into a thin image that Tomcat serves; a change is served; a compile error leaves the app alone', async () => {
      const { registryHost } = h.endpoints;
      const tomcat = `${registryHost}/tomcat:10`;
      await h.setUpNamespace();
      await h.repository('shop', {
        pipeline: 'wharf-java-war',
        image: 'shop-wars:main',
        claim: '256Mi',
        params: [{ name: 'base-image', value: tomcat }],
      });
      // M+N: the Tomcat runtime (M) and the artifact image of .war files (N) as Tomcat's appBase.
      await h.apply({
        apiVersion: 'platform.wharf.dev/v1alpha1',
        kind: 'Application',
        metadata: { name: 'shop', namespace: NS },
        spec: {
          rollout: { analysisSeconds: 3, batchSeconds: 0, progressDeadlineSeconds: 120 },
          components: [
            {
              name: 'tomcat',
              runtime: { image: 'tomcat:10' },
              artifacts: [{ name: 'wars', image: 'shop-wars:0', path: '/app', mountPath: TOMCAT_APP_BASE }],
              ports: [{ name: 'http', port: TOMCAT_PORT }],
              expose: { host: HOST },
              resources: { limits: { memory: '512Mi' } },
              probes: {
                readiness: { httpGet: { path: '/shop/', port: TOMCAT_PORT }, periodSeconds: 1, timeoutSeconds: 5 },
              },
              source: { repository: 'shop', pipeline: 'wharf-java-war' },
            },
          ],
        },
      });
      await eventually(
        async () => ((await h.serve(HOST, '/shop/')) === '200 shop says hello' ? true : undefined),
        300_000,
        'the placeholder served',
      );

      cpSync(join(REPO_ROOT, 'e2e/fixtures/java-shop'), h.src, { recursive: true });
      await h.git('init', '-q');
      const first = await h.push('shop', {}, 'Two servlets, one .war each');
      const one = await h.deployState(first.run, 'Deployed', 900_000);
      expect(await h.serve(HOST, '/shop/')).toBe('200 shop version 1');
      expect(await h.serve(HOST, '/admin/')).toBe('200 admin ok');
      expect(one['platform.wharf.dev/commit']).toBe(first.sha);
      const image = one['platform.wharf.dev/images']!;
      expect(image).toMatch(new RegExp(`^${registryHost.replace(/\./g, '\\.')}/shop-wars@sha256:[0-9a-f]{64}$`));
      expect(await h.logs(first.run)).toContain('BUILD SUCCESS');

      // The artifact image: one layer of exactly the two .war files, FROM scratch, annotated.
      const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args], { timeout: 120_000 });
      const creds = ['--tls-verify=false', '--creds', `x:${h.adminToken}`];
      const docker = `docker://${image}`;
      const raw = JSON.parse((await skopeo('inspect', '--raw', ...creds, docker)).stdout) as {
        layers: { digest: string }[];
        annotations: Record<string, string>;
      };
      expect(raw.layers).toHaveLength(1);
      const tomcatDigest = (
        await skopeo('inspect', '--format', '{{.Digest}}', ...creds, `docker://${tomcat}`)
      ).stdout.trim();
      expect(raw.annotations).toMatchObject({
        'org.opencontainers.image.revision': first.sha,
        'org.opencontainers.image.base.name': tomcat,
        'org.opencontainers.image.base.digest': tomcatDigest,
      });
      expect(raw.annotations['org.opencontainers.image.source']).toMatch(new RegExp(`/git/${NS}/shop\\.git$`));
      const copy = join(h.work, 'artifact');
      await skopeo('copy', '--src-tls-verify=false', '--src-creds', `x:${h.adminToken}`, docker, `dir:${copy}`);
      const layer = raw.layers[0]!.digest.replace('sha256:', '');
      expect(readdirSync(copy)).toContain(layer);
      const names = (await run('tar', ['-tzf', join(copy, layer)])).stdout.trim().split('\n').sort();
      expect(names).toEqual(['app/', 'app/admin.war', 'app/shop.war']);
      // Inside the .war: compiled classes, no Java source.
      const war = (
        await run('tar', ['-xzOf', join(copy, layer), 'app/shop.war'], { encoding: 'buffer', maxBuffer: 64 << 20 })
      ).stdout;
      writeFileSync(join(h.work, 'shop.war'), war);
      const entries = (await run('jar', ['--list', '--file', join(h.work, 'shop.war')])).stdout;
      expect(entries).toContain('WEB-INF/classes/dev/wharf/demo/ShopServlet.class');
      expect(entries).not.toContain('.java');

      const second = await h.push(
        'shop',
        { [SERVLET]: servlet().replace('shop version 1', 'shop version 2') },
        'Version 2',
      );
      await h.deployState(second.run, 'Deployed', 900_000);
      expect(await h.serve(HOST, '/shop/')).toBe('200 shop version 2');
      expect(await h.serve(HOST, '/admin/')).toBe('200 admin ok');

      // A push that does not compile: the build Failed with javac's message, version 2 still serving.
      const broken = await h.push(
        'shop',
        { [SERVLET]: servlet().replace('println(VERSION)', 'println(VERSON)') },
        'Typo (does not compile)',
      );
      const notDeployed = await h.deployState(broken.run, 'NotDeployed', 900_000);
      expect(notDeployed['platform.wharf.dev/deploy-message']).toMatch(/^the build did not succeed \(Failed\)/);
      const failedLog = await h.logs(broken.run);
      expect(failedLog).toContain('COMPILATION ERROR');
      expect(failedLog).toMatch(/ShopServlet\.java:\[\d+,\d+\] cannot find symbol/);
      expect(failedLog).toContain('symbol:   variable VERSON');
      expect(await h.serve(HOST, '/shop/')).toBe('200 shop version 2');
    }, 3_600_000);
  });
}
