// kubectl 1.32 against a real Wharf: `get -w` seeing changes arrive, `wait` for conditions and
// deletion, deletion with each cascade mode, namespace deletion, cordon/uncordon.
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, KUBECTL_132, type KubectlResult, sharedWharf, type WharfEndpoint } from '@wharf/testing';

const NS = 'ww';
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
  JSON.parse(await k.ok(['get', ...args, '-o', 'json'])) as Json;

/** A kubectl run whose completion can be checked without awaiting it. */
function background(args: string[]): { settled: () => boolean; result: Promise<KubectlResult> } {
  let done = false;
  const result = k.run(args).finally(() => (done = true));
  return { settled: () => done, result };
}

const lines = (out: string): string[] => out.split('\n').filter((l) => l.trim() !== '');

describe('get -w', () => {
  it('prints the list, then a row for every change, with the header once', async () => {
    await k.ok(['create', 'configmap', 'first', '-n', NS, '--from-literal=a=1']);
    const w = k.spawn(['get', 'configmaps', '-n', NS, '-w', '--output-watch-events']);
    try {
      await eventually(
        () => lines(w.output()).some((l) => /^ADDED\s+first\s+1\s/.test(l)),
        15_000,
        'the listed configmap',
      );
      await k.ok(['create', 'configmap', 'second', '-n', NS, '--from-literal=a=1']);
      await eventually(
        () => lines(w.output()).some((l) => /^ADDED\s+second\s+1\s/.test(l)),
        15_000,
        'the created configmap',
      );
      await k.ok(['patch', 'configmap', 'first', '-n', NS, '--type=merge', '-p', '{"data":{"b":"2","c":"3"}}']);
      await eventually(
        () => lines(w.output()).some((l) => /^MODIFIED\s+first\s+3\s/.test(l)),
        15_000,
        'the modified configmap',
      );
      await k.ok(['delete', 'configmap', 'second', '-n', NS]);
      await eventually(
        () => lines(w.output()).some((l) => /^DELETED\s+second\s/.test(l)),
        15_000,
        'the deleted configmap',
      );
      const out = lines(w.output());
      expect(out[0]).toMatch(/^EVENT\s+NAME\s+DATA\s+AGE$/);
      expect(out.filter((l) => l.includes('NAME'))).toHaveLength(1);
    } finally {
      w.stop();
      await w.done;
    }
  });

  it('watches one object by name with -o name', async () => {
    const w = k.spawn([
      'get',
      'configmap',
      'first',
      '-n',
      NS,
      '-w',
      '-o',
      'jsonpath={.metadata.name}={.data.a}{"\\n"}',
    ]);
    try {
      await eventually(() => w.output().includes('first=1\n'), 15_000, 'the initial object');
      await k.ok(['create', 'configmap', 'unrelated', '-n', NS]);
      await k.ok(['patch', 'configmap', 'first', '-n', NS, '--type=merge', '-p', '{"data":{"a":"changed"}}']);
      await eventually(() => w.output().includes('first=changed\n'), 15_000, 'the change');
      expect(w.output()).not.toContain('unrelated');
    } finally {
      w.stop();
      await w.done;
    }
  });
});

describe('watch deadlines', () => {
  it('get -w --request-timeout=1 prints the list and ends cleanly, every time', async () => {
    await k.ok(['create', 'configmap', 'deadline', '-n', NS, '--from-literal=a=1']);
    for (let i = 0; i < 5; i++) {
      const r = await k.run(['get', 'configmaps', 'deadline', '-n', NS, '-w', '--request-timeout=1']);
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(lines(r.stdout)[0]).toMatch(/^NAME\s+DATA\s+AGE$/);
      expect(lines(r.stdout)[1]).toMatch(/^deadline\s+1\s/);
    }
  });

  it('a watch with timeoutSeconds is ended by the server at the deadline', async () => {
    // No client timeout here: kubectl's own 30 s limit would fail the run if the server kept it open.
    const r = await k.run([
      'get',
      '--raw',
      `/api/v1/namespaces/${NS}/configmaps?watch=true&fieldSelector=metadata.name%3Ddeadline&timeoutSeconds=1`,
    ]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['ADDED']);
  });
});

describe('wait', () => {
  it('--for=condition waits until a status patch sets the condition', async () => {
    await k.ok(['create', 'job', 'migrate', '-n', NS, '--image=busybox:1.36', '--', 'true']);
    const waiting = background(['wait', '-n', NS, '--for=condition=Complete', 'job/migrate', '--timeout=30s']);
    // The condition cannot hold yet: prove kubectl is still waiting after a full round trip.
    expect(await k.ok(['get', 'job', 'migrate', '-n', NS, '-o', 'jsonpath={.status.conditions}'])).toBe('');
    expect(waiting.settled()).toBe(false);
    const t = '2025-01-01T00:00:05Z';
    const status = {
      status: {
        startTime: '2025-01-01T00:00:00Z',
        completionTime: t,
        succeeded: 1,
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: t },
          { type: 'Complete', status: 'True', lastTransitionTime: t },
        ],
      },
    };
    await k.ok([
      'patch',
      'job',
      'migrate',
      '-n',
      NS,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    const r = await waiting.result;
    expect(r).toMatchObject({ code: 0, stdout: 'job.batch/migrate condition met\n' });
    expect(await k.ok(['get', 'job', 'migrate', '-n', NS, '--no-headers'])).toMatch(
      /^migrate\s+Complete\s+1\/1\s+5s\s/,
    );
  });

  it('--for=condition=X=false, --for=jsonpath and a timeout', async () => {
    await k.ok(['create', 'deployment', 'api', '-n', NS, '--image=api:1']);
    await k.ok([
      'patch',
      'deployment',
      'api',
      '-n',
      NS,
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"conditions":[{"type":"Available","status":"False","reason":"MinimumReplicasUnavailable"}]}}',
    ]);
    expect(await k.ok(['wait', '-n', NS, '--for=condition=Available=false', 'deployment/api', '--timeout=10s'])).toBe(
      'deployment.apps/api condition met\n',
    );
    expect(await k.ok(['wait', '--for=jsonpath={.status.phase}=Active', `namespace/${NS}`, '--timeout=10s'])).toBe(
      `namespace/${NS} condition met\n`,
    );
    const timedOut = await k.run(['wait', '-n', NS, '--for=condition=Available', 'deployment/api', '--timeout=1s']);
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toContain('timed out waiting for the condition on deployments/api');
  });

  it('--for=delete returns once a finalizer is removed and the object is gone', async () => {
    await k.ok(['create', '-n', NS, '-f', '-'], {
      stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [example.com/hold]\n',
    });
    expect(await k.ok(['delete', 'configmap', 'held', '-n', NS, '--wait=false'])).toBe('configmap "held" deleted\n');
    const waiting = background(['wait', '-n', NS, '--for=delete', 'configmap/held', '--timeout=30s']);
    const held = await getJson('configmap', 'held', '-n', NS);
    expect(held.metadata.deletionTimestamp).toBeTruthy();
    expect(waiting.settled()).toBe(false);
    await k.ok([
      'patch',
      'configmap',
      'held',
      '-n',
      NS,
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/metadata/finalizers"}]',
    ]);
    expect(await waiting.result).toMatchObject({ code: 0, stdout: 'configmap/held condition met\n' });
    expect((await k.run(['get', 'configmap', 'held', '-n', NS])).stderr).toContain('(NotFound)');
  });
});

describe('delete --cascade', () => {
  /**
   * A ReplicaSet of one pod (made by the ReplicaSet controller, owned by it) and a ConfigMap that
   * names the ReplicaSet as its owner. Resolves with the pod's name.
   */
  async function family(name: string, dependentFinalizer = false): Promise<string> {
    await k.ok(['create', '-n', NS, '-f', '-'], {
      stdin: `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {schedulerName: none, containers: [{name: app, image: nginx:1.27}]}
`,
    });
    const uid = await k.ok(['get', 'replicaset', name, '-n', NS, '-o', 'jsonpath={.metadata.uid}']);
    const owner = `ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: ${name}, uid: ${uid}, controller: true, blockOwnerDeletion: true}]`;
    await k.ok(['create', '-n', NS, '-f', '-'], {
      stdin: `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
  ${owner}${dependentFinalizer ? '\n  finalizers: [example.com/hold]' : ''}
`,
    });
    return eventually(
      async () => {
        const pod = await k.ok([
          'get',
          'pods',
          '-n',
          NS,
          '-l',
          `app=${name}`,
          '-o',
          'jsonpath={.items[*].metadata.name}',
        ]);
        return pod.trim() && !pod.includes(' ') ? pod.trim() : undefined;
      },
      15_000,
      `the ReplicaSet controller to create ${name}'s pod`,
    );
  }
  const exists = async (kind: string, name: string): Promise<boolean> =>
    (await k.run(['get', kind, name, '-n', NS])).code === 0;

  it('background: the owner goes at once, the garbage collector removes the dependents', async () => {
    const pod = await family('bg');
    expect(await k.ok(['delete', 'replicaset', 'bg', '-n', NS, '--cascade=background'])).toBe(
      'replicaset.apps "bg" deleted\n',
    );
    expect(await exists('replicaset', 'bg')).toBe(false);
    await eventually(
      async () => !(await exists('configmap', 'bg-config')) && !(await exists('pod', pod)),
      15_000,
      'dependents to be collected',
    );
  });

  it('foreground: the owner waits, marked foregroundDeletion, until its blocking dependents are gone', async () => {
    const pod = await family('fg', true);
    await k.ok(['delete', 'replicaset', 'fg', '-n', NS, '--cascade=foreground', '--wait=false']);
    await eventually(async () => !(await exists('pod', pod)), 15_000, 'the pod to be deleted first');
    const owner = await getJson('replicaset', 'fg', '-n', NS);
    expect(owner.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(owner.metadata.deletionTimestamp).toBeTruthy();
    const cm = await getJson('configmap', 'fg-config', '-n', NS);
    expect(cm.metadata.deletionTimestamp).toBeTruthy();
    await k.ok(['patch', 'configmap', 'fg-config', '-n', NS, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually(async () => !(await exists('replicaset', 'fg')), 15_000, 'the owner to go after its dependents');
    expect(await exists('configmap', 'fg-config')).toBe(false);
  });

  it('orphan: dependents stay, without their ownerReference', async () => {
    const pod = await family('or');
    expect(await k.ok(['delete', 'replicaset', 'or', '-n', NS, '--cascade=orphan'])).toBe(
      'replicaset.apps "or" deleted\n',
    );
    expect(await exists('replicaset', 'or')).toBe(false);
    for (const [kind, name] of [
      ['configmap', 'or-config'],
      ['pod', pod],
    ] as const) {
      const dep = await getJson(kind, name, '-n', NS);
      expect(dep.metadata.deletionTimestamp).toBeUndefined();
      expect(dep.metadata.ownerReferences ?? []).toEqual([]);
    }
  });
});

describe('namespace deletion', () => {
  it('removes everything inside, refusing new objects while it terminates', async () => {
    await k.ok(['create', 'namespace', 'doomed']);
    await k.ok(['create', 'deployment', 'web', '-n', 'doomed', '--image=nginx:1.27']);
    await k.ok(['create', 'service', 'clusterip', 'web', '-n', 'doomed', '--tcp=80:80']);
    await k.ok(['create', 'secret', 'generic', 'token', '-n', 'doomed', '--from-literal=t=x']);
    await k.ok(['create', 'role', 'reader', '-n', 'doomed', '--verb=get', '--resource=pods']);
    await k.ok(['create', '-n', 'doomed', '-f', '-'], {
      stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [example.com/hold]\n',
    });

    await k.ok(['delete', 'namespace', 'doomed', '--wait=false']);
    await eventually(
      async () => (await k.ok(['get', 'deployments,services,secrets,roles', '-n', 'doomed', '-o', 'name'])) === '',
      15_000,
      'the contents to be deleted',
    );
    expect(await k.ok(['get', 'namespace', 'doomed', '--no-headers'])).toMatch(/^doomed\s+Terminating\s/);
    const refused = await k.run(['create', 'configmap', 'late', '-n', 'doomed']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('because it is being terminated');

    await k.ok([
      'patch',
      'configmap',
      'held',
      '-n',
      'doomed',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    // Prints "condition met", or nothing when the namespace is already gone by the time it looks.
    await k.ok(['wait', '--for=delete', 'namespace/doomed', '--timeout=30s']);
    expect((await k.run(['get', 'namespace', 'doomed'])).stderr).toContain('namespaces "doomed" not found');
  });
});

describe('cordon and uncordon', () => {
  it('sets spec.unschedulable and shows SchedulingDisabled', async () => {
    await k.ok(['create', '-f', '-'], {
      stdin: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-1\n  labels: {kubernetes.io/hostname: worker-1}\n',
    });
    await k.ok([
      'patch',
      'node',
      'worker-1',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","message":"kubelet is posting ready status","lastHeartbeatTime":"2025-01-01T00:00:00Z","lastTransitionTime":"2025-01-01T00:00:00Z"}],"nodeInfo":{"kubeletVersion":"v1.32.4"}}}',
    ]);
    expect(await k.ok(['get', 'node', 'worker-1', '--no-headers'])).toMatch(
      /^worker-1\s+Ready\s+<none>\s+\S+\s+v1\.32\.4\n$/,
    );

    expect(await k.ok(['cordon', 'worker-1'])).toBe('node/worker-1 cordoned\n');
    expect((await getJson('node', 'worker-1')).spec.unschedulable).toBe(true);
    expect(await k.ok(['get', 'node', 'worker-1', '--no-headers'])).toMatch(/^worker-1\s+Ready,SchedulingDisabled\s/);
    expect(await k.ok(['cordon', 'worker-1'])).toBe('node/worker-1 already cordoned\n');

    expect(await k.ok(['uncordon', 'worker-1'])).toBe('node/worker-1 uncordoned\n');
    expect((await getJson('node', 'worker-1')).spec.unschedulable).toBeUndefined();
    expect(await k.ok(['get', 'node', 'worker-1', '--no-headers'])).toMatch(/^worker-1\s+Ready\s/);
    // A Ready node without an agent would take the pending pods of the suites sharing this cluster.
    await k.ok(['delete', 'node', 'worker-1']);
  });
});
