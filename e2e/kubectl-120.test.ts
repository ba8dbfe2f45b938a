// kubectl 1.20 (Debian's kubernetes-client, unpacked by `scripts/setup.sh --test`) against a real
// Wharf: legacy discovery only, server-side Tables, create -f, client-side apply with a 3-way
// strategic merge, label, annotate, scale and delete.
//
// 1.20 validates create/apply on the client against /openapi/v2 in gnostic protobuf (its default
// `--validate=true`), and `kubectl explain` reads the same document: both work as against a real
// server, for every built-in kind.
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KINDS, Kubectl, KUBECTL_120, sharedWharf, type WharfEndpoint } from '@wharf/testing';

const NS = 'old-kubectl';
let wharf: WharfEndpoint;
let k: Kubectl;

function deployment(image: string, env: Record<string, string>): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c1
        image: ${image}
        env:
${Object.entries(env)
  .map(([n, v]) => `        - {name: ${n}, value: "${v}"}`)
  .join('\n')}
`;
}

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ${NS}}
data: {mode: fast}
`;

/** The header line of kubectl's table output, split into columns. */
function header(out: string): string[] {
  return (out.split('\n')[0] ?? '').trim().split(/\s{2,}/);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl JSON output, asserted field by field
async function getJson(args: string[]): Promise<Record<string, any>> {
  return JSON.parse(await k.ok(['get', ...args, '-n', NS, '-o', 'json'])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

beforeAll(async () => {
  if (!existsSync(KUBECTL_120))
    throw new Error(`kubectl 1.20 is missing at ${KUBECTL_120}: run "bash scripts/setup.sh --test"`);
  wharf = await sharedWharf(); // the run's control plane, shared with the other kubectl suites
  k = new Kubectl(wharf.kubeconfig, KUBECTL_120);
  await k.ok(['create', 'namespace', NS]);
});

describe('kubectl 1.20', () => {
  it('is really 1.20', async () => {
    expect(await k.ok(['version', '--client', '--short'])).toContain('v1.20.');
  });

  it('get namespaces prints the server-side Table', async () => {
    const out = await k.ok(['get', 'namespaces']);
    expect(header(out)).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(out).toMatch(/^default\s+Active\s+\d+[smhd]/m); // the shared cluster may be minutes old
    expect(out).toMatch(/^kube-system\s+Active/m);
  });

  it('validates on the client with /openapi/v2: an unknown field is refused before anything is sent', async () => {
    const r = await k.run(['create', '-f', '-'], {
      stdin: CONFIGMAP.replace('data: {mode', 'dataa: {x: y}\ndata: {mode'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error validating data: ValidationError(ConfigMap): unknown field "dataa" in ');
    expect((await k.run(['get', 'configmap', 'settings', '-n', NS])).code).toBe(1);
  });

  it('accepts a manifest of every built-in kind with its default validation (server dry run)', async () => {
    const refused: string[] = [];
    for (const kind of KINDS) {
      const r = await k.run(['create', '-f', '-', '--dry-run=server', ...(kind.namespaced ? ['-n', NS] : [])], {
        stdin: kind.manifest,
      });
      if (r.code !== 0) refused.push(`${kind.resource}: ${r.stderr.trim()}`);
    }
    expect(refused).toEqual([]);
  });

  it('explain reads the schema of a field', async () => {
    expect(await k.ok(['explain', 'deployment.spec.replicas'])).toMatch(
      /^KIND:\s+Deployment\nVERSION:\s+apps\/v1\n\nFIELD:\s+replicas <integer>/,
    );
  });

  it('create -f creates several objects and get shows their columns', async () => {
    const out = await k.ok(['create', '-f', '-'], {
      stdin: `${CONFIGMAP}---\n${deployment('nginx:1', { A: '1', B: '2' })}`,
    });
    expect(out).toBe('configmap/settings created\ndeployment.apps/web created\n');

    const cms = await k.ok(['get', 'configmaps', '-n', NS]);
    expect(header(cms)).toEqual(['NAME', 'DATA', 'AGE']);
    expect(cms).toMatch(/^settings\s+1\s/m);
    const deploys = await k.ok(['get', 'deployments', '-n', NS, '-o', 'wide']);
    expect(header(deploys)).toEqual([
      'NAME',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
    ]);
    // The Deployment controller runs: UP-TO-DATE may already count the new pods (none can run here).
    expect(deploys).toMatch(/^web\s+0\/2\s+[02]\s+0\s+\S+\s+c1\s+nginx:1\s+app=web/m);

    const again = await k.run(['create', '-f', '-'], { stdin: CONFIGMAP });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('configmaps "settings" already exists');
  });

  it('apply creates, applies a change with a 3-way strategic merge, then reports unchanged', async () => {
    await k.ok(['delete', 'deployment', 'web', '-n', NS]);
    const first = await k.ok(['apply', '-f', '-'], { stdin: deployment('nginx:1', { A: '1', B: '2' }) });
    expect(first).toBe('deployment.apps/web created\n');
    // A change made outside the file survives the next apply (that is the 3-way part).
    await k.ok(['patch', 'deployment', 'web', '-n', NS, '--type=merge', '-p', '{"spec":{"minReadySeconds":7}}']);

    const second = await k.ok(['apply', '-f', '-'], { stdin: deployment('nginx:2', { A: '1', B: '3', C: '4' }) });
    expect(second).toBe('deployment.apps/web configured\n');
    const d = await getJson(['deployment', 'web']);
    const c1 = d.spec.template.spec.containers[0];
    expect(c1.image).toBe('nginx:2');
    expect(c1.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '3' },
      { name: 'C', value: '4' },
    ]);
    expect(d.spec.minReadySeconds).toBe(7);
    expect(d.metadata.generation).toBe(3);
    const lastApplied = JSON.parse(
      d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] as string,
    );
    expect(lastApplied.spec.template.spec.containers[0].image).toBe('nginx:2');

    // Dropping an env entry from the file removes it from the live object.
    await k.ok(['apply', '-f', '-'], { stdin: deployment('nginx:2', { A: '1', C: '4' }) });
    const d2 = await getJson(['deployment', 'web']);
    expect(d2.spec.template.spec.containers[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'C', value: '4' },
    ]);

    const same = await k.ok(['apply', '-f', '-'], { stdin: deployment('nginx:2', { A: '1', C: '4' }) });
    expect(same).toBe('deployment.apps/web unchanged\n');
  });

  it('label and annotate add, overwrite and remove', async () => {
    await k.ok(['label', 'configmap', 'settings', '-n', NS, 'tier=front']);
    await k.ok(['annotate', 'configmap', 'settings', '-n', NS, 'owner=alice']);
    const refused = await k.run(['label', 'configmap', 'settings', '-n', NS, 'tier=back']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("'tier' already has a value (front)");
    await k.ok(['label', 'configmap', 'settings', '-n', NS, 'tier=back', '--overwrite']);
    await k.ok(['annotate', 'configmap', 'settings', '-n', NS, 'owner=bob', '--overwrite']);
    let cm = await getJson(['configmap', 'settings']);
    expect(cm.metadata.labels).toEqual({ tier: 'back' });
    expect(cm.metadata.annotations).toEqual({ owner: 'bob' });
    expect(await k.ok(['get', 'configmaps', '-n', NS, '-l', 'tier=back', '-o', 'name'])).toBe('configmap/settings\n');

    await k.ok(['label', 'configmap', 'settings', '-n', NS, 'tier-']);
    await k.ok(['annotate', 'configmap', 'settings', '-n', NS, 'owner-']);
    cm = await getJson(['configmap', 'settings']);
    expect(cm.metadata.labels ?? {}).toEqual({});
    expect(cm.metadata.annotations ?? {}).toEqual({});
  });

  it('scale changes replicas through the scale subresource', async () => {
    expect(await k.ok(['scale', 'deployment', 'web', '-n', NS, '--replicas=5'])).toBe('deployment.apps/web scaled\n');
    expect((await getJson(['deployment', 'web'])).spec.replicas).toBe(5);
    const out = await k.ok(['get', 'deployment', 'web', '-n', NS]);
    expect(out).toMatch(/^web\s+0\/5\s/m);
    // --current-replicas is a precondition: a wrong guess is refused.
    const refused = await k.run(['scale', 'deployment', 'web', '-n', NS, '--current-replicas=2', '--replicas=1']);
    expect(refused.code).toBe(1);
    expect((await getJson(['deployment', 'web'])).spec.replicas).toBe(5);
  });

  it('delete removes objects and get then reports NotFound', async () => {
    expect(await k.ok(['delete', 'configmap', 'settings', '-n', NS])).toBe('configmap "settings" deleted\n');
    expect(await k.ok(['delete', '-f', '-'], { stdin: deployment('nginx:2', { A: '1' }) })).toBe(
      'deployment.apps "web" deleted\n',
    );
    const gone = await k.run(['get', 'deployment', 'web', '-n', NS]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('deployments.apps "web" not found');
    const empty = await k.run(['get', 'configmaps,deployments', '-n', NS, '-l', 'app=web']);
    expect(empty.stderr).toContain(`No resources found in ${NS} namespace.`);
  });

  it('drain evicts through policy/v1beta1 eviction (the only version 1.20 sends)', async () => {
    await k.ok(['create', '-f', '-'], {
      stdin: `apiVersion: v1
kind: Node
metadata: {name: old-node}
---
apiVersion: v1
kind: Pod
metadata: {name: lonely, namespace: ${NS}}
spec:
  nodeName: old-node
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: busybox}]
`,
    });
    const out = await k.ok(['drain', 'old-node', '--force', '--timeout=30s']);
    expect(out).toContain(`evicting pod ${NS}/lonely`);
    expect(out).toContain('node/old-node evicted');
    const node = JSON.parse(await k.ok(['get', 'node', 'old-node', '-o', 'json'])) as {
      spec: { unschedulable?: boolean };
    };
    expect(node.spec.unschedulable).toBe(true);
    expect((await k.run(['get', 'pod', 'lonely', '-n', NS])).code).toBe(1);
  });
});
