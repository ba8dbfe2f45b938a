// kubectl 1.32 against a real Wharf: a CRD with a structural schema (defaults, enum, limits),
// printer columns and status/scale subresources; then RBAC: `auth can-i`, and a service account
// limited to reading pods in one namespace, using a token from `kubectl create token`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Kubectl, KUBECTL_132, sharedWharf, type WharfEndpoint } from '@wharf/testing';

let wharf: WharfEndpoint;
let k: Kubectl;

beforeAll(async () => {
  wharf = await sharedWharf(); // the run's control plane, shared with the other kubectl suites
  k = new Kubectl(wharf.kubeconfig, KUBECTL_132);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl JSON output, asserted field by field
type Json = Record<string, any>;
const header = (out: string): string[] => (out.split('\n')[0] ?? '').trim().split(/\s{2,}/);

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec, image]
            properties:
              cronSpec:
                type: string
                pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
              image: {type: string}
              replicas: {type: integer, minimum: 1, maximum: 10, default: 1}
              size: {type: string, enum: [small, medium, large], default: medium}
          status:
            type: object
            properties:
              replicas: {type: integer}
              labelSelector: {type: string}
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.labelSelector
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Size, type: string, jsonPath: .spec.size}
    - {name: Image, type: string, jsonPath: .spec.image, priority: 1}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
`;

const cronTab = (name: string, spec: string): string => `apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: ${name}}
spec: {${spec}}
`;

describe('CustomResourceDefinition', () => {
  const NS = 'crd';
  beforeAll(async () => {
    await k.ok(['create', 'namespace', NS]);
  });

  it('installs, becomes Established, and is discovered', async () => {
    expect(await k.ok(['apply', '-f', '-'], { stdin: CRD })).toBe(
      'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n',
    );
    expect(
      await k.ok(['wait', '--for', 'condition=established', 'crd/crontabs.stable.example.com', '--timeout=30s']),
    ).toBe('customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com condition met\n');
    const resources = await k.ok(['api-resources', '--api-group=stable.example.com']);
    expect(resources.split('\n')[1]).toMatch(/^crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab$/);
    expect(await k.ok(['get', 'crd', 'crontabs.stable.example.com', '--no-headers'])).toMatch(
      /^crontabs\.stable\.example\.com\s+\d{4}-\d\d-\d\dT/,
    );
  });

  it('applies custom resources with defaults and lists them with their printer columns', async () => {
    const out = await k.ok(['apply', '-n', NS, '-f', '-'], {
      stdin: `${cronTab('nightly', 'cronSpec: "0 3 * * *", image: "backup:1.2"')}---\n${cronTab('hourly', 'cronSpec: "0 * * * *", image: "report:2", replicas: 4, size: large')}`,
    });
    expect(out).toBe('crontab.stable.example.com/nightly created\ncrontab.stable.example.com/hourly created\n');
    const nightly = JSON.parse(await k.ok(['get', 'crontab', 'nightly', '-n', NS, '-o', 'json'])) as Json;
    expect(nightly.spec).toEqual({ cronSpec: '0 3 * * *', image: 'backup:1.2', replicas: 1, size: 'medium' });

    const table = await k.ok(['get', 'crontabs', '-n', NS, '--sort-by=.metadata.name']);
    expect(header(table)).toEqual(['NAME', 'SPEC', 'REPLICAS', 'SIZE', 'AGE']);
    const rows = table.trim().split('\n').slice(1);
    expect(rows[0]).toMatch(/^hourly\s+0 \* \* \* \*\s+4\s+large\s+\d+s$/);
    expect(rows[1]).toMatch(/^nightly\s+0 3 \* \* \*\s+1\s+medium\s+\d+s$/);
    const wide = await k.ok(['get', 'ct', 'nightly', '-n', NS, '-o', 'wide']);
    expect(header(wide)).toEqual(['NAME', 'SPEC', 'REPLICAS', 'SIZE', 'IMAGE', 'AGE']);
    expect(wide).toContain('backup:1.2');
    expect(await k.ok(['get', 'all', '-n', NS, '-o', 'name'])).toContain('crontab.stable.example.com/hourly\n');
    expect(await k.ok(['describe', 'crontab', 'hourly', '-n', NS])).toMatch(/^Name:\s+hourly$/m);
  });

  it('rejects schema violations naming the field, and unknown fields under strict validation', async () => {
    const bad = await k.run(['apply', '-n', NS, '-f', '-'], {
      stdin: cronTab('bad', 'cronSpec: "often", image: "x", replicas: 20, size: huge'),
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The CronTab "bad" is invalid');
    expect(bad.stderr).toContain('spec.cronSpec: Invalid value: "often": spec.cronSpec in body should match');
    expect(bad.stderr).toContain(
      'spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10',
    );
    expect(bad.stderr).toContain('spec.size: Unsupported value: "huge": supported values: "small", "medium", "large"');

    const missing = await k.run(['create', '-n', NS, '-f', '-'], { stdin: cronTab('bad', 'cronSpec: "* * * * *"') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('spec.image: Required value');

    const unknown = await k.run(['apply', '-n', NS, '-f', '-'], {
      stdin: cronTab('bad', 'cronSpec: "* * * * *", image: "x", colour: red'),
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown field "spec.colour"');
    // With validation off the unknown field is pruned instead.
    await k.ok(['apply', '--validate=false', '-n', NS, '-f', '-'], {
      stdin: cronTab('pruned', 'cronSpec: "* * * * *", image: "x", colour: red'),
    });
    expect((JSON.parse(await k.ok(['get', 'crontab', 'pruned', '-n', NS, '-o', 'json'])) as Json).spec).toEqual({
      cronSpec: '* * * * *',
      image: 'x',
      replicas: 1,
      size: 'medium',
    });
    expect((await k.run(['get', 'crontab', 'bad', '-n', NS])).stderr).toContain('(NotFound)');
  });

  it('scales through the scale subresource and keeps status separate from spec', async () => {
    expect(await k.ok(['scale', 'crontab', 'nightly', '-n', NS, '--replicas=3'])).toBe(
      'crontab.stable.example.com/nightly scaled\n',
    );
    expect(await k.ok(['get', 'crontab', 'nightly', '-n', NS, '-o', 'jsonpath={.spec.replicas}'])).toBe('3');
    const over = await k.run(['scale', 'crontab', 'nightly', '-n', NS, '--replicas=11']);
    expect(over.code).toBe(1);
    expect(over.stderr).toContain('spec.replicas');

    await k.ok([
      'patch',
      'crontab',
      'nightly',
      '-n',
      NS,
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"replicas":3,"labelSelector":"app=nightly"},"spec":{"image":"ignored:9"}}',
    ]);
    const ct = JSON.parse(await k.ok(['get', 'crontab', 'nightly', '-n', NS, '-o', 'json'])) as Json;
    expect(ct.status).toEqual({ replicas: 3, labelSelector: 'app=nightly' });
    expect(ct.spec.image).toBe('backup:1.2');
    expect(await k.ok(['get', '--raw', `/apis/stable.example.com/v1/namespaces/${NS}/crontabs/nightly/scale`])).toMatch(
      /"spec":\{"replicas":3\},"status":\{"replicas":3,"selector":"app=nightly"\}/,
    );
    // A main-resource write cannot set status.
    await k.ok(['patch', 'crontab', 'nightly', '-n', NS, '--type=merge', '-p', '{"status":{"replicas":99}}']);
    expect(await k.ok(['get', 'crontab', 'nightly', '-n', NS, '-o', 'jsonpath={.status.replicas}'])).toBe('3');
    const smp = await k.run([
      'patch',
      'crontab',
      'nightly',
      '-n',
      NS,
      '--type=strategic',
      '-p',
      '{"spec":{"size":"small"}}',
    ]);
    expect(smp.code).toBe(1);
    // The server answers 415; kubectl words it as the patch type not being supported.
    expect(smp.stderr).toContain(
      'application/strategic-merge-patch+json is not supported by stable.example.com/v1, Kind=CronTab',
    );
  });

  it('deleting the CRD removes its custom resources and the API', async () => {
    await k.ok(['delete', 'crd', 'crontabs.stable.example.com']);
    const gone = await k.run(['get', 'crontabs', '-n', NS]);
    expect(gone.code).toBe(1);
    // kubectl still has crontabs in its discovery cache, so the list itself gets the 404.
    expect(gone.stderr).toContain('the server could not find the requested resource');
    // Installed again, the CRD starts empty: the old custom resources went with it.
    await k.ok(['apply', '-f', '-'], { stdin: CRD });
    await k.ok(['wait', '--for', 'condition=established', 'crd/crontabs.stable.example.com', '--timeout=30s']);
    const empty = await k.run(['get', 'crontabs', '-n', NS]);
    expect(empty).toMatchObject({ code: 0, stdout: '' });
    expect(empty.stderr).toContain(`No resources found in ${NS} namespace.`);
  });
});

describe('RBAC', () => {
  it('auth can-i answers yes for the admin', async () => {
    expect(await k.ok(['auth', 'can-i', 'create', 'deployments'])).toBe('yes\n');
    expect(await k.ok(['auth', 'can-i', '*', '*', '--all-namespaces'])).toBe('yes\n');
    expect(await k.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.groups}'])).toContain('system:masters');
  });

  it('a service account limited to reading pods in one namespace is denied everything else', async () => {
    for (const ns of ['team-a', 'team-b']) {
      await k.ok(['create', 'namespace', ns]);
      await k.ok(['run', 'web', '-n', ns, '--image=nginx:1.27']);
    }
    await k.ok(['create', 'serviceaccount', 'reader', '-n', 'team-a']);
    await k.ok(['create', 'role', 'pod-reader', '-n', 'team-a', '--verb=get,list,watch', '--resource=pods']);
    await k.ok([
      'create',
      'rolebinding',
      'reader',
      '-n',
      'team-a',
      '--role=pod-reader',
      '--serviceaccount=team-a:reader',
    ]);
    const token = (await k.ok(['create', 'token', 'reader', '-n', 'team-a', '--duration=10m'])).trim();
    expect(token.split('.')).toHaveLength(3);

    const server = await k.ok(['config', 'view', '--raw', '-o', 'jsonpath={.clusters[0].cluster.server}']);
    const ca = await k.ok([
      'config',
      'view',
      '--raw',
      '-o',
      'jsonpath={.clusters[0].cluster.certificate-authority-data}',
    ]);
    expect(server).toBe(wharf.url);
    const dir = mkdtempSync(join(tmpdir(), 'wharf-sa-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters:
- name: wharf
  cluster: {server: "${server}", certificate-authority-data: "${ca}"}
users:
- name: reader
  user: {token: "${token}"}
contexts:
- name: reader
  context: {cluster: wharf, user: reader, namespace: team-a}
current-context: reader
`,
    );
    const sa = new Kubectl(kubeconfig, KUBECTL_132);

    expect(await sa.ok(['get', 'pods', '-o', 'name'])).toBe('pod/web\n');
    expect(await sa.ok(['get', 'pod', 'web', '-n', 'team-a', '--no-headers'])).toMatch(/^web\s+0\/1\s+Pending\s/);

    const otherNs = await sa.run(['get', 'pods', '-n', 'team-b']);
    expect(otherNs.code).toBe(1);
    expect(otherNs.stderr).toContain(
      'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:team-a:reader" cannot list resource "pods" in API group "" in the namespace "team-b"',
    );
    const del = await sa.run(['delete', 'pod', 'web']);
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('cannot delete resource "pods"');
    const secrets = await sa.run(['get', 'secrets']);
    expect(secrets.stderr).toContain('cannot list resource "secrets"');
    expect(await k.ok(['get', 'pod', 'web', '-n', 'team-a', '-o', 'name'])).toBe('pod/web\n');

    expect(await sa.ok(['auth', 'can-i', 'list', 'pods'])).toBe('yes\n');
    const cannot = await sa.run(['auth', 'can-i', 'delete', 'pods']);
    expect(cannot).toMatchObject({ code: 1, stdout: 'no\n' });
    expect((await sa.run(['auth', 'can-i', 'list', 'pods', '-n', 'team-b'])).stdout).toBe('no\n');
    expect((await sa.run(['auth', 'can-i', 'create', 'deployments.apps'])).stdout).toBe('no\n');
    expect(await sa.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).toBe(
      'system:serviceaccount:team-a:reader',
    );

    // The admin sees the same answers by impersonating the service account.
    expect(
      await k.ok(['auth', 'can-i', 'get', 'pods', '-n', 'team-a', '--as=system:serviceaccount:team-a:reader']),
    ).toBe('yes\n');
    expect(
      (await k.run(['auth', 'can-i', 'get', 'pods', '-n', 'team-b', '--as=system:serviceaccount:team-a:reader']))
        .stdout,
    ).toBe('no\n');

    // Deleting the binding takes the access away.
    await k.ok(['delete', 'rolebinding', 'reader', '-n', 'team-a']);
    expect((await sa.run(['get', 'pods'])).stderr).toContain('(Forbidden)');
  });
});
