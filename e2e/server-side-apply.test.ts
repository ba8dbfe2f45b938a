// Server-side apply and managedFields with kubectl 1.32 and client-node against a real Wharf:
// two appliers conflicting on spec.replicas and --force-conflicts, the managedFields a real
// server writes, diff --server-side, the client-side → server-side apply upgrade, removal of
// fields an applier stops sending, a custom resource with list types, and client-node's apply.
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { crdManifest, eventually, Kubectl, KUBECTL_132, sharedWharf, type WharfEndpoint } from '@wharf/testing';

const NS = 'ssa';
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
  JSON.parse(await k.ok(['get', ...args, '-n', NS, '-o', 'json', '--show-managed-fields'])) as Json;
const entries = (obj: Json): Json[] => (obj.metadata.managedFields ?? []) as Json[];
const entry = (obj: Json, manager: string, operation = 'Apply'): Json | undefined =>
  entries(obj).find((e) => e.manager === manager && e.operation === operation);
const serverSide = (manager: string, ...extra: string[]): string[] => [
  'apply',
  '--server-side',
  `--field-manager=${manager}`,
  '-n',
  NS,
  ...extra,
  '-f',
  '-',
];

function deployment(replicas: number, image = 'nginx:1.27'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`;
}

describe('two managers applying a Deployment', () => {
  it('conflicts on spec.replicas naming the other manager, then --force-conflicts takes it', async () => {
    expect(await k.ok(serverSide('a'), { stdin: deployment(1) })).toBe('deployment.apps/web serverside-applied\n');
    const conflict = await k.run(serverSide('b'), { stdin: deployment(2) });
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "a": .spec.replicas');
    expect((await getJson('deployment', 'web')).spec.replicas).toBe(1);

    await k.ok(serverSide('b', '--force-conflicts'), { stdin: deployment(2) });
    const d = await getJson('deployment', 'web');
    expect(d.spec.replicas).toBe(2);
    expect(entry(d, 'b')?.fieldsV1['f:spec']['f:replicas']).toEqual({});
    expect(entry(d, 'a')?.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
    // Both still own what they applied with the same values (shared ownership).
    expect(entry(d, 'a')?.fieldsV1['f:spec']['f:template']).toEqual(entry(d, 'b')?.fieldsV1['f:spec']['f:template']);
  });

  it('records the fields a real server records for the same apply', async () => {
    const d = await getJson('deployment', 'web');
    const a = entry(d, 'a');
    // What kube-apiserver 1.32 writes for this manifest: list-map items by key (container ports
    // keyed by containerPort and the defaulted protocol), the atomic selector as one field, "."
    // for list items that are members with children. Apply entries come before Update entries.
    expect(a).toMatchObject({ manager: 'a', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' });
    expect(a?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(a?.fieldsV1).toEqual({
      'f:spec': {
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    });
    expect(entries(d).map((e) => e.operation)).toEqual([...entries(d).map((e) => e.operation)].sort());
  });

  it("records the Deployment controller's status writes as Update entries of the status subresource", async () => {
    const d = await eventually(
      async () => {
        const got = await getJson('deployment', 'web');
        return entries(got).some((e) => e.subresource === 'status') ? got : undefined;
      },
      20_000,
      'a status entry',
    );
    const status = entries(d).find((e) => e.subresource === 'status');
    expect(status).toMatchObject({ operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' });
    expect(Object.keys(status?.fieldsV1 ?? {})).toEqual(['f:status']);
  });

  it('kubectl hides managedFields unless asked', async () => {
    const plain = await k.ok(['get', 'deployment', 'web', '-n', NS, '-o', 'yaml']);
    expect(plain).not.toContain('managedFields');
    const shown = await k.ok(['get', 'deployment', 'web', '-n', NS, '-o', 'yaml', '--show-managed-fields']);
    expect(shown).toContain('managedFields:');
    expect(shown).toContain('manager: b');
  });

  it('kubectl diff --server-side shows the change and persists nothing', async () => {
    const before = await getJson('deployment', 'web');
    // The image is shared by a and b (both applied it), so changing it needs --force-conflicts.
    const diff = await k.run(['diff', '--server-side', '--force-conflicts', '--field-manager=b', '-n', NS, '-f', '-'], {
      stdin: deployment(2, 'nginx:1.28'),
    });
    expect(diff.stderr).toBe('');
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^-\s+- image: nginx:1\.27$/m);
    expect(diff.stdout).toMatch(/^\+\s+- image: nginx:1\.28$/m);
    const after = await getJson('deployment', 'web');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    // A dry-run conflict is still a conflict (kubectl retries 409s, then reports it).
    const conflict = await k.run(['diff', '--server-side', '--field-manager=c', '-n', NS, '-f', '-'], {
      stdin: deployment(7),
    });
    expect(conflict.stderr).toContain('conflict with "b": .spec.replicas');
  });

  it('client-side kubectl diff keeps working', async () => {
    const diff = await k.run(['diff', '-n', NS, '-f', '-'], { stdin: deployment(2, 'nginx:1.29') });
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^\+\s+- image: nginx:1\.29$/m);
  });
});

describe('managedFields of non-apply writes', () => {
  it('records kubectl-create, then kubectl-label as Update entries with the docs shape', async () => {
    await k.ok(['create', 'configmap', 'made', '-n', NS, '--from-literal=key=v']);
    await k.ok(['label', 'configmap', 'made', '-n', NS, 'tier=db']);
    const cm = await getJson('configmap', 'made');
    expect(entry(cm, 'kubectl-create', 'Update')).toMatchObject({
      apiVersion: 'v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { '.': {}, 'f:key': {} } },
    });
    expect(entry(cm, 'kubectl-label', 'Update')?.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { '.': {}, 'f:tier': {} } },
    });
  });

  it('records kubectl-create for a Deployment with the fields defaulting filled, as a real server does', async () => {
    await k.ok(['create', 'deployment', 'made', '-n', NS, '--image=nginx']);
    const d = await getJson('deployment', 'made');
    // Captured from kube-apiserver 1.32 for `kubectl create deployment made --image=nginx`.
    expect(entry(d, 'kubectl-create', 'Update')?.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:progressDeadlineSeconds': {},
        'f:replicas': {},
        'f:revisionHistoryLimit': {},
        'f:selector': {},
        'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} }, 'f:type': {} },
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {},
                'f:image': {},
                'f:imagePullPolicy': {},
                'f:name': {},
                'f:resources': {},
                'f:terminationMessagePath': {},
                'f:terminationMessagePolicy': {},
              },
            },
            'f:dnsPolicy': {},
            'f:restartPolicy': {},
            'f:schedulerName': {},
            'f:securityContext': {},
            'f:terminationGracePeriodSeconds': {},
          },
        },
      },
    });
  });

  it('records kubectl-set and kubectl-edit, taking the fields they changed from kubectl-create', async () => {
    await k.ok(['set', 'image', 'deployment/made', '-n', NS, 'nginx=nginx:1.27']);
    const edit = await k.run(['edit', 'deployment', 'made', '-n', NS], {
      env: { KUBE_EDITOR: 'sed -i s/progressDeadlineSeconds:.*/progressDeadlineSeconds:\\ 300/' },
    });
    expect(edit.stderr).toBe('');
    const d = await getJson('deployment', 'made');
    expect(d.spec.progressDeadlineSeconds).toBe(300);
    const containers = 'f:containers';
    expect(entry(d, 'kubectl-set', 'Update')?.fieldsV1).toEqual({
      'f:spec': { 'f:template': { 'f:spec': { [containers]: { 'k:{"name":"nginx"}': { 'f:image': {} } } } } },
    });
    expect(entry(d, 'kubectl-edit', 'Update')?.fieldsV1).toEqual({ 'f:spec': { 'f:progressDeadlineSeconds': {} } });
    const created = entry(d, 'kubectl-create', 'Update')?.fieldsV1['f:spec'];
    expect(created['f:progressDeadlineSeconds']).toBeUndefined();
    expect(created['f:template']['f:spec'][containers]['k:{"name":"nginx"}']['f:image']).toBeUndefined();
  });

  it('refuses a fieldManager longer than 128 bytes', async () => {
    const r = await k.run(['create', 'configmap', 'long', '-n', NS, `--field-manager=${'m'.repeat(129)}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('fieldManager: Too long: may not be more than 128 bytes');
  });
});

describe('the upstream docs example', () => {
  it('a ConfigMap applied by kubectl has exactly the documented managedFields', async () => {
    const manifest =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: test-cm\n  labels:\n    test-label: test\ndata:\n  key: some value\n';
    await k.ok(['apply', '--server-side', '-n', NS, '-f', '-'], { stdin: manifest });
    const cm = await getJson('configmap', 'test-cm');
    // From kubernetes.io/docs/reference/using-api/server-side-apply ("Field management"):
    const documented = {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:test-label': {} } }, 'f:data': { 'f:key': {} } },
    };
    expect(entries(cm)).toHaveLength(1);
    expect({ ...entries(cm)[0], time: undefined }).toEqual({ ...documented, time: undefined });
  });
});

describe('fields an applier stops sending', () => {
  it('are removed, unless another manager owns them', async () => {
    const cm = (data: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pruned\ndata:\n${data}`;
    await k.ok(serverSide('x'), { stdin: cm('  a: "1"\n  b: "2"\n  c: "3"\n') });
    await k.ok(serverSide('y'), { stdin: cm('  c: "3"\n') });
    await k.ok(serverSide('x'), { stdin: cm('  a: "1"\n') });
    expect((await getJson('configmap', 'pruned')).data).toEqual({ a: '1', c: '3' });
  });
});

describe('client-side apply, then server-side apply (the upgrade)', () => {
  it('kubectl apply --server-side takes over what kubectl apply set, without conflicts', async () => {
    const cm = (v: string): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: upgraded\n  labels: {app: up}\ndata:\n  key: "${v}"\n`;
    await k.ok(['apply', '-n', NS, '-f', '-'], { stdin: cm('1') });
    expect(entry(await getJson('configmap', 'upgraded'), 'kubectl-client-side-apply', 'Update')).toBeDefined();
    await k.ok(['apply', '--server-side', '-n', NS, '-f', '-'], { stdin: cm('2') });
    const after = await getJson('configmap', 'upgraded');
    expect(after.data.key).toBe('2');
    expect(entry(after, 'kubectl')?.fieldsV1['f:data']).toEqual({ 'f:key': {} });
    expect(
      JSON.parse(after.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] as string).data.key,
    ).toBe('2');
    // And back: client-side apply still works on the object.
    await k.ok(['apply', '-n', NS, '-f', '-'], { stdin: cm('3') });
    expect((await getJson('configmap', 'upgraded')).data.key).toBe('3');
  });
});

describe('a custom resource', () => {
  it("merges by its schema's x-kubernetes-list-type and records the fields", async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: crdManifest({
        group: 'ssa.example.com',
        kind: 'Gadget',
        spec: {
          properties: {
            tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
            ports: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['name'],
              items: {
                type: 'object',
                required: ['name'],
                properties: { name: { type: 'string' }, port: { type: 'integer' } },
              },
            },
          },
        },
      }),
    });
    await eventually(
      async () => ((await k.run(['get', 'gadgets', '-n', NS])).code === 0 ? true : undefined),
      20_000,
      'gadgets served',
    );
    const gadget = (tags: string, ports: string): string =>
      `apiVersion: ssa.example.com/v1\nkind: Gadget\nmetadata:\n  name: g\nspec:\n  tags: [${tags}]\n  ports: [${ports}]\n`;
    await k.ok(serverSide('one'), { stdin: gadget('a', '{name: http, port: 80}') });
    await k.ok(serverSide('two'), { stdin: gadget('b', '{name: grpc, port: 9090}') });
    const g = await getJson('gadget', 'g');
    expect(g.spec.tags).toEqual(['a', 'b']);
    expect(g.spec.ports).toEqual([
      { name: 'http', port: 80 },
      { name: 'grpc', port: 9090 },
    ]);
    expect(entry(g, 'two')?.fieldsV1).toEqual({
      'f:spec': {
        'f:ports': { 'k:{"name":"grpc"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
        'f:tags': { 'v:"b"': {} },
      },
    });
    const conflict = await k.run(serverSide('two'), { stdin: gadget('b', '{name: http, port: 81}') });
    expect(conflict.stderr).toContain('conflict with "one": .spec.ports[name="http"].port');
  });
});

describe('client-node', () => {
  it('applies with PatchStrategy.ServerSideApply, creating then updating', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const body = (v: string): V1ConfigMap => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'node-applied', namespace: NS },
      data: { v },
    });
    const opts = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const created = await core.patchNamespacedConfigMap(
      { name: 'node-applied', namespace: NS, body: body('1'), fieldManager: 'my-controller' },
      opts,
    );
    expect(created.data).toEqual({ v: '1' });
    expect(created.metadata?.managedFields?.[0]).toMatchObject({
      manager: 'my-controller',
      operation: 'Apply',
      fieldsV1: { 'f:data': { 'f:v': {} } },
    });
    const updated = await core.patchNamespacedConfigMap(
      { name: 'node-applied', namespace: NS, body: body('2'), fieldManager: 'my-controller' },
      opts,
    );
    expect(updated.data).toEqual({ v: '2' });
    await expect(
      core.patchNamespacedConfigMap({ name: 'node-applied', namespace: NS, body: body('3') }, opts),
    ).rejects.toThrow(/fieldManager: Required value/);
  });

  it("applies a Scale: the scale subresource owns spec.replicas, conflicting with the Deployment's appliers", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    const apps = kc.makeApiClient(AppsV1Api);
    const opts = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const scale = (replicas: number) => ({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web', namespace: NS },
      spec: { replicas },
    });
    await expect(
      apps.patchNamespacedDeploymentScale(
        { name: 'web', namespace: NS, body: scale(4), fieldManager: 'autoscaler' },
        opts,
      ),
    ).rejects.toThrow(/Apply failed with 1 conflict: conflict with \W+b\W+: \.spec\.replicas/);
    const s = await apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: NS, body: scale(4), fieldManager: 'autoscaler', force: true },
      opts,
    );
    expect(s.spec?.replicas).toBe(4);
    const d = await getJson('deployment', 'web');
    expect(d.spec.replicas).toBe(4);
    expect(entries(d).find((e) => e.manager === 'autoscaler')).toMatchObject({
      operation: 'Apply',
      apiVersion: 'apps/v1',
      subresource: 'scale',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    });
  });
});
