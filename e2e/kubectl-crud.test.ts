// kubectl 1.32 against a real Wharf: create/get/describe/delete of every built-in kind, the
// generator subcommands (which send protobuf), and the output formats and selectors of `get`.
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, KINDS, Kubectl, KUBECTL_132, RawApi, sharedWharf, type WharfEndpoint } from '@wharf/testing';

const NS = 'crud';
let wharf: WharfEndpoint;
let k: Kubectl;

beforeAll(async () => {
  wharf = await sharedWharf(); // the run's control plane, shared with the other kubectl suites
  k = new Kubectl(wharf.kubeconfig, KUBECTL_132);
  await k.ok(['create', 'namespace', NS]);
});

/** The header line of kubectl's table output, split into columns. */
function header(out: string): string[] {
  return (out.split('\n')[0] ?? '').trim().split(/\s{2,}/);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl JSON output, asserted field by field
function json<T = Record<string, any>>(text: string): T {
  return JSON.parse(text) as T;
}

describe('every kind: create -f -, get, describe, delete', () => {
  it.each(KINDS.map((c) => [c.resource, c] as const))('%s', async (_r, c) => {
    const ns = c.namespaced ? ['-n', NS] : [];
    const created = await k.ok(['create', '-f', '-', ...ns], { stdin: c.manifest });
    expect(created).toMatch(/ created\n$/);

    const got = await k.ok(['get', c.resource, c.name, ...ns]);
    expect(header(got)).toEqual(c.columns);
    const row = got.split('\n')[1] ?? '';
    if (c.columns[0] === 'NAME') expect(row.startsWith(c.name)).toBe(true);
    if (typeof c.cell === 'string') expect(row).toContain(c.cell);
    else if (c.cell) expect(row).toMatch(c.cell);

    const described = await k.ok(['describe', c.resource, c.name, ...ns]);
    expect(described).toContain(c.name);

    const deleted = await k.ok(['delete', c.resource, c.name, ...ns]);
    expect(deleted).toContain('deleted');
    const gone = await k.run(['get', c.resource, c.name, ...ns]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('(NotFound)');
  });
});

describe('generator subcommands (protobuf request bodies)', () => {
  const G = 'gen';
  beforeAll(async () => {
    await k.ok(['create', 'namespace', G]);
  });
  const get = async (args: string[]) => json(await k.ok(['get', ...args, '-n', G, '-o', 'json']));

  it('create namespace', async () => {
    await k.ok(['create', 'namespace', 'gen-made']);
    const ns = json(await k.ok(['get', 'namespace', 'gen-made', '-o', 'json']));
    expect(ns.status.phase).toBe('Active');
    expect(ns.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('create configmap and secret generic', async () => {
    await k.ok([
      'create',
      'configmap',
      'gen-cm',
      '-n',
      G,
      '--from-literal=LOG_LEVEL=debug',
      '--from-literal=REGION=eu-west',
    ]);
    expect((await get(['configmap', 'gen-cm'])).data).toEqual({ LOG_LEVEL: 'debug', REGION: 'eu-west' });
    await k.ok(['create', 'secret', 'generic', 'gen-secret', '-n', G, '--from-literal=password=hunter2']);
    const s = await get(['secret', 'gen-secret']);
    expect(s.type).toBe('Opaque');
    expect(Buffer.from(s.data.password, 'base64').toString()).toBe('hunter2');
  });

  it('create deployment', async () => {
    await k.ok(['create', 'deployment', 'gen-deploy', '-n', G, '--image=nginx:1.27', '--replicas=2', '--port=80']);
    const d = await get(['deployment', 'gen-deploy']);
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.selector.matchLabels).toEqual({ app: 'gen-deploy' });
    expect(d.spec.template.spec.containers[0]).toMatchObject({
      name: 'nginx',
      image: 'nginx:1.27',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
    });
    expect(d.spec.strategy.type).toBe('RollingUpdate');
  });

  it('create service clusterip', async () => {
    await k.ok(['create', 'service', 'clusterip', 'gen-svc', '-n', G, '--tcp=80:8080']);
    const s = await get(['service', 'gen-svc']);
    expect(s.spec.type).toBe('ClusterIP');
    expect(s.spec.ports[0]).toMatchObject({ port: 80, targetPort: 8080, protocol: 'TCP' });
    expect(s.spec.selector).toEqual({ app: 'gen-svc' });
    expect(s.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('create job and cronjob', async () => {
    await k.ok(['create', 'job', 'gen-job', '-n', G, '--image=busybox:1.36', '--', 'echo', 'hello']);
    const j = await get(['job', 'gen-job']);
    expect(j.spec.template.spec.containers[0]).toMatchObject({ image: 'busybox:1.36', command: ['echo', 'hello'] });
    expect(j.spec.template.spec.restartPolicy).toBe('Never');
    await k.ok([
      'create',
      'cronjob',
      'gen-cron',
      '-n',
      G,
      '--image=busybox:1.36',
      '--schedule=*/5 * * * *',
      '--',
      'date',
    ]);
    const c = await get(['cronjob', 'gen-cron']);
    expect(c.spec.schedule).toBe('*/5 * * * *');
    expect(c.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(['date']);
  });

  it('create role, rolebinding and serviceaccount', async () => {
    await k.ok(['create', 'serviceaccount', 'gen-sa', '-n', G]);
    expect((await get(['serviceaccount', 'gen-sa'])).metadata.name).toBe('gen-sa');
    await k.ok(['create', 'role', 'gen-role', '-n', G, '--verb=get,list', '--resource=pods,deployments.apps']);
    const r = await get(['role', 'gen-role']);
    expect(r.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
    ]);
    await k.ok(['create', 'rolebinding', 'gen-rb', '-n', G, '--role=gen-role', `--serviceaccount=${G}:gen-sa`]);
    const rb = await get(['rolebinding', 'gen-rb']);
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gen-role' });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'gen-sa', namespace: G }]);
  });

  it('create quota and poddisruptionbudget', async () => {
    await k.ok(['create', 'quota', 'gen-quota', '-n', G, '--hard=pods=5,requests.cpu=2,requests.memory=1Gi']);
    expect((await get(['resourcequota', 'gen-quota'])).spec.hard).toEqual({
      pods: '5',
      'requests.cpu': '2',
      'requests.memory': '1Gi',
    });
    await k.ok(['create', 'poddisruptionbudget', 'gen-pdb', '-n', G, '--selector=app=web', '--min-available=50%']);
    const p = await get(['pdb', 'gen-pdb']);
    expect(p.spec.minAvailable).toBe('50%');
    expect(p.spec.selector.matchLabels).toEqual({ app: 'web' });
  });

  it('create ingress and priorityclass', async () => {
    await k.ok(['create', 'ingress', 'gen-ing', '-n', G, '--class=wharf', '--rule=shop.example.com/api*=api:8080']);
    const i = await get(['ingress', 'gen-ing']);
    expect(i.spec.ingressClassName).toBe('wharf');
    expect(i.spec.rules[0].host).toBe('shop.example.com');
    expect(i.spec.rules[0].http.paths[0]).toEqual({
      path: '/api',
      pathType: 'Prefix',
      backend: { service: { name: 'api', port: { number: 8080 } } },
    });
    await k.ok([
      'create',
      'priorityclass',
      'gen-pc',
      '--value=1000',
      '--description=batch work',
      '--preemption-policy=Never',
    ]);
    const pc = json(await k.ok(['get', 'priorityclass', 'gen-pc', '-o', 'json']));
    expect(pc).toMatchObject({ value: 1000, description: 'batch work', preemptionPolicy: 'Never' });
    expect(pc.globalDefault ?? false).toBe(false);
  });
});

describe('get: output formats and selectors', () => {
  const O = 'out';
  beforeAll(async () => {
    await k.ok(['create', 'namespace', O]);
    const pods = [
      { name: 'api-1', tier: 'backend', node: 'node-b', cpu: '300m' },
      { name: 'api-2', tier: 'backend', node: 'node-a', cpu: '100m' },
      { name: 'web-1', tier: 'frontend', node: 'node-a', cpu: '200m' },
    ];
    const docs = pods.map(
      (p) => `apiVersion: v1
kind: Pod
metadata:
  name: ${p.name}
  labels: {tier: ${p.tier}}
spec:
  nodeName: ${p.node}
  containers:
  - name: main
    image: nginx:1.27
    resources: {requests: {cpu: ${p.cpu}}}`,
    );
    await k.ok(['create', '-n', O, '-f', '-'], { stdin: docs.join('\n---\n') });
  });
  const get = (...args: string[]) => k.ok(['get', 'pods', '-n', O, ...args]);

  it('-o json and -o yaml', async () => {
    const list = json(await get('-o', 'json'));
    expect(list.kind).toBe('List');
    expect(list.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(['api-1', 'api-2', 'web-1']);
    const yaml = await k.ok(['get', 'pod', 'api-1', '-n', O, '-o', 'yaml']);
    expect(yaml).toMatch(/^apiVersion: v1\nkind: Pod\n/);
    expect(yaml).toContain('  name: api-1\n');
    expect(yaml).toContain('nodeName: node-b');
  });

  it('-o jsonpath, custom-columns and name', async () => {
    expect(await get('-o', 'jsonpath={.items[*].metadata.name}')).toBe('api-1 api-2 web-1');
    expect(await get('-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName}{"\\n"}{end}')).toBe(
      'api-1=node-b\napi-2=node-a\nweb-1=node-a\n',
    );
    const cc = await get(
      '-o',
      'custom-columns=NAME:.metadata.name,TIER:.metadata.labels.tier,CPU:.spec.containers[0].resources.requests.cpu',
    );
    expect(
      cc
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)),
    ).toEqual([
      ['NAME', 'TIER', 'CPU'],
      ['api-1', 'backend', '300m'],
      ['api-2', 'backend', '100m'],
      ['web-1', 'frontend', '200m'],
    ]);
    expect(await get('-o', 'name')).toBe('pod/api-1\npod/api-2\npod/web-1\n');
  });

  it('-o wide shows the priority columns', async () => {
    const out = await get('-o', 'wide');
    expect(header(out)).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(out.split('\n')[1]).toMatch(/^api-1\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+node-b\s+<none>\s+<none>/);
  });

  it('--sort-by', async () => {
    expect(await get('--sort-by=.spec.nodeName', '-o', 'name')).toMatch(
      /^pod\/api-2\npod\/web-1\npod\/api-1\n$|^pod\/web-1\npod\/api-2\npod\/api-1\n$/,
    );
    const byCpu = await get('--sort-by=.spec.containers[0].resources.requests.cpu');
    expect(
      byCpu
        .split('\n')
        .slice(1, 4)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['api-2', 'web-1', 'api-1']);
  });

  it('-l and --field-selector', async () => {
    expect(await get('-l', 'tier=backend', '-o', 'name')).toBe('pod/api-1\npod/api-2\n');
    expect(await get('-l', 'tier in (frontend,cache)', '-o', 'name')).toBe('pod/web-1\n');
    expect(await get('-l', 'tier!=backend', '-o', 'name')).toBe('pod/web-1\n');
    expect(await get('--field-selector', 'spec.nodeName=node-a', '-o', 'name')).toBe('pod/api-2\npod/web-1\n');
    expect(await get('--field-selector', 'spec.nodeName=node-a,metadata.name!=web-1', '-o', 'name')).toBe(
      'pod/api-2\n',
    );
    const none = await k.run(['get', 'pods', '-n', O, '-l', 'tier=db']);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain(`No resources found in ${O} namespace.`);
    const bad = await k.run(['get', 'pods', '-n', O, '--field-selector', 'spec.image=nginx']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('field label not supported: spec.image');
  });
});

describe('request bodies', () => {
  it("create --raw of a Pod manifest to the namespaces collection: the real server's message", async () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: busybox:1}]}\n';
    const r = await k.run(['create', '--raw', '/api/v1/namespaces', '-f', '-'], { stdin: pod });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the object provided is unrecognized (must be of type Namespace)');
  });

  it('a YAML body (Content-Type: application/yaml) creates and replaces', async () => {
    const cm = (v: string): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml}\ndata: {v: "${v}"}\n`;
    await k.ok(['create', 'namespace', 'yaml-bodies']);
    const api = RawApi.fromKubeconfig(wharf.kubeconfig);
    const path = '/api/v1/namespaces/yaml-bodies/configmaps';
    expect((await api.post(path, cm('1'), { contentType: 'application/yaml' })).status).toBe(201);
    expect((await api.put(`${path}/from-yaml`, cm('2'), { contentType: 'application/yaml' })).status).toBe(200);
    expect(await k.ok(['get', 'configmap', 'from-yaml', '-n', 'yaml-bodies', '-o', 'jsonpath={.data.v}'])).toBe('2');
  });
});

describe('--dry-run=server persists nothing', () => {
  const A = 'dry-a';
  const B = 'dry-b';
  beforeAll(async () => {
    for (const ns of [A, B]) {
      await k.ok(['create', 'namespace', ns]);
      await k.ok(['create', 'configmap', 'keep', '-n', ns, '--from-literal=k=v']);
      await k.ok(['label', 'configmap', 'keep', '-n', ns, 'app=x']);
    }
    await k.ok(['create', 'deployment', 'web', '-n', A, '--image=busybox:1', '--replicas=2']);
  });
  const names = async (): Promise<string> =>
    k.ok([
      'get',
      'configmaps',
      '-A',
      '-l',
      'app=x',
      '-o',
      'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}',
    ]);

  it('delete -l --all-namespaces (kubectl sends dryRun in the DeleteOptions body): every object stays', async () => {
    const out = await k.ok(['delete', 'configmaps', '-l', 'app=x', '--all-namespaces', '--dry-run=server']);
    expect(out).toContain('configmap "keep" deleted (server dry run)');
    expect(await names()).toBe(`${A}/keep ${B}/keep `);
  });

  it('delete of one object, --all, a namespace and a Deployment (foreground): all stay', async () => {
    const before = await k.ok(['get', 'configmap', 'keep', '-n', A, '-o', 'jsonpath={.metadata.resourceVersion}']);
    await k.ok(['delete', 'configmap', 'keep', '-n', A, '--dry-run=server']);
    await k.ok(['delete', 'configmaps', '--all', '-n', B, '--dry-run=server']);
    await k.ok(['delete', 'namespace', B, '--dry-run=server']);
    await k.ok(['delete', 'deployment', 'web', '-n', A, '--cascade=foreground', '--dry-run=server']);
    expect(await names()).toBe(`${A}/keep ${B}/keep `);
    expect(await k.ok(['get', 'configmap', 'keep', '-n', A, '-o', 'jsonpath={.metadata.resourceVersion}'])).toBe(
      before,
    );
    expect(await k.ok(['get', 'namespace', B, '-o', 'jsonpath={.status.phase}'])).toBe('Active');
    const deploy = JSON.parse(await k.ok(['get', 'deployment', 'web', '-n', A, '-o', 'json'])) as {
      metadata: { deletionTimestamp?: string };
    };
    expect(deploy.metadata.deletionTimestamp).toBeUndefined();
  });

  it('scale, label and set image with --dry-run=server change nothing', async () => {
    const spec = async (): Promise<string> =>
      k.ok([
        'get',
        'deployment',
        'web',
        '-n',
        A,
        '-o',
        'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.metadata.labels}',
      ]);
    const before = await spec();
    expect(await k.ok(['scale', 'deployment', 'web', '-n', A, '--replicas=5', '--dry-run=server'])).toContain(
      '(server dry run)',
    );
    await k.ok(['label', 'deployment', 'web', '-n', A, 'tier=web', '--dry-run=server']);
    await k.ok(['set', 'image', 'deployment/web', '-n', A, 'busybox=busybox:2', '--dry-run=server']);
    expect(await spec()).toBe(before);
  });
});

describe('Warning events the controllers owe', () => {
  it('a CronJob whose schedule never comes (February 30) gets Warning InvalidSchedule and no Job', async () => {
    await k.ok(['create', 'namespace', 'cron-never']);
    await k.ok([
      'create',
      'cronjob',
      'never',
      '-n',
      'cron-never',
      '--image=busybox:1',
      '--schedule=0 0 30 2 *',
      '--',
      'true',
    ]);
    const line = await eventually(
      async () => {
        const out = await k.ok(['get', 'events', '-n', 'cron-never', '--field-selector', 'involvedObject.name=never']);
        return out.split('\n').find((l) => l.includes('InvalidSchedule'));
      },
      30_000,
      'InvalidSchedule event',
    );
    expect(line).toMatch(
      /Warning\s+InvalidSchedule\s+cronjob\/never\s+invalid schedule: 0 0 30 2 \* : time difference between two schedules is less than 1 second/,
    );
    expect(await k.ok(['get', 'jobs', '-n', 'cron-never', '-o', 'name'])).toBe('');
  });
});
