// A Node.js app from `git push` to serving, on the deliver suites' `wharf up --nodes 1`
// (e2e/deliver.test.ts) with real runc pods and real git: e2e/fixtures/node-shop (one vendored
// dependency, a build script) pushed to Wharf's git server runs the wharf-node-app Pipeline:
// clone, the wharf-cache Task restoring node_modules by the hash of package-lock.json from a claim
// the pipeline's runs share, `npm ci --offline` in the wharf/node-build step image (`wharf image
// build-step node`), the build script, the cache saved, and the thin-image step; the delivery
// controller pins the image into an Application running it on Debian's nodejs. The second push
// (same lockfile) restores node_modules and skips npm ci. A third push whose app fails readiness
// is rolled back automatically, and requests through the Ingress never fail meanwhile.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, REPO_ROOT, testCacheDir } from '@wharf/testing';
import { type DeliverCluster, DeliverHarness } from './deliver-harness.js';

const NS = 'node-shop';
const HOST = 'node.localhost';

export function describeNodeApp(cluster: () => DeliverCluster): void {
  describe(`git push of a Node.js app: npm offline, a lockfile-keyed cache, a rollback on failed readiness`, () => {
    let h: DeliverHarness;
    const server = () => readFileSync(join(h.src, 'server.js'), 'utf8');

    beforeAll(async () => {
      h = new DeliverHarness(cluster(), NS);
      await h.cli('image', 'build-step', 'node', '--deb-cache', join(testCacheDir(), 'debs'), ...h.dataDir);
      await h.cli('image', 'build-base', 'wharf/node:18', '--debian-packages', 'nodejs', ...h.dataDir); // the runtime (M)
      // What the Application runs before any build: a server answering "placeholder".
      mkdirSync(join(h.work, 'placeholder/dist'), { recursive: true });
      writeFileSync(
        join(h.work, 'placeholder/dist/server.js'),
        "require('http').createServer((q, s) => s.end(q.url === '/healthz' ? 'ok\\n' : 'placeholder\\n')).listen(8080);\n",
      );
      await h.cli('image', 'pack', join(h.work, 'placeholder'), '--to', 'node-shop:0', '--prefix', 'app', ...h.dataDir);
    }, 1_800_000);

    afterAll(async () => {
      await h?.dispose();
    });

    it('serves each push, installs offline once per lockfile, and rolls back an app that fails readiness without failing requests', async () => {
      const { registryHost } = h.endpoints;
      await h.setUpNamespace();
      // The cache: one claim for all the pipeline's runs.
      await h.apply({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'node-shop-cache', namespace: NS },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '256Mi' } } },
      });
      await h.repository('app', {
        pipeline: 'wharf-node-app',
        image: 'node-shop:main',
        claim: '256Mi',
        params: [{ name: 'base-image', value: `${registryHost}/wharf/node:18` }],
        workspaces: [{ name: 'cache', persistentVolumeClaim: { claimName: 'node-shop-cache' } }],
      });
      await h.apply({
        apiVersion: 'platform.wharf.dev/v1alpha1',
        kind: 'Application',
        metadata: { name: 'shop', namespace: NS },
        spec: {
          // The never-ready push's rollback waits this out. A new pod (artifact pull and Node.js start)
          // was Ready within 4 s of its step's start at load average 10-20 (the runtime's first pull: 2 s).
          rollout: { analysisSeconds: 3, batchSeconds: 0, progressDeadlineSeconds: 15 },
          components: [
            {
              name: 'web',
              runtime: { image: 'wharf/node:18', command: ['/usr/bin/node', '/app/dist/server.js'] },
              artifacts: [{ name: 'app', image: 'node-shop:0', path: '/app', mountPath: '/app' }],
              replicas: 2,
              ports: [{ name: 'http', port: 8080 }],
              expose: { host: HOST },
              probes: { readiness: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 } },
              source: { repository: 'app', pipeline: 'wharf-node-app' },
            },
          ],
        },
      });
      await eventually(
        async () => ((await h.serve(HOST, '/')) === '200 placeholder' ? true : undefined),
        300_000,
        'the placeholder served',
      );

      cpSync(join(REPO_ROOT, 'e2e/fixtures/node-shop'), h.src, { recursive: true });
      await h.git('init', '-q');
      const first = await h.push('app', {}, 'A Node.js app');
      await h.deployState(first.run, 'Deployed', 900_000);
      expect(await h.serve(HOST, '/')).toBe('200 hello node version 1');
      const firstLog = await h.logs(first.run);
      expect(firstLog).toMatch(/cache: no entry npm-[0-9a-f]{32}/);
      expect(firstLog).toContain('added 1 package');
      expect(firstLog).toMatch(/cache: saved npm-[0-9a-f]{32}/);

      // From here on, a request every 100 ms through the Ingress: none may fail.
      const failures: string[] = [];
      let served = 0;
      let load = true;
      const poller = (async () => {
        while (load) {
          const r = await h.serve(HOST, '/').catch((e: Error) => `error ${e.message}`);
          if (r.startsWith('200 ')) served++;
          else failures.push(r);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      try {
        // Same lockfile: node_modules comes from the cache, npm ci does not run.
        const second = await h.push(
          'app',
          { 'server.js': server().replace('node version 1', 'node version 2') },
          'Version 2',
        );
        await h.deployState(second.run, 'Deployed', 900_000);
        expect(await h.serve(HOST, '/')).toBe('200 hello node version 2');
        const secondLog = await h.logs(second.run);
        expect(secondLog).toMatch(/cache: restored npm-[0-9a-f]{32}/);
        expect(secondLog).toContain('node_modules from the cache: npm ci skipped');
        expect(secondLog).not.toContain('added 1 package');

        // An app that never gets ready: rolled back, the build DeploymentFailed, version 2 serving.
        const unready = await h.push(
          'app',
          {
            'server.js': server()
              .replace('node version 2', 'node version 3')
              .replace('const HEALTHY = true', 'const HEALTHY = false'),
          },
          'Never ready',
        );
        const failed = await h.deployState(unready.run, 'DeploymentFailed', 900_000);
        expect(failed['platform.wharf.dev/deploy-message']).toMatch(/^revision \d+ was rolled back: /);
        expect(await h.serve(HOST, '/')).toBe('200 hello node version 2');
      } finally {
        load = false;
        await poller;
      }
      expect(failures).toEqual([]);
      expect(served).toBeGreaterThan(50);
    }, 3_600_000);
  });
}
