// kubectl 1.32 against a real Wharf: client-side apply (strategic 3-way merge, list order),
// diff, the three patch types, label/annotate and scale.
import { beforeAll, describe, expect, it } from 'vitest';
import { Kubectl, KUBECTL_132, sharedWharf, type WharfEndpoint } from '@wharf/testing';

const NS = 'apply';
let wharf: WharfEndpoint;
let k: Kubectl;

beforeAll(async () => {
  wharf = await sharedWharf(); // the run's control plane, shared with the other kubectl suites
  k = new Kubectl(wharf.kubeconfig, KUBECTL_132);
  await k.ok(['create', 'namespace', NS]);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl JSON output, asserted field by field
type Json = Record<string, any>;
const getJson = async (...args: string[]): Promise<Json> =>
  JSON.parse(await k.ok(['get', ...args, '-n', NS, '-o', 'json'])) as Json;
const envNames = (d: Json): string[] =>
  (d.spec.template.spec.containers[0].env as { name: string }[]).map((e) => e.name);

function deployment(opts: { labels: string; image: string; env: [string, string][]; replicas?: number }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels: {${opts.labels}}
spec:
  replicas: ${opts.replicas ?? 2}
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: shop
        image: ${opts.image}
        env:
${opts.env.map(([n, v]) => `        - {name: ${n}, value: "${v}"}`).join('\n')}
`;
}

describe('apply -f twice', () => {
  const v1 = deployment({
    labels: 'app: shop, tier: front',
    image: 'shop:1.0',
    env: [
      ['A', '1'],
      ['B', '2'],
      ['C', '3'],
    ],
  });
  const v2 = deployment({
    labels: 'app: shop',
    image: 'shop:1.1',
    env: [
      ['C', '30'],
      ['A', '1'],
      ['D', '4'],
    ],
    replicas: 3,
  });

  it("creates, then merges three ways: removed fields go, others' fields stay, file order is kept", async () => {
    expect(await k.ok(['apply', '-n', NS, '-f', '-'], { stdin: v1 })).toBe('deployment.apps/shop created\n');
    const first = await getJson('deployment', 'shop');
    expect(first.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"tier":"front"');
    expect(envNames(first)).toEqual(['A', 'B', 'C']);

    // Someone else adds a label and an env var; apply must not take them away.
    await k.ok([
      'patch',
      'deployment',
      'shop',
      '-n',
      NS,
      '-p',
      '{"metadata":{"labels":{"owner":"ops"}},"spec":{"template":{"spec":{"containers":[{"name":"shop","env":[{"name":"EXTRA","value":"x"}]}]}}}}',
    ]);
    // A strategic patch without $setElementOrder puts new list elements first, as Kubernetes does.
    expect(envNames(await getJson('deployment', 'shop'))).toEqual(['EXTRA', 'A', 'B', 'C']);

    const diff = await k.run(['diff', '-n', NS, '-f', '-'], { stdin: v2 });
    expect(diff.code).toBe(1); // 1 = differences found
    expect(diff.stdout).toMatch(/^-\s+tier: front$/m);
    expect(diff.stdout).toMatch(/^-\s+image: shop:1\.0$/m);
    expect(diff.stdout).toMatch(/^\+\s+image: shop:1\.1$/m);

    expect(await k.ok(['apply', '-n', NS, '-f', '-'], { stdin: v2 })).toBe('deployment.apps/shop configured\n');
    const d = await getJson('deployment', 'shop');
    expect(d.metadata.labels).toEqual({ app: 'shop', owner: 'ops' });
    expect(d.spec.replicas).toBe(3);
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe('shop:1.1');
    expect(c.env).toEqual([
      { name: 'EXTRA', value: 'x' },
      { name: 'C', value: '30' },
      { name: 'A', value: '1' },
      { name: 'D', value: '4' },
    ]);
    expect(d.metadata.generation).toBe(3);

    const same = await k.run(['diff', '-n', NS, '-f', '-'], { stdin: v2 });
    expect(same).toMatchObject({ code: 0, stdout: '' });
    // EXTRA (not in the file) makes the live env list differ in length from the file's, so kubectl
    // sends a $setElementOrder patch and says "configured"; the server finds nothing to change.
    expect(await k.ok(['apply', '-n', NS, '-f', '-'], { stdin: v2 })).toBe('deployment.apps/shop configured\n');
    // The spec is untouched (the Deployment controller may still write status meanwhile).
    const after = await getJson('deployment', 'shop');
    expect(after.metadata.generation).toBe(3);
    expect(after.spec).toEqual(d.spec);
  });

  it('applies a multi-document file with a ConfigMap and a Service, and prunes removed keys', async () => {
    const docs = (data: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: shop-config}
data: {${data}}
---
apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  selector: {app: shop}
  ports: [{name: http, port: 80, targetPort: 8080}]
`;
    expect(await k.ok(['apply', '-n', NS, '-f', '-'], { stdin: docs('color: blue, size: L') })).toBe(
      'configmap/shop-config created\nservice/shop created\n',
    );
    const ip = (await getJson('service', 'shop')).spec.clusterIP;
    expect(await k.ok(['apply', '-n', NS, '-f', '-'], { stdin: docs('color: red') })).toBe(
      'configmap/shop-config configured\nservice/shop unchanged\n',
    );
    expect((await getJson('configmap', 'shop-config')).data).toEqual({ color: 'red' });
    expect((await getJson('service', 'shop')).spec.clusterIP).toBe(ip);
  });
});

describe('patch', () => {
  beforeAll(async () => {
    await k.ok(['create', 'deployment', 'api', '-n', NS, '--image=api:1', '--replicas=1']);
    await k.ok(['create', 'configmap', 'flags', '-n', NS, '--from-literal=a=1', '--from-literal=b=2']);
  });

  it('strategic (the default) merges containers by name and honours $patch: delete', async () => {
    await k.ok([
      'patch',
      'deployment',
      'api',
      '-n',
      NS,
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"proxy","image":"envoy:1.30"},{"name":"api","image":"api:2"}]}}}}',
    ]);
    let d = await getJson('deployment', 'api');
    expect(d.spec.template.spec.containers.map((c: Json) => `${c.name}=${c.image}`)).toEqual([
      'proxy=envoy:1.30',
      'api=api:2',
    ]);
    await k.ok([
      'patch',
      'deployment',
      'api',
      '-n',
      NS,
      '--type=strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"proxy","$patch":"delete"}]}}}}',
    ]);
    d = await getJson('deployment', 'api');
    expect(d.spec.template.spec.containers.map((c: Json) => c.name)).toEqual(['api']);
    expect(d.metadata.generation).toBe(3);
  });

  it('merge replaces lists whole and removes keys set to null', async () => {
    await k.ok([
      'patch',
      'deployment',
      'api',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"solo","image":"solo:1"}]}}}}',
    ]);
    const d = await getJson('deployment', 'api');
    expect(d.spec.template.spec.containers).toHaveLength(1);
    expect(d.spec.template.spec.containers[0]).toMatchObject({
      name: 'solo',
      image: 'solo:1',
      imagePullPolicy: 'IfNotPresent',
    });
    expect(
      await k.ok(['patch', 'configmap', 'flags', '-n', NS, '--type=merge', '-p', '{"data":{"a":null,"c":"3"}}']),
    ).toBe('configmap/flags patched\n');
    expect((await getJson('configmap', 'flags')).data).toEqual({ b: '2', c: '3' });
  });

  it('json patch applies operations in order; a failing test op changes nothing', async () => {
    const ops = [
      { op: 'replace', path: '/spec/replicas', value: 4 },
      { op: 'add', path: '/metadata/labels/track', value: 'canary' },
      { op: 'add', path: '/spec/template/spec/containers/0/args', value: ['--port=9090'] },
    ];
    await k.ok(['patch', 'deployment', 'api', '-n', NS, '--type=json', '-p', JSON.stringify(ops)]);
    const d = await getJson('deployment', 'api');
    expect(d.spec.replicas).toBe(4);
    expect(d.metadata.labels.track).toBe('canary');
    expect(d.spec.template.spec.containers[0].args).toEqual(['--port=9090']);

    const before = (await getJson('configmap', 'flags')).metadata.resourceVersion;
    const failed = await k.run([
      'patch',
      'configmap',
      'flags',
      '-n',
      NS,
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/data/b"},{"op":"test","path":"/data/c","value":"9"}]',
    ]);
    expect(failed.code).toBe(1);
    const cm = await getJson('configmap', 'flags');
    expect(cm.data).toEqual({ b: '2', c: '3' });
    expect(cm.metadata.resourceVersion).toBe(before);
    await k.ok([
      'patch',
      'configmap',
      'flags',
      '-n',
      NS,
      '--type=json',
      '-p',
      '[{"op":"test","path":"/data/c","value":"3"},{"op":"remove","path":"/data/b"}]',
    ]);
    expect((await getJson('configmap', 'flags')).data).toEqual({ c: '3' });
  });

  it('reports a no-op patch as unchanged and a wrong-typed value as an error naming the field', async () => {
    expect(await k.ok(['patch', 'configmap', 'flags', '-n', NS, '--type=merge', '-p', '{"data":{"c":"3"}}'])).toBe(
      'configmap/flags patched (no change)\n',
    );
    const bad = await k.run([
      'patch',
      'deployment',
      'api',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"spec":{"replicas":"many"}}',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('spec.replicas');
  });
});

describe('label, annotate, scale', () => {
  beforeAll(async () => {
    await k.ok(['create', 'configmap', 'tags', '-n', NS, '--from-literal=x=1']);
  });

  it('label: add, refuse to overwrite without --overwrite, overwrite, remove', async () => {
    expect(await k.ok(['label', 'configmap', 'tags', '-n', NS, 'env=staging', 'team=web'])).toBe(
      'configmap/tags labeled\n',
    );
    expect((await getJson('configmap', 'tags')).metadata.labels).toEqual({ env: 'staging', team: 'web' });
    const refused = await k.run(['label', 'configmap', 'tags', '-n', NS, 'env=prod']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("'env' already has a value (staging), and --overwrite is false");
    await k.ok(['label', 'configmap', 'tags', '-n', NS, 'env=prod', '--overwrite']);
    await k.ok(['label', 'configmap', 'tags', '-n', NS, 'team-']);
    expect((await getJson('configmap', 'tags')).metadata.labels).toEqual({ env: 'prod' });
    expect(await k.ok(['get', 'configmaps', '-n', NS, '-l', 'env=prod', '-o', 'name'])).toBe('configmap/tags\n');
    const badValue = await k.run(['label', 'configmap', 'tags', '-n', NS, 'env=has spaces', '--overwrite']);
    expect(badValue.code).toBe(1);
  });

  it('annotate: add, overwrite, remove', async () => {
    expect(await k.ok(['annotate', 'configmap', 'tags', '-n', NS, 'owner=alice', 'note=first draft'])).toBe(
      'configmap/tags annotated\n',
    );
    expect((await k.run(['annotate', 'configmap', 'tags', '-n', NS, 'owner=bob'])).code).toBe(1);
    await k.ok(['annotate', 'configmap', 'tags', '-n', NS, 'owner=bob', '--overwrite']);
    await k.ok(['annotate', 'configmap', 'tags', '-n', NS, 'note-']);
    expect((await getJson('configmap', 'tags')).metadata.annotations).toEqual({ owner: 'bob' });
  });

  it('scale a Deployment, a StatefulSet and a ReplicaSet, with --current-replicas as a precondition', async () => {
    await k.ok(['create', 'deployment', 'scaled', '-n', NS, '--image=nginx:1.27', '--replicas=1']);
    expect(await k.ok(['scale', 'deployment', 'scaled', '-n', NS, '--replicas=5'])).toBe(
      'deployment.apps/scaled scaled\n',
    );
    expect((await getJson('deployment', 'scaled')).spec.replicas).toBe(5);
    const stale = await k.run(['scale', 'deployment', 'scaled', '-n', NS, '--current-replicas=2', '--replicas=3']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('Expected replicas to be 2, was 5');
    await k.ok(['scale', 'deployment', 'scaled', '-n', NS, '--current-replicas=5', '--replicas=0']);
    expect(await k.ok(['get', 'deployment', 'scaled', '-n', NS, '-o', 'jsonpath={.spec.replicas}'])).toBe('0');

    const template = (kind: string, extra = '') => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: db}
spec:
  replicas: 1
${extra}  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:16}]
`;
    await k.ok(['create', '-n', NS, '-f', '-'], {
      stdin: `${template('StatefulSet', '  serviceName: db\n')}---\n${template('ReplicaSet')}`,
    });
    await k.ok(['scale', 'statefulset', 'db', '-n', NS, '--replicas=3']);
    await k.ok(['scale', 'replicaset', 'db', '-n', NS, '--replicas=2']);
    expect((await getJson('statefulset', 'db')).spec.replicas).toBe(3);
    expect((await getJson('replicaset', 'db')).spec.replicas).toBe(2);
    expect(await k.ok(['get', 'statefulset', 'db', '-n', NS, '--no-headers'])).toMatch(/^db\s+0\/3\s/);
  });
});
