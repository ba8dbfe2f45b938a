// What bench/lib/deliver.mjs pushes: the step images a scenario's Pipeline needs, the artifact its
// Application serves before the first build, the component, and how each push changes the source
// and what the Ingress then answers.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildWar,
  testCacheDir,
  tomcatImage,
  TOMCAT_APP_BASE,
  TOMCAT_PORT,
} from '../../packages/testing/dist/index.js';
import { REPO_ROOT } from './procs.mjs';

/** A one-page static site: wharf-static-site (clone, publish, pack) and busybox httpd. */
export const staticSite = {
  pipeline: 'wharf-static-site',
  path: '/index.html',
  placeholderText: 'placeholder',
  images: async (cli, d) => {
    await cli('image', 'build-base', 'wharf/busybox:0.1.0', '--debian-packages', 'busybox-static', ...d);
  },
  placeholder: async (dir, cli, d) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.html'), 'placeholder\n');
    await cli('image', 'pack', dir, '--to', 'site:0', '--prefix', 'app', ...d);
  },
  component: {
    runtime: { image: 'wharf/busybox:0.1.0', command: ['/bin/busybox', 'httpd', '-f', '-p', '8080', '-h', '/www'] },
    artifacts: [{ name: 'site', image: 'site:0', path: '/app', mountPath: '/www' }],
    ports: [{ name: 'http', port: 8080 }],
    probes: { readiness: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1 } },
  },
  init: (repo) => mkdirSync(join(repo, 'public'), { recursive: true }),
  change: (repo, i) => writeFileSync(join(repo, 'public', 'index.html'), `version ${i}\n`),
  text: (i) => `version ${i}`,
};

const NODE_SERVER = 'server.js';

/**
 * e2e/fixtures/node-shop (one vendored dependency, a build script) through wharf-node-app: npm ci
 * --offline once per lockfile, node_modules restored from a claim the runs share (wharf-cache), on
 * Debian's nodejs.
 */
export const nodeApp = {
  pipeline: 'wharf-node-app',
  path: '/',
  placeholderText: 'placeholder',
  images: async (cli, d) => {
    await cli('image', 'build-base', 'wharf/busybox:0.1.0', '--debian-packages', 'busybox-static', ...d);
    await cli('image', 'build-step', 'node', '--deb-cache', join(testCacheDir(), 'debs'), ...d);
    await cli('image', 'build-base', 'wharf/node:18', '--debian-packages', 'nodejs', ...d);
  },
  placeholder: async (dir, cli, d) => {
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(
      join(dir, 'dist/server.js'),
      "require('http').createServer((q, s) => s.end(q.url === '/healthz' ? 'ok\\n' : 'placeholder\\n')).listen(8080);\n",
    );
    await cli('image', 'pack', dir, '--to', 'site:0', '--prefix', 'app', ...d);
  },
  params: (registryHost) => [{ name: 'base-image', value: `${registryHost}/wharf/node:18` }],
  setUp: (kubectl) =>
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'npm-cache', namespace: 'bench' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '256Mi' } } },
      }),
    ),
  workspaces: [{ name: 'cache', persistentVolumeClaim: { claimName: 'npm-cache' } }],
  component: {
    runtime: { image: 'wharf/node:18', command: ['/usr/bin/node', '/app/dist/server.js'] },
    artifacts: [{ name: 'app', image: 'site:0', path: '/app', mountPath: '/app' }],
    ports: [{ name: 'http', port: 8080 }],
    probes: { readiness: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 } },
  },
  init: (repo) => cpSync(join(REPO_ROOT, 'e2e/fixtures/node-shop'), repo, { recursive: true }),
  change: (repo, i) => {
    const file = join(repo, NODE_SERVER);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/'node version \d+'/, `'node version ${i}'`));
  },
  text: (i) => `hello node version ${i}`,
};

const SERVLET = 'shop/src/main/java/dev/wharf/demo/ShopServlet.java';

/** The seed's example: e2e/fixtures/java-shop (two .wars) through wharf-java-war onto Tomcat (M+N). */
export const javaWar = {
  pipeline: 'wharf-java-war',
  path: '/shop/',
  placeholderText: 'shop says hello',
  images: async (cli, d, wharf) => {
    await cli('image', 'build-step', 'maven', '--deb-cache', join(testCacheDir(), 'debs'), ...d);
    await tomcatImage(wharf);
  },
  placeholder: async (dir, cli, d) => {
    mkdirSync(dir, { recursive: true });
    const war = buildWar(join(dir, '..'), { name: 'shop' });
    cpSync(war, join(dir, 'shop.war'));
    await cli('image', 'pack', dir, '--to', 'site:0', '--prefix', 'app', ...d);
  },
  params: (registryHost) => [{ name: 'base-image', value: `${registryHost}/tomcat:10` }],
  component: {
    runtime: { image: 'tomcat:10' },
    artifacts: [{ name: 'wars', image: 'site:0', path: '/app', mountPath: TOMCAT_APP_BASE }],
    ports: [{ name: 'http', port: TOMCAT_PORT }],
    resources: { limits: { memory: '512Mi' } },
    probes: { readiness: { httpGet: { path: '/shop/', port: TOMCAT_PORT }, periodSeconds: 1, timeoutSeconds: 5 } },
  },
  init: (repo) => cpSync(join(REPO_ROOT, 'e2e/fixtures/java-shop'), repo, { recursive: true }),
  change: (repo, i) => {
    const file = join(repo, SERVLET);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"shop version \d+"/, `"shop version ${i}"`));
  },
  text: (i) => `shop version ${i}`,
};
