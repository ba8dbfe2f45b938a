// From `git push` to a running application, on the deliver suites' `wharf up --nodes 1`
// (e2e/deliver.test.ts) with real runc pods and real git: a static site pushed to Wharf's git
// server runs the wharf-static-site Pipeline (clone with the step's service-account token,
// publish, the thin-image step pushing a FROM scratch image from a pod), and the delivery
// controller pins the image by digest into the Application, whose health-gated rollout serves it
// through the Ingress. A second push serves the change; a push whose build fails leaves the
// running version alone (the build Failed, its message in `wharf build logs`); a push whose site
// fails readiness is rolled back and the build marked DeploymentFailed; `wharf app rollback
// --to-build` brings back what the first build deployed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@wharf/testing';
import { type DeliverCluster, DeliverHarness } from './deliver-harness.js';

const NS = 'shop';
const HOST = 'shop.localhost';

export function describeStaticSite(cluster: () => DeliverCluster): void {
  describe('git push of a static site to a running application', () => {
    let h: DeliverHarness;
    const serve = (): Promise<string> => h.serve(HOST, '/index.html');
    const wharfCli = (...args: string[]) => h.cli(...args, '--kubeconfig', h.wharf.kubeconfig);

    beforeAll(async () => {
      h = new DeliverHarness(cluster(), NS);
      // What the Application serves before any build: a placeholder artifact.
      mkdirSync(join(h.work, 'placeholder'));
      writeFileSync(join(h.work, 'placeholder', 'index.html'), 'placeholder\n');
      await h.cli('image', 'pack', join(h.work, 'placeholder'), '--to', 'shop-site:0', '--prefix', 'app', ...h.dataDir);
    }, 600_000);

    afterAll(async () => {
      await h?.dispose();
    });

    it('pushes become builds that roll out, failed builds and failed rollouts leave the app serving, and rollback --to-build restores a build', async () => {
      const { endpoints } = h;
      expect(endpoints.registryForPods).toMatch(/^http:\/\/10\.\d+\.255\.1:\d+$/);
      // The build pods' account reads the repository (git clone); any cluster token may push images.
      await h.setUpNamespace();
      await h.repository('site', { pipeline: 'wharf-static-site', image: 'shop-site:main', claim: '64Mi' });
      await h.apply({
        apiVersion: 'platform.wharf.dev/v1alpha1',
        kind: 'Application',
        metadata: { name: 'shop', namespace: NS },
        spec: {
          // The unready site's rollback waits the deadline out; busybox httpd was Ready within 2 s of its
          // step's start at load average 10-18.
          rollout: { analysisSeconds: 3, batchSeconds: 0, progressDeadlineSeconds: 12 },
          components: [
            {
              name: 'web',
              runtime: {
                image: 'wharf/busybox:0.1.0',
                command: ['/bin/busybox', 'httpd', '-f', '-p', '8080', '-h', '/www'],
              },
              artifacts: [{ name: 'site', image: 'shop-site:0', path: '/app', mountPath: '/www' }],
              ports: [{ name: 'http', port: 8080 }],
              expose: { host: 'shop.localhost' },
              probes: { readiness: { httpGet: { path: '/index.html', port: 8080 }, periodSeconds: 1 } },
              source: { repository: 'site', pipeline: 'wharf-static-site' },
            },
          ],
        },
      });
      await eventually(
        async () => ((await serve()) === '200 placeholder' ? true : undefined),
        240_000,
        'the placeholder served',
      );

      // A bad source is refused with its field path.
      const bad = await h.k.run(['apply', '-f', '-'], {
        stdin: JSON.stringify({
          apiVersion: 'platform.wharf.dev/v1alpha1',
          kind: 'Application',
          metadata: { name: 'bad', namespace: NS },
          spec: { components: [{ name: 'web', runtime: { image: 'x' }, source: { pipeline: 'p' } }] },
        }),
      });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('spec.components[0].source.repository');

      mkdirSync(h.src);
      await h.git('init', '-q');
      const first = await h.push(
        'site',
        { 'public/index.html': 'version 1\n', 'README.md': 'the source, not served\n' },
        'First version',
      );
      const one = await h.deployState(first.run, 'Deployed', 600_000);
      expect(await serve()).toBe('200 version 1');
      expect(one['platform.wharf.dev/images']).toMatch(
        new RegExp(`^${endpoints.registryHost.replace(/\./g, '\\.')}/shop-site@sha256:[0-9a-f]{64}$`),
      );
      expect(one['platform.wharf.dev/deployed-to']).toBe('shop/web');
      expect(one['platform.wharf.dev/commit']).toBe(first.sha);
      const app = JSON.parse(await h.k.ok(['get', 'application', 'shop', '-n', NS, '-o', 'json'])) as {
        spec: { components: { artifacts: { image: string }[] }[] };
        status: { revision: number };
      };
      expect(app.spec.components[0]?.artifacts[0]?.image).toBe(one['platform.wharf.dev/images']);
      expect(String(app.status.revision)).toBe(one['platform.wharf.dev/deployed-revision']);
      const got = (await wharfCli('build', 'get', first.run, '-n', NS)).stdout;
      expect(got).toContain(
        `Deployment:  Deployed to shop/web (revision ${one['platform.wharf.dev/deployed-revision']})`,
      );
      expect(got).toContain('Message:     First version');

      const second = await h.push('site', { 'public/index.html': 'version 2\n' }, 'Second version');
      await h.deployState(second.run, 'Deployed', 600_000);
      expect(await serve()).toBe('200 version 2');

      // A build that fails: the running version stays, the build Failed with its message in the logs.
      const broken = await h.push(
        'site',
        { public: null, 'site/index.html': 'moved\n' },
        'Move the site (breaks the build)',
      );
      const notDeployed = await h.deployState(broken.run, 'NotDeployed', 600_000);
      expect(notDeployed['platform.wharf.dev/deploy-message']).toMatch(/^the build did not succeed \(Failed\)/);
      const logs = await h.logs(broken.run);
      expect(logs).toContain('no directory public in the source');
      expect(await serve()).toBe('200 version 2');

      // A build that succeeds but whose site fails readiness: rolled back, the build DeploymentFailed.
      const unready = await h.push(
        'site',
        { 'site/index.html': null, 'public/other.html': 'no index\n' },
        'Site without an index (fails readiness)',
      );
      const failed = await h.deployState(unready.run, 'DeploymentFailed', 600_000);
      expect(failed['platform.wharf.dev/deploy-message']).toMatch(/^revision \d+ was rolled back: /);
      expect(await serve()).toBe('200 version 2');
      const events = await h.k.ok([
        'get',
        'events',
        '-n',
        NS,
        '--field-selector',
        `involvedObject.name=${unready.run}`,
      ]);
      expect(events).toContain('DeploymentFailed');

      // Back to what the first build deployed.
      await wharfCli('app', 'rollback', 'shop', '--to-build', first.run, '-n', NS, '--timeout', '5m');
      await eventually(
        async () => ((await serve()) === '200 version 1' ? true : undefined),
        120_000,
        'version 1 after the rollback',
      );
      const refused = await wharfCli('app', 'rollback', 'shop', '--to-build', broken.run, '-n', NS).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect('code' in refused && refused.code).toBe(1);
      expect((refused as { stderr: string }).stderr).toContain(
        `build ${broken.run} deployed no revision of application shop (NotDeployed`,
      );
    }, 3_000_000);
  });
}
