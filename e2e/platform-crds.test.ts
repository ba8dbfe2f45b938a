// The platform.wharf.dev CRDs (deploy/platform/crds.yaml) on a real Wharf with kubectl 1.32: the
// interface of issue 12 is accepted as written, printer columns show, and bad Applications and
// ConfigSets get 422 with the field path (schema and CEL rules: unique component names, absolute
// artifact paths without `..`, file references without a mountPath).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, REPO_ROOT, WharfProcess } from '@wharf/testing';

let wharf: WharfProcess;
let k: Kubectl;

beforeAll(async () => {
  // --no-platform: only the CRDs of the file under test, not those `wharf up` installs itself.
  wharf = await WharfProcess.start({ extraArgs: ['--no-platform'] });
  k = new Kubectl(wharf.kubeconfig);
  await k.ok(['apply', '-f', join(REPO_ROOT, 'deploy/platform/crds.yaml')]);
  await k.ok([
    'wait',
    '--for=condition=Established',
    'crd/applications.platform.wharf.dev',
    'crd/configsets.platform.wharf.dev',
    'crd/applicationrevisions.platform.wharf.dev',
    '--timeout=30s',
  ]);
  await k.ok(['create', 'namespace', 'demo']);
});

afterAll(async () => {
  await wharf?.stop();
});

const INTERFACE_YAML = `
apiVersion: platform.wharf.dev/v1alpha1
kind: ConfigSet
metadata: {name: shop-settings, namespace: demo}
spec:
  data: {GREETING: hello}
---
apiVersion: platform.wharf.dev/v1alpha1
kind: Application
metadata: {name: shop, namespace: demo}
spec:
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

const app = (components: string): string => `
apiVersion: platform.wharf.dev/v1alpha1
kind: Application
metadata: {name: bad, namespace: demo}
spec:
  components:
${components}`;

describe('deploy/platform', () => {
  it('applies cleanly with kubectl apply --dry-run=server', async () => {
    // A server-side dry run checks namespaced objects against an existing namespace.
    await k.ok(['create', 'namespace', 'wharf-platform']);
    const out = await k.ok(['apply', '--dry-run=server', '-f', join(REPO_ROOT, 'deploy/platform')]);
    for (const o of [
      'serviceaccount/wharf-platform',
      'clusterrole.rbac.authorization.k8s.io/wharf-platform',
      'clusterrolebinding.rbac.authorization.k8s.io/wharf-platform',
      'deployment.apps/wharf-platform',
    ]) {
      expect(out).toContain(`${o} created (server dry run)`);
    }
    expect(out).toMatch(
      /customresourcedefinition.apiextensions.k8s.io\/applications.platform.wharf.dev (unchanged|configured) \(server dry run\)/,
    );
    expect((await k.run(['get', 'deployment', 'wharf-platform', '-n', 'wharf-platform'])).code).not.toBe(0);
  });
});

describe('platform CRDs', () => {
  it('accept the interface of the issue as written, with printer columns and short names', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: INTERFACE_YAML });
    const got = JSON.parse(await k.ok(['get', 'app', 'shop', '-n', 'demo', '-o', 'json'])) as {
      spec: { components: { artifacts: unknown[]; config: unknown[] }[] };
    };
    expect(got.spec.components[0]?.artifacts).toEqual([{ image: 'shop-site:1', path: '/site', mountPath: '/www' }]);
    expect(got.spec.components[0]?.config).toHaveLength(2);
    const table = await k.ok(['get', 'applications', '-n', 'demo']);
    expect(table.split('\n')[0]).toMatch(/NAME\s+REVISION\s+READY\s+REASON\s+URL\s+AGE/);
    expect(await k.ok(['get', 'cfg', '-n', 'demo', '-o', 'name'])).toContain(
      'configset.platform.wharf.dev/shop-settings',
    );
  });

  it.each([
    [
      'duplicate component names',
      app(`  - {name: web, runtime: {image: a}}\n  - {name: web, runtime: {image: b}}`),
      /spec.components: Invalid value.*component names must be unique/,
    ],
    [
      'a relative artifact path',
      app(`  - {name: web, runtime: {image: a}, artifacts: [{image: s, path: site, mountPath: /www}]}`),
      /spec.components\[0\].artifacts\[0\].path: Invalid value.*must be an absolute path/,
    ],
    [
      'path traversal in an artifact mountPath',
      app(`  - {name: web, runtime: {image: a}, artifacts: [{image: s, path: /site, mountPath: /www/../etc}]}`),
      /spec.components\[0\].artifacts\[0\].mountPath: Invalid value.*must not contain '..'/,
    ],
    [
      'a file reference without mountPath',
      app(`  - {name: web, runtime: {image: a}, config: [{configSet: c, as: file}]}`),
      /spec.components\[0\].config\[0\].mountPath: Invalid value.*mountPath is required/,
    ],
    [
      'inPlace updates of env vars',
      app(`  - {name: web, runtime: {image: a}, config: [{configSet: c, as: env, update: inPlace}]}`),
      /spec.components\[0\].config\[0\].update: Invalid value.*needs as 'file'/,
    ],
    [
      'an unknown update policy',
      app(`  - {name: web, runtime: {image: a}, config: [{configSet: c, as: env, update: sometimes}]}`),
      /spec.components\[0\].config\[0\].update: Unsupported value: "sometimes"/,
    ],
    [
      'a component name that is not a DNS label',
      app(`  - {name: Web_1, runtime: {image: a}}`),
      /spec.components\[0\].name: Invalid value: "Web_1"/,
    ],
    ['no components', app('    []'), /spec.components: Invalid value.*should have at least 1 items/],
    [
      'a source with both a repository and a URL',
      app(
        `  - {name: web, runtime: {image: a}, source: {repository: site, url: "https://git.example.com/site.git", pipeline: p}}`,
      ),
      /spec.components\[0\].source.repository: Invalid value.*exactly one of repository/,
    ],
    [
      'a source target that names no artifact',
      app(
        `  - {name: web, runtime: {image: a}, artifacts: [{name: site, image: s, path: /app, mountPath: /www}], source: {repository: site, pipeline: p, target: other}}`,
      ),
      /spec.components\[0\].source.target: Invalid value.*'runtime' or the name of one of the artifacts/,
    ],
  ])('refuse %s with 422 and the field path', async (_what, yaml, message) => {
    const r = await k.run(['apply', '-f', '-'], { stdin: yaml });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/is invalid/);
    expect(r.stderr).toMatch(message);
  });

  it('keeps an ApplicationRevision immutable', async () => {
    const rev = `apiVersion: platform.wharf.dev/v1alpha1
kind: ApplicationRevision
metadata: {name: shop-r1, namespace: demo}
spec: {application: shop, revision: 1, template: {components: [{name: web, runtime: {image: "busybox:1"}}]}, config: [], secrets: [], images: [], cause: spec, inputs: x}
`;
    await k.ok(['apply', '-f', '-'], { stdin: rev });
    const r = await k.run([
      'patch',
      'apprev',
      'shop-r1',
      '-n',
      'demo',
      '--type',
      'merge',
      '-p',
      '{"spec":{"cause":"edited"}}',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/an ApplicationRevision is immutable/);
    await eventually(async () =>
      (await k.ok(['get', 'apprev', 'shop-r1', '-n', 'demo', '-o', 'jsonpath={.spec.cause}'])) === 'spec'
        ? true
        : undefined,
    );
  });
});
