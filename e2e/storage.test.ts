// Storage that provisions itself, end to end on `wharf up --nodes 2` with real runc pods: the
// default StorageClass `local-path` (WaitForFirstConsumer), a StatefulSet whose volumeClaimTemplates
// get volumes made on the nodes the scheduler chose, data that survives its pod's deletion and a
// Wharf restart, growth of a claim (and a refusal where the class does not allow it), reclaim
// Delete removing the directory and Retain keeping it, and a claim no node has room for.
// Needs root, runc and the CNI plugins.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

const statefulSet = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 1
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: db}}}]
      containers:
      - name: c
        image: busybox:1
        command: [sh, -c, 'test -f /data/born || echo "$(hostname) $RANDOM" > /data/born; exec sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;

const retained = `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: keep}
provisioner: wharf.dev/local-path
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: kept, namespace: default}
spec: {storageClassName: keep, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: writer, namespace: default}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: busybox:1, command: [sh, -c, 'echo kept > /data/file; exec sleep 3600'], volumeMounts: [{name: d, mountPath: /data}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: kept}}]
`;

describe.skipIf(skip !== '')(`dynamic local volumes ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  const jp = (args: string[], path: string): Promise<string> => k.ok([...args, '-o', `jsonpath=${path}`]);
  const born = (pod: string): Promise<string> => k.ok(['exec', pod, '--', 'cat', '/data/born']).then((s) => s.trim());
  const ready = async (pod: string): Promise<void> => {
    await k.ok(['wait', '--for=condition=Ready', `pod/${pod}`, '--timeout=90s'], { timeoutMs: 100_000 });
  };

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '2'] });
    k = new Kubectl(wharf.kubeconfig);
    await run(
      process.execPath,
      [
        WHARF_BIN,
        'image',
        'build-base',
        'busybox:1',
        '--debian-packages',
        'busybox-static',
        '--data-dir',
        wharf.dataDir,
      ],
      { timeout: 120_000 },
    );
  }, 240_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('has a default StorageClass that waits for the first consumer', async () => {
    const out = await k.ok(['get', 'storageclass']);
    expect(out).toMatch(/local-path \(default\)\s+wharf\.dev\/local-path\s+Delete\s+WaitForFirstConsumer\s+true/);
  });

  it('provisions a volume for each StatefulSet claim on the node its pod runs on', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: statefulSet });
    await eventually(
      async () => (await jp(['get', 'sts', 'db'], '{.status.readyReplicas}')) === '2',
      120_000,
      'both replicas ready',
    );
    for (const i of [0, 1]) {
      const claim = `data-db-${i}`;
      expect(
        await jp(['get', 'pvc', claim], '{.status.phase} {.spec.storageClassName} {.status.capacity.storage}'),
      ).toBe('Bound local-path 1Gi');
      const pv = await jp(['get', 'pvc', claim], '{.spec.volumeName}');
      const node = await jp(['get', 'pod', `db-${i}`], '{.spec.nodeName}');
      expect(
        await jp(['get', 'pv', pv], '{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}'),
      ).toBe(node);
      expect(await jp(['get', 'pvc', claim], '{.metadata.annotations.volume\\.kubernetes\\.io/selected-node}')).toBe(
        node,
      );
      const path = await jp(['get', 'pv', pv], '{.spec.local.path}');
      expect(path).toContain(`/nodes/${node}/volumes/${pv}`);
    }
    const capacities = await k.ok([
      'get',
      'csistoragecapacities',
      '-n',
      'kube-system',
      '-o',
      'jsonpath={range .items[*]}{.nodeTopology.matchLabels.kubernetes\\.io/hostname}={.capacity}{"\\n"}{end}',
    ]);
    expect(capacities).toMatch(/node-0=\d+/);
    expect(capacities).toMatch(/node-1=\d+/);
  }, 180_000);

  it("reports each mounted claim as the kubelet does: kubelet_volume_stats_* on the node's /metrics", async () => {
    await k.ok(['exec', 'db-1', '--', 'sh', '-c', 'head -c 4194304 /dev/zero > /data/blob']);
    const node = await jp(['get', 'pod', 'db-1'], '{.spec.nodeName}');
    const series = (text: string, name: string): number | undefined => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${name}{namespace="default",persistentvolumeclaim="data-db-1"} `));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    };
    const used = await eventually(
      async () => {
        const v = series(
          await k.ok(['get', '--raw', `/api/v1/nodes/${node}/proxy/metrics`]),
          'kubelet_volume_stats_used_bytes',
        );
        return v !== undefined && v >= 4 * 1024 * 1024 ? v : undefined;
      },
      30_000,
      'data-db-1 used bytes counting the 4 MiB written',
    );
    const text = await k.ok(['get', '--raw', `/api/v1/nodes/${node}/proxy/metrics`]);
    expect(used).toBeLessThan(8 * 1024 * 1024);
    expect(series(text, 'kubelet_volume_stats_capacity_bytes')).toBeGreaterThan(
      series(text, 'kubelet_volume_stats_available_bytes') ?? Infinity,
    );
    expect(series(text, 'kubelet_volume_stats_inodes_used')).toBeGreaterThan(0);
    // A claim of a pod on the other node is that node's to report.
    expect(text).not.toContain('persistentvolumeclaim="data-db-0"');
    await k.ok(['exec', 'db-1', '--', 'rm', '/data/blob']);
  }, 60_000);

  it('keeps the data when the pod is deleted and comes back on the same node', async () => {
    const before = await born('db-0');
    const node = await jp(['get', 'pod', 'db-0'], '{.spec.nodeName}');
    await k.ok(['delete', 'pod', 'db-0', '--wait=true']);
    await eventually(async () => (await k.run(['get', 'pod', 'db-0'])).code === 0, 60_000, 'db-0 recreated');
    await ready('db-0');
    expect(await jp(['get', 'pod', 'db-0'], '{.spec.nodeName}')).toBe(node);
    expect(await born('db-0')).toBe(before);
  }, 120_000);

  it('keeps the data across a Wharf restart', async () => {
    const before = [await born('db-0'), await born('db-1')];
    await wharf.restart({ extraArgs: ['--nodes', '2'] });
    await eventually(
      async () => (await jp(['get', 'sts', 'db'], '{.status.readyReplicas}')) === '2',
      120_000,
      'replicas ready after restart',
    );
    expect([await born('db-0'), await born('db-1')]).toEqual(before);
  }, 240_000);

  it('grows a claim whose class allows expansion, and refuses where it does not', async () => {
    await k.ok(['patch', 'pvc', 'data-db-0', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']);
    const pv = await jp(['get', 'pvc', 'data-db-0'], '{.spec.volumeName}');
    await eventually(
      async () => (await jp(['get', 'pv', pv], '{.spec.capacity.storage}')) === '2Gi',
      30_000,
      'the volume grown',
    );
    await eventually(
      async () => (await jp(['get', 'pvc', 'data-db-0'], '{.status.capacity.storage}')) === '2Gi',
      30_000,
      'the claim reports 2Gi',
    );

    await k.ok(['apply', '-f', '-'], { stdin: retained });
    await ready('writer');
    const refused = await k.run([
      'patch',
      'pvc',
      'kept',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"3Gi"}}}}',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    );
    expect(await jp(['get', 'pvc', 'kept'], '{.spec.resources.requests.storage}')).toBe('1Gi');
  }, 120_000);

  it('deletes the directory of a released Delete volume and keeps a Retain one', async () => {
    await k.ok(['scale', 'sts', 'db', '--replicas=1']);
    await eventually(async () => (await k.run(['get', 'pod', 'db-1'])).code !== 0, 60_000, 'db-1 gone');
    const deleted = await jp(['get', 'pvc', 'data-db-1'], '{.spec.volumeName}');
    const deletedPath = await jp(['get', 'pv', deleted], '{.spec.local.path}');
    expect(existsSync(deletedPath)).toBe(true);
    await k.ok(['delete', 'pvc', 'data-db-1']);
    await eventually(async () => (await k.run(['get', 'pv', deleted])).code !== 0, 30_000, 'the Delete volume removed');
    expect(existsSync(deletedPath)).toBe(false);

    const kept = await jp(['get', 'pvc', 'kept'], '{.spec.volumeName}');
    const keptPath = await jp(['get', 'pv', kept], '{.spec.local.path}');
    await k.ok(['delete', 'pod', 'writer', '--wait=true']);
    await k.ok(['delete', 'pvc', 'kept']);
    await eventually(
      async () => (await jp(['get', 'pv', kept], '{.status.phase}')) === 'Released',
      30_000,
      'the Retain volume released',
    );
    expect(existsSync(`${keptPath}/file`)).toBe(true);
  }, 150_000);

  it('leaves a pod Pending with the reason when no node has room for its claim', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: huge, namespace: default}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 900Ti}}}
---
apiVersion: v1
kind: Pod
metadata: {name: greedy, namespace: default}
spec:
  containers: [{name: c, image: busybox:1, command: [sleep, '3600'], volumeMounts: [{name: d, mountPath: /data}]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: huge}}]
`,
    });
    const message = await eventually(
      async () => {
        const m = await jp(['get', 'pod', 'greedy'], '{.status.conditions[?(@.type=="PodScheduled")].message}');
        return m || undefined;
      },
      30_000,
      "the scheduler's verdict",
    );
    expect(message).toContain('2 node(s) did not have enough free storage');
    expect(await jp(['get', 'pvc', 'huge'], '{.status.phase}')).toBe('Pending');
  }, 60_000);
});
