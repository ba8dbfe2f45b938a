// ResourceQuota, LimitRange, DefaultTolerationSeconds and service-account tokens through real
// kubectl: what a user sees when a namespace runs out of quota, the defaults a LimitRange puts
// on pods, and the tolerations and token volume every new pod gets. No node agents are needed:
// admission happens in the API server, and pending pods count toward quota.
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, sharedWharf, type WharfEndpoint } from '@wharf/testing';

let wharf: WharfEndpoint;
let k: Kubectl;

const limitRange = (ns: string, item: Record<string, unknown>): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'limits', namespace: ns },
    spec: { limits: [{ type: 'Container', ...item }] },
  });

const pod = (ns: string, name: string, resources?: Record<string, unknown>): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'app', image: 'busybox', ...(resources ? { resources } : {}) }] },
  });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl JSON output, asserted field by field
const json = (text: string): any => JSON.parse(text);

beforeAll(async () => {
  wharf = await sharedWharf(); // the run's control plane, shared with the other kubectl suites
  k = new Kubectl(wharf.kubeconfig);
  await k.ok(['create', 'namespace', 'quota']);
  await k.ok(['create', 'namespace', 'limits']);
});

describe('ResourceQuota', () => {
  it('refuses the third pod with the real message, and describe shows used/hard', async () => {
    await k.ok(['create', 'quota', 'compute', '-n', 'quota', '--hard=pods=2,requests.memory=1Gi,count/configmaps=5']);
    await k.ok(['apply', '-f', '-'], {
      stdin: limitRange('quota', { defaultRequest: { memory: '256Mi' }, default: { memory: '512Mi' } }),
    });
    await k.ok(['create', '-f', '-'], { stdin: pod('quota', 'p1') });
    await k.ok(['create', '-f', '-'], { stdin: pod('quota', 'p2') });
    const third = await k.run(['create', '-f', '-'], { stdin: pod('quota', 'p3') });
    expect(third.code).toBe(1);
    expect(third.stderr).toContain(
      'Error from server (Forbidden): error when creating "STDIN": pods "p3" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2',
    );

    await eventually(
      async () => {
        const described = await k.ok(['describe', 'quota', 'compute', '-n', 'quota']);
        expect(described).toMatch(/Resource\s+Used\s+Hard/);
        expect(described).toMatch(/pods\s+2\s+2/);
        expect(described).toMatch(/requests\.memory\s+512Mi\s+1Gi/);
        expect(described).toMatch(/count\/configmaps\s+\d\s+5/);
        return true;
      },
      10_000,
      'quota usage in describe',
    );
    const table = await k.ok(['get', 'quota', '-n', 'quota']);
    expect(table).toMatch(/NAME\s+REQUEST\s+LIMIT\s+AGE/);
    expect(table).toContain('pods: 2/2, requests.memory: 512Mi/1Gi');

    // Deleting a pod frees its place.
    await k.ok(['delete', 'pod', 'p2', '-n', 'quota', '--wait=false']);
    await eventually(
      async () => {
        await k.ok(['create', '-f', '-'], { stdin: pod('quota', 'p3') });
        return true;
      },
      10_000,
      'p3 admitted',
    );
  });

  it('asks pods for the compute resources a quota limits', async () => {
    await k.ok(['create', 'namespace', 'strict']);
    await k.ok(['create', 'quota', 'cpu', '-n', 'strict', '--hard=limits.cpu=1']);
    const r = await k.run(['run', 'web', '-n', 'strict', '--image=busybox']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pods "web" is forbidden: failed quota: cpu: must specify limits.cpu for: web');
  });
});

describe('LimitRange', () => {
  it('puts default requests and limits on a new pod', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: limitRange('limits', {
        max: { memory: '1Gi' },
        default: { cpu: '500m', memory: '512Mi' },
        defaultRequest: { cpu: '100m', memory: '128Mi' },
      }),
    });
    await k.ok(['create', '-f', '-'], { stdin: pod('limits', 'small') });
    const p = json(await k.ok(['get', 'pod', 'small', '-n', 'limits', '-o', 'json']));
    expect(p.spec.containers[0].resources).toEqual({
      limits: { cpu: '500m', memory: '512Mi' },
      requests: { cpu: '100m', memory: '128Mi' },
    });
    expect(p.metadata.annotations['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app',
    );
    expect(p.status.qosClass).toBe('Burstable');
  });

  it('refuses a container above max', async () => {
    const r = await k.run(['create', '-f', '-'], { stdin: pod('limits', 'big', { limits: { memory: '2Gi' } }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi',
    );
  });
});

describe('every new pod', () => {
  it('tolerates not-ready and unreachable nodes for 300 s and mounts a service-account token', async () => {
    await k.ok(['run', 'plain', '-n', 'default', '--image=busybox']);
    const p = json(await k.ok(['get', 'pod', 'plain', '-n', 'default', '-o', 'json']));
    expect(p.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    expect(p.spec.serviceAccountName).toBe('default');
    const volume = p.spec.volumes[0];
    expect(volume.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(volume.projected.sources[0]).toEqual({ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } });
    expect(volume.projected.sources[1].configMap.name).toBe('kube-root-ca.crt');
    expect(p.spec.containers[0].volumeMounts).toEqual([
      { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: volume.name, readOnly: true },
    ]);

    const yaml = await k.ok(['get', 'pod', 'plain', '-n', 'default', '-o', 'yaml']);
    expect(yaml).toContain('tolerationSeconds: 300');
  });

  it('gets no token when its service account opts out', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'quiet', namespace: 'default' },
        automountServiceAccountToken: false,
      }),
    });
    await k.ok([
      'run',
      'quiet',
      '-n',
      'default',
      '--image=busybox',
      '--overrides={"spec":{"serviceAccountName":"quiet"}}',
    ]);
    const p = json(await k.ok(['get', 'pod', 'quiet', '-n', 'default', '-o', 'json']));
    expect(p.spec.volumes).toBeUndefined();
  });
});
