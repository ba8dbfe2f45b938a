// The seed's M+N scenario on `wharf up --nodes 1` with real runc, artifacts as image volumes: one
// Tomcat runtime image built from Debian packages (M = 1, @wharf/testing's tomcatImage, cached
// under WHARF_TEST_CACHE) and two FROM scratch artifact images holding one .war each (N = 2),
// compiled here with Debian's JDK (javac, jar). One pod mounts both .wars read-only into Tomcat's
// appBase; both contexts answer at the pod IP, one with a greeting from a ConfigMap file that a
// change reaches in place, the other from an env var. Then the same M+N app as one Application
// (the seed's scenario through the platform): both contexts answer through its Ingress URL; and
// the issue's interface example as written, whose file config sits inside the artifact's
// mountPath, so under `auto` its artifact is copied rather than an image volume. Needs
// root, runc, the CNI plugins and the JDK (skipped with the reason otherwise).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWar,
  eventually,
  httpAnswer,
  httpGet,
  importImage,
  ociArchive,
  writeFiles,
  jdkUnavailable,
  Kubectl,
  runcUnavailable,
  scratchImage,
  TOMCAT_APP_BASE,
  TOMCAT_IMAGE,
  TOMCAT_PORT,
  TOMCAT_WRITABLE_DIRS,
  tomcatImage,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const skip = runcUnavailable() || jdkUnavailable();

const pod = `
apiVersion: v1
kind: Pod
metadata: {name: shop, namespace: default}
spec:
  nodeName: node-0
  terminationGracePeriodSeconds: 5
  containers:
  - name: tomcat
    image: ${TOMCAT_IMAGE}
    ports: [{containerPort: ${TOMCAT_PORT}}]
    env: [{name: GREETING, value: hi from the env}]
    resources: {limits: {memory: 512Mi}}
    securityContext: {readOnlyRootFilesystem: true, runAsUser: 1000, runAsGroup: 1000}
    readinessProbe: {httpGet: {path: /shop/, port: ${TOMCAT_PORT}}, periodSeconds: 1, timeoutSeconds: 5}
    volumeMounts:
    - {name: shop-war, mountPath: ${TOMCAT_APP_BASE}/shop.war, subPath: shop.war}
    - {name: admin-war, mountPath: ${TOMCAT_APP_BASE}/admin.war, subPath: admin.war}
    - {name: work, mountPath: ${TOMCAT_WRITABLE_DIRS[0]}}
    - {name: temp, mountPath: ${TOMCAT_WRITABLE_DIRS[1]}}
    - {name: settings, mountPath: /etc/app}
  volumes:
  - {name: shop-war, image: {reference: "shop-war:1"}}
  - {name: admin-war, image: {reference: "admin-war:1"}}
  - {name: work, emptyDir: {}}
  - {name: temp, emptyDir: {}}
  - {name: settings, configMap: {name: shop-settings}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: shop-settings, namespace: default}
data: {greeting: hello from the config map}
`;

/** The same M+N app as an Application: what a user of the platform writes instead of the pod. */
const application = `
apiVersion: v1
kind: Namespace
metadata: {name: seed}
---
apiVersion: platform.wharf.dev/v1alpha1
kind: ConfigSet
metadata: {name: shop-settings, namespace: seed}
spec:
  data: {greeting: hello from the config center}
---
apiVersion: platform.wharf.dev/v1alpha1
kind: ConfigSet
metadata: {name: shop-env, namespace: seed}
spec:
  data: {GREETING: hi from a config version}
---
apiVersion: platform.wharf.dev/v1alpha1
kind: Application
metadata: {name: shop, namespace: seed}
spec:
  artifactDelivery: imageVolume
  rollout: {analysisSeconds: 3}
  components:
  - name: tomcat
    runtime: {image: "${TOMCAT_IMAGE}"}
    artifacts:
    - {name: shop, image: "shop-war:1", path: /shop.war, mountPath: ${TOMCAT_APP_BASE}/shop.war}
    - {name: admin, image: "admin-war:1", path: /admin.war, mountPath: ${TOMCAT_APP_BASE}/admin.war}
    replicas: 1
    ports: [{name: http, port: ${TOMCAT_PORT}}]
    expose: {host: seed.localhost}
    resources: {limits: {memory: 512Mi}}
    probes: {readiness: {httpGet: {path: /shop/, port: ${TOMCAT_PORT}}, periodSeconds: 1, timeoutSeconds: 5}}
    config:
    - {configSet: shop-settings, as: file, mountPath: /etc/app, update: inPlace}
    - {configSet: shop-env, as: env}
`;

/** The issue's interface as written: its file config is mounted inside the artifact's mountPath. */
const interfaceApp = `
apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
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
  rollout: {analysisSeconds: 3}
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
    - {configSet: shop-files, as: file, mountPath: /www/conf, update: inPlace}
`;

describe.skipIf(skip !== '')(
  `Tomcat M+N with image volumes: one Debian-built runtime, two FROM scratch .war images ${skip}`,
  () => {
    let wharf: WharfProcess;
    let k: Kubectl;
    let scratch: string;
    let ip = '';
    const warDigests = new Map<string, string>();

    beforeAll(async () => {
      scratch = mkdtempSync(path.join(tmpdir(), 'wharf-tomcat-imgvol-e2e-'));
      wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'], readyTimeoutMs: 120_000 });
      k = new Kubectl(wharf.kubeconfig);
    }, 180_000);

    afterAll(async () => {
      await k?.run(['delete', 'pod', 'shop', '--grace-period=0', '--wait=false']).catch(() => undefined);
      await k?.run(['delete', 'namespace', 'seed', 'demo', '--wait=false']).catch(() => undefined);
      await wharf?.stop();
      if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it(
      'has the Tomcat runtime image from Debian packages in the registry (built once, then cached)',
      { timeout: 600_000 },
      async () => {
        const built = await tomcatImage(wharf);
        process.stdout.write(
          `tomcat runtime image: ${built.cached ? 'from the cache' : `built in ${built.buildMs} ms`}, imported in ${built.importMs} ms\n`,
        );
        expect(built.reference).toMatch(
          new RegExp(`^127\\.0\\.0\\.1:${wharf.registryPort}/tomcat:10@sha256:[0-9a-f]{64}$`),
        );
      },
    );

    it(
      'builds two .wars with javac and jar, each pushed as a FROM scratch image holding only that file',
      { timeout: 120_000 },
      async () => {
        const t0 = Date.now();
        for (const name of ['shop', 'admin']) {
          const war = buildWar(scratch, { name, file: `/etc/${name === 'shop' ? 'app' : 'admin'}/greeting` });
          const listing = execFileSync('jar', ['--list', '--file', war]).toString();
          expect(listing).toContain('WEB-INF/classes/wharf/demo/Greeting.class');
          const pushed = await scratchImage(wharf, scratch, `${name}-war:1`, { [`${name}.war`]: readFileSync(war) });
          expect(pushed).toMatch(new RegExp(`/${name}-war:1@sha256:`));
          warDigests.set(name, pushed.slice(pushed.indexOf('@') + 1));
        }
        process.stdout.write(`two .wars compiled and pushed as images in ${Date.now() - t0} ms\n`);
      },
    );

    it(
      'one pod: Tomcat deploys both read-only .wars from image volumes and both contexts answer',
      { timeout: 300_000 },
      async () => {
        const t0 = Date.now();
        await k.ok(['apply', '-f', '-'], { stdin: pod });
        // The first start pulls and unpacks the ~300 MB runtime image; Tomcat itself starts in seconds.
        await k.ok(['wait', '--for=condition=Ready', 'pod/shop', '--timeout=240s'], { timeoutMs: 250_000 });
        process.stdout.write(
          `pod Ready ${Date.now() - t0} ms after apply (first pull of the runtime image included)\n`,
        );
        ip = (await k.ok(['get', 'pod', 'shop', '-o', 'jsonpath={.status.podIP}'])).trim();
        expect(await httpAnswer(ip, TOMCAT_PORT, '/shop/')).toEqual({
          status: 200,
          body: 'shop says hello from the config map\n',
        });
        const admin = await eventually(
          async () => {
            const r = await httpAnswer(ip, TOMCAT_PORT, '/admin/');
            return r.status === 200 ? r : undefined;
          },
          60_000,
          'the admin context',
        );
        expect(admin.body).toBe('admin says hi from the env\n');
        expect((await httpAnswer(ip, TOMCAT_PORT, '/nothing-here/')).status).toBe(404);
        const log = await k.ok(['logs', 'shop']);
        expect(log).toContain(`Deployment of web application archive [${TOMCAT_APP_BASE}/shop.war] has finished`);
        expect(log).toContain(`Deployment of web application archive [${TOMCAT_APP_BASE}/admin.war] has finished`);
        expect(log).not.toMatch(/SEVERE/);
      },
    );

    it('a ConfigMap change reaches the running Tomcat in place, without a restart', { timeout: 60_000 }, async () => {
      await k.ok(['patch', 'configmap', 'shop-settings', '--type=merge', '-p', '{"data":{"greeting":"hello again"}}']);
      await eventually(
        async () =>
          (await httpAnswer(ip, TOMCAT_PORT, '/shop/')).body === 'shop says hello again\n' ? true : undefined,
        30_000,
        'the new greeting',
      );
      expect(await k.ok(['get', 'pod', 'shop', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])).toBe(
        '0',
      );
    });

    it(
      'the seed scenario as one Application: both contexts answer through its Ingress URL',
      { timeout: 300_000 },
      async () => {
        await k.ok(['delete', 'pod', 'shop', '--grace-period=1', '--wait=false']);
        const ingressPort = wharf.ingressPort;
        await k.ok(['apply', '-f', '-'], { stdin: application });
        const app = await eventually(
          async () => {
            const a = JSON.parse(await k.ok(['get', 'app', 'shop', '-n', 'seed', '-o', 'json'])) as {
              status?: {
                revision?: number;
                url?: string;
                artifactDelivery?: string;
                rollout?: unknown;
                conditions?: { type: string; status: string }[];
              };
            };
            return a.status?.revision === 1 &&
              !a.status.rollout &&
              a.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
              ? a
              : undefined;
          },
          240_000,
          'the Application rolled out',
        );
        expect(app.status?.url).toBe(`http://seed.localhost:${ingressPort}/`);
        expect(app.status?.artifactDelivery).toBe('imageVolume');
        const viaIngress = async (path: string): Promise<{ status: number; body: string }> => {
          const r = await httpGet({
            host: '127.0.0.1',
            port: ingressPort,
            path,
            headers: { host: 'seed.localhost' },
            timeoutMs: 10_000,
          });
          return { status: r.status, body: r.text };
        };
        expect(await viaIngress('/shop/')).toEqual({ status: 200, body: 'shop says hello from the config center\n' });
        const admin = await eventually(
          async () => {
            const r = await viaIngress('/admin/');
            return r.status === 200 ? r : undefined;
          },
          60_000,
          'the admin context through the Ingress',
        );
        expect(admin.body).toBe('admin says hi from a config version\n');
        // M + N = 3 images: the runtime as the container's image, the two .wars as image volumes.
        const spec = JSON.parse(
          await k.ok(['get', 'deployment', 'shop-tomcat-r1', '-n', 'seed', '-o', 'jsonpath={.spec.template.spec}']),
        ) as { containers: { image: string }[]; volumes: { image?: { reference: string } }[] };
        expect(spec.containers.map((c) => c.image)).toEqual([TOMCAT_IMAGE]);
        expect(spec.volumes.flatMap((v) => (v.image ? [v.image.reference] : []))).toEqual([
          'shop-war:1',
          'admin-war:1',
        ]);
        // The revision pins what ran by digest, the .wars from the node's report on their mounts, so a
        // rollback restores these bytes even after the tags move.
        const pins = await eventually(
          async () => {
            const images = JSON.parse(
              (await k.ok(['get', 'apprev', 'shop-r1', '-n', 'seed', '-o', 'jsonpath={.status.images}'])) || '[]',
            ) as { role: string; digest?: string }[];
            return images.filter((i) => i.role !== 'runtime').every((i) => i.digest) && images.length === 3
              ? images
              : undefined;
          },
          60_000,
          'revision 1 pins the artifacts by digest',
        );
        expect(Object.fromEntries(pins.filter((i) => i.role !== 'runtime').map((i) => [i.role, i.digest]))).toEqual({
          shop: warDigests.get('shop'),
          admin: warDigests.get('admin'),
        });
      },
    );

    it(
      "the issue's interface as written: a file mounted inside the artifact gets the artifact copied (an image volume is read-only)",
      { timeout: 300_000 },
      async () => {
        execFileSync(
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
          { timeout: 240_000 },
        );
        const site = writeFiles(path.join(scratch, 'site-content'), { 'site/index.html': 'site 1\n' });
        await importImage(
          wharf,
          ociArchive(
            { contentDir: site, base: { layout: path.join(wharf.dataDir, 'images'), ref: 'busybox:1' } },
            path.join(scratch, 'site.tar'),
          ),
          'shop-site:1',
        );
        await k.ok(['apply', '-f', '-'], { stdin: interfaceApp });
        const app = await eventually(
          async () => {
            const a = JSON.parse(await k.ok(['get', 'app', 'shop', '-n', 'demo', '-o', 'json'])) as {
              status?: {
                revision?: number;
                artifactDelivery?: string;
                rollout?: unknown;
                conditions?: { type: string; status: string }[];
              };
            };
            return a.status?.revision === 1 &&
              !a.status.rollout &&
              a.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
              ? a
              : undefined;
          },
          200_000,
          'the interface Application rolled out',
        );
        expect(app.status?.artifactDelivery).toBe('initCopy');
        const viaIngress = async (p: string): Promise<string> =>
          (
            await httpGet({
              host: '127.0.0.1',
              port: wharf.ingressPort,
              path: p,
              headers: { host: 'shop.localhost' },
              timeoutMs: 10_000,
            })
          ).text;
        expect(await viaIngress('/')).toBe('site 1\n');
        expect(await viaIngress('/conf/motd.txt')).toBe('first');
      },
    );
  },
);
