// The M+N pattern on `wharf up --nodes 1` with real runc: a Tomcat runtime image built by
// `wharf image build-base` from Debian's openjdk-17-jre-headless and tomcat10 (no maintainer
// scripts, no shell in the image), and an artifact image (busybox-static plus a layer with a .war,
// imported as an OCI layout tar). The artifact's init container copies the .war into an emptyDir
// that Tomcat deploys; the JSP answers at the pod IP. Needs root, runc, the CNI plugins and zip
// (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable() || (!existsSync('/usr/bin/zip') ? 'no zip' : '');

/** The build-base arguments of docs/images.md ("Tomcat from Debian packages"). */
const JAVA = '/usr/lib/jvm/java-17-openjdk-amd64/bin/java';
const TOMCAT_BUILD = [
  'image', 'build-base', 'tomcat:10', '--debian-packages', 'openjdk-17-jre-headless,tomcat10',
  '--entrypoint', JSON.stringify([
    JAVA, '-Dcatalina.home=/usr/share/tomcat10', '-Dcatalina.base=/var/lib/tomcat10', '-Djava.io.tmpdir=/tmp',
    '-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager', '-Djava.util.logging.config.file=/var/lib/tomcat10/conf/logging.properties',
    '-cp', '/usr/share/tomcat10/bin/bootstrap.jar:/usr/share/tomcat10/bin/tomcat-juli.jar', 'org.apache.catalina.startup.Bootstrap',
  ]),
  '--cmd', 'start',
  '--env', 'JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64', 'CATALINA_HOME=/usr/share/tomcat10', 'CATALINA_BASE=/var/lib/tomcat10',
  '--symlink', '/var/lib/tomcat10/conf=/usr/share/tomcat10/etc',
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
  writeFileSync(join(src, 'WEB-INF/web.xml'), '<?xml version="1.0" encoding="UTF-8"?>\n<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="5.0"><display-name>hello</display-name></web-app>\n');
  writeFileSync(join(src, 'index.jsp'), '<%@ page contentType="text/plain" %>hello from the war, 6*7=<%= 6 * 7 %>\n');
  const war = join(dir, 'hello.war');
  execFileSync('zip', ['-qrX', war, '.'], { cwd: src });
  return war;
}

/**
 * An OCI layout tar: the image `baseRef` of the OCI layout `layout` plus one uncompressed layer
 * holding `files` (path in the image → file on the host).
 */
function layoutWithLayer(layout: string, baseRef: string, files: Record<string, string>, dir: string): string {
  const out = join(dir, 'layout');
  mkdirSync(join(out, 'blobs/sha256'), { recursive: true });
  const blob = (digest: string): string => join(layout, 'blobs', ...digest.split(':'));
  const put = (bytes: Buffer): { digest: string; size: number } => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(out, 'blobs/sha256', hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const base = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === baseRef);
  if (!base) throw new Error(`${baseRef} is not in ${layout}`);
  const manifest = JSON.parse(readFileSync(blob(base.digest), 'utf8'));
  const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8'));
  for (const l of manifest.layers as { digest: string }[]) copyFileSync(blob(l.digest), join(out, 'blobs', ...l.digest.split(':')));
  const content = join(dir, 'layer');
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(join(content, to, '..'), { recursive: true });
    copyFileSync(from, join(content, to));
  }
  execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', content, '-cf', join(dir, 'layer.tar'), '.']);
  const layer = put(readFileSync(join(dir, 'layer.tar')));
  config.rootfs.diff_ids.push(layer.digest); // uncompressed: the DiffID is the blob digest
  config.history = [...(config.history ?? []), { created: '1970-01-01T00:00:00Z', created_by: `add ${Object.keys(files).join(' ')}` }];
  const cfg = put(Buffer.from(JSON.stringify(config)));
  const man = put(Buffer.from(JSON.stringify({
    ...manifest,
    config: { ...manifest.config, ...cfg },
    layers: [...manifest.layers, { mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  })));
  writeFileSync(join(out, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(out, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...man }] }));
  const tarFile = join(dir, 'image.tar');
  execFileSync('tar', ['-C', out, '-cf', tarFile, '.']);
  return tarFile;
}

describe.skipIf(skip !== '')(`Tomcat M+N: a .war from an artifact image served by a Debian-built Tomcat ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let scratch: string;
  const wharfCli = (args: string[]) => run(process.execPath, [WHARF_BIN, ...args, '--data-dir', wharf.dataDir], { timeout: 300_000 });

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
    expect(stdout.trim()).toMatch(new RegExp(`^127\\.0\\.0\\.1:${wharf.registryPort}/tomcat:10@sha256:[0-9a-f]{64}$`));
    expect(stderr).toMatch(/built tomcat:10 from \d+ Debian packages/);
  });

  it('imports the artifact image: busybox-static plus a layer with the .war', { timeout: 180_000 }, async () => {
    await wharfCli(['image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static']);
    const tar = layoutWithLayer(join(wharf.dataDir, 'images'), 'busybox:1', { 'artifacts/hello.war': makeWar(scratch) }, scratch);
    const { stdout } = await wharfCli(['image', 'import', tar, '--name', 'hello-war:1']);
    expect(stdout.trim()).toMatch(new RegExp(`^127\\.0\\.0\\.1:${wharf.registryPort}/hello-war:1@sha256:`));
  });

  it('the init container copies the .war into the emptyDir and Tomcat serves it at the pod IP:8080', { timeout: 240_000 }, async () => {
    await k.ok(['apply', '-f', '-'], { stdin: pod });
    // The first start pulls and unpacks ~300 MB of Tomcat image; Tomcat itself starts in seconds.
    await k.ok(['wait', '--for=condition=Ready', 'pod/shop', '--timeout=200s'], { timeoutMs: 210_000 });
    expect(await k.ok(['logs', 'shop', '-c', 'artifact'])).toMatch(/^copied \d+ bytes\n$/);
    const ip = (await k.ok(['get', 'pod', 'shop', '-o', 'jsonpath={.status.podIP}'])).trim();
    const hello = await httpGet({ host: ip, port: 8080, path: '/hello/', timeoutMs: 10_000 });
    expect([hello.status, hello.text]).toEqual([200, 'hello from the war, 6*7=42\n']);
    expect((await httpGet({ host: ip, port: 8080, path: '/nothing-here', timeoutMs: 10_000 })).status).toBe(404);
    const log = await k.ok(['logs', 'shop', '-c', 'tomcat']);
    expect(log).toContain('Deployment of web application archive [/var/lib/tomcat10/webapps/hello.war] has finished');
    // Read-only root, arbitrary uid: the emptyDirs are everything Tomcat writes to.
    expect(log).not.toMatch(/SEVERE|WARNING/);
  });

  it('a nodejs runtime image from Debian\'s nodejs runs a JavaScript HTTP server', { timeout: 300_000 }, async () => {
    const { stdout } = await wharfCli(['image', 'build-base', 'node:18', '--debian-packages', 'nodejs', '--entrypoint', '/usr/bin/node']);
    expect(stdout.trim()).toMatch(new RegExp(`^127\\.0\\.0\\.1:${wharf.registryPort}/node:18@sha256:[0-9a-f]{64}$`));
    const server = "require('http').createServer((q, r) => r.end('node ' + process.version + ' says ' + (6 * 7) + '\\n')).listen(3000)";
    const js = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'js' }, spec: { nodeName: 'node-0', containers: [{ name: 'node', image: 'node:18', args: ['-e', server], readinessProbe: { tcpSocket: { port: 3000 }, periodSeconds: 1 } }] } };
    await k.ok(['apply', '-f', '-'], { stdin: JSON.stringify(js) });
    await k.ok(['wait', '--for=condition=Ready', 'pod/js', '--timeout=200s'], { timeoutMs: 210_000 });
    const ip = (await k.ok(['get', 'pod', 'js', '-o', 'jsonpath={.status.podIP}'])).trim();
    const answer = await httpGet({ host: ip, port: 3000, timeoutMs: 10_000 });
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/^node v18\.\d+\.\d+ says 42\n$/);
  });
});
