// The M+N pattern on `wharf up --nodes 1` with real runc: a Tomcat runtime image built by
// `wharf image build-base` from Debian's openjdk-17-jre-headless and tomcat10 (no maintainer
// scripts, no shell in the image), and an artifact image (busybox-static plus a layer with a .war,
// imported as an OCI layout tar made by @wharf/testing's ociArchive). The artifact's init
// container copies the .war into an emptyDir that Tomcat deploys; the JSP answers at the pod IP.
// Needs root, runc, the CNI plugins and zip (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpAnswer,
  Kubectl,
  ociArchive,
  runcUnavailable,
  toolUnavailable,
  WHARF_BIN,
  WharfProcess,
  writeFiles,
} from '@wharf/testing';

const run = promisify(execFile);
// A missing zip fails the suite as root or in CI (toolUnavailable throws there), never skips it silently.
const skip = runcUnavailable() || toolUnavailable(['/usr/bin/zip'], 'scripts/setup.sh --test installs zip');

/** The build-base arguments of docs/images.md ("Tomcat from Debian packages"). */
const JAVA = '/usr/lib/jvm/java-17-openjdk-amd64/bin/java';
const TOMCAT_BUILD = [
  'image',
  'build-base',
  'tomcat:10',
  '--debian-packages',
  'openjdk-17-jre-headless,tomcat10',
  '--entrypoint',
  JSON.stringify([
    JAVA,
    '-Dcatalina.home=/usr/share/tomcat10',
    '-Dcatalina.base=/var/lib/tomcat10',
    '-Djava.io.tmpdir=/tmp',
    '-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager',
    '-Djava.util.logging.config.file=/var/lib/tomcat10/conf/logging.properties',
    '-cp',
    '/usr/share/tomcat10/bin/bootstrap.jar:/usr/share/tomcat10/bin/tomcat-juli.jar',
    'org.apache.catalina.startup.Bootstrap',
  ]),
  '--cmd',
  'start',
  '--env',
  'JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64',
  'CATALINA_HOME=/usr/share/tomcat10',
  'CATALINA_BASE=/var/lib/tomcat10',
  '--symlink',
  '/var/lib/tomcat10/conf=/usr/share/tomcat10/etc',
];

const pod = `
apiVersion: v1
kind: Pod
metadata: {name: shop, namespace: default}
spec:
  nodeName: node-0
  terminationGracePeriodSeconds: 5
  initContainers:
  - name: artifact
    image: hello-war:1
    command: ["sh", "-c", "cp /artifacts/hello.war /webapps/ && echo copied $(wc -c < /webapps/hello.war) bytes"]
    volumeMounts: [{name: webapps, mountPath: /webapps}]
  containers:
  - name: tomcat
    image: tomcat:10
    ports: [{containerPort: 8080}]
    resources: {limits: {memory: 384Mi}}
    securityContext: {readOnlyRootFilesystem: true, runAsUser: 1000, runAsGroup: 1000}
    readinessProbe: {httpGet: {path: /hello/, port: 8080}, periodSeconds: 1, timeoutSeconds: 5}
    volumeMounts:
    - {name: webapps, mountPath: /var/lib/tomcat10/webapps}
    - {name: logs, mountPath: /var/log/tomcat10}
    - {name: work, mountPath: /var/cache/tomcat10}
    - {name: tmp, mountPath: /tmp}
    - {name: deploy-descriptors, mountPath: /usr/share/tomcat10/etc/Catalina}
  volumes:
  - {name: webapps, emptyDir: {}}
  - {name: logs, emptyDir: {}}
  - {name: work, emptyDir: {}}
  - {name: tmp, emptyDir: {}}
  - {name: deploy-descriptors, emptyDir: {}}
`;

/** A .war made with zip: a web.xml and a JSP that computes its answer. */
function makeWar(dir: string): string {
  const src = join(dir, 'war');
  mkdirSync(join(src, 'WEB-INF'), { recursive: true });
  writeFileSync(
    join(src, 'WEB-INF/web.xml'),
    '<?xml version="1.0" encoding="UTF-8"?>\n<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="5.0"><display-name>hello</display-name></web-app>\n',
  );
  writeFileSync(join(src, 'index.jsp'), '<%@ page contentType="text/plain" %>hello from the war, 6*7=<%= 6 * 7 %>\n');
  const war = join(dir, 'hello.war');
  execFileSync('zip', ['-qrX', war, '.'], { cwd: src });
  return war;
}

describe.skipIf(skip !== '')(
  `Tomcat M+N: a .war from an artifact image served by a Debian-built Tomcat ${skip}`,
  () => {
    let wharf: WharfProcess;
    let k: Kubectl;
    let scratch: string;
    const wharfCli = (args: string[]) =>
      run(process.execPath, [WHARF_BIN, ...args, '--data-dir', wharf.dataDir], { timeout: 300_000 });

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'wharf-tomcat-e2e-'));
      wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'] });
      k = new Kubectl(wharf.kubeconfig);
    });

    afterAll(async () => {
      await k?.run(['delete', 'pod', 'shop', 'js', '--grace-period=0', '--wait=false']).catch(() => undefined);
      await wharf?.stop();
      if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it('builds the Tomcat runtime image from openjdk-17-jre-headless and tomcat10', { timeout: 300_000 }, async () => {
      const { stdout, stderr } = await wharfCli(TOMCAT_BUILD);
      expect(stdout.trim()).toMatch(
        new RegExp(`^127\\.0\\.0\\.1:${wharf.registryPort}/tomcat:10@sha256:[0-9a-f]{64}$`),
      );
      expect(stderr).toMatch(/built tomcat:10 from \d+ Debian packages/);
    });

    it('imports the artifact image: busybox-static plus a layer with the .war', { timeout: 180_000 }, async () => {
      await wharfCli(['image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static']);
      const layer = writeFiles(join(scratch, 'layer'), { 'artifacts/hello.war': readFileSync(makeWar(scratch)) });
      const tar = ociArchive(
        { contentDir: layer, base: { layout: join(wharf.dataDir, 'images'), ref: 'busybox:1' } },
        join(scratch, 'image.tar'),
      );
      const { stdout } = await wharfCli(['image', 'import', tar, '--name', 'hello-war:1']);
      expect(stdout.trim()).toMatch(new RegExp(`^127\\.0\\.0\\.1:${wharf.registryPort}/hello-war:1@sha256:`));
    });

    it(
      'the init container copies the .war into the emptyDir and Tomcat serves it at the pod IP:8080',
      { timeout: 240_000 },
      async () => {
        await k.ok(['apply', '-f', '-'], { stdin: pod });
        // The first start pulls and unpacks ~300 MB of Tomcat image; Tomcat itself starts in seconds.
        await k.ok(['wait', '--for=condition=Ready', 'pod/shop', '--timeout=200s'], { timeoutMs: 210_000 });
        expect(await k.ok(['logs', 'shop', '-c', 'artifact'])).toMatch(/^copied \d+ bytes\n$/);
        const ip = (await k.ok(['get', 'pod', 'shop', '-o', 'jsonpath={.status.podIP}'])).trim();
        expect(await httpAnswer(ip, 8080, '/hello/')).toEqual({ status: 200, body: 'hello from the war, 6*7=42\n' });
        expect((await httpAnswer(ip, 8080, '/nothing-here')).status).toBe(404);
        const log = await k.ok(['logs', 'shop', '-c', 'tomcat']);
        expect(log).toContain(
          'Deployment of web application archive [/var/lib/tomcat10/webapps/hello.war] has finished',
        );
        // Read-only root, arbitrary uid: the emptyDirs are everything Tomcat writes to.
        // Except the SecureRandom timing note, which Tomcat prints whenever seeding took over 100 ms (load).
        expect(
          log.split('\n').filter((l) => /SEVERE|WARNING/.test(l) && !l.includes('Creation of SecureRandom instance')),
        ).toEqual([]);
      },
    );

    it("a nodejs runtime image from Debian's nodejs runs a JavaScript HTTP server", { timeout: 300_000 }, async () => {
      const { stdout } = await wharfCli([
        'image',
        'build-base',
        'node:18',
        '--debian-packages',
        'nodejs',
        '--entrypoint',
        '/usr/bin/node',
      ]);
      expect(stdout.trim()).toMatch(new RegExp(`^127\\.0\\.0\\.1:${wharf.registryPort}/node:18@sha256:[0-9a-f]{64}$`));
      const server =
        "require('http').createServer((q, r) => r.end('node ' + process.version + ' says ' + (6 * 7) + '\\n')).listen(3000)";
      const js = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'js' },
        spec: {
          nodeName: 'node-0',
          containers: [
            {
              name: 'node',
              image: 'node:18',
              args: ['-e', server],
              readinessProbe: { tcpSocket: { port: 3000 }, periodSeconds: 1 },
            },
          ],
        },
      };
      await k.ok(['apply', '-f', '-'], { stdin: JSON.stringify(js) });
      await k.ok(['wait', '--for=condition=Ready', 'pod/js', '--timeout=200s'], { timeoutMs: 210_000 });
      const ip = (await k.ok(['get', 'pod', 'js', '-o', 'jsonpath={.status.podIP}'])).trim();
      const answer = await httpAnswer(ip, 3000, '/');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatch(/^node v18\.\d+\.\d+ says 42\n$/);
    });
  },
);
