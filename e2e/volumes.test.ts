// Volume plugins end to end on `wharf up --nodes 1` with real runc: a busybox pod mounts a
// configMap, a secret, a projected volume, a downwardAPI volume, a Memory emptyDir, a hostPath, a
// PersistentVolumeClaim bound to a hostPath PV and the example plugin, and prints what it sees;
// ConfigMap and Secret updates reach the running container without a restart (not through a
// subPath mount, as upstream). Needs root, runc and the CNI plugins (skipped with the reason
// otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

const objects = (hostDir: string, pvDir: string): string => `
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: default}
data: {greeting: hello-v1, other: kept}
---
apiVersion: v1
kind: Secret
metadata: {name: app-secret, namespace: default}
stringData: {password: s3cr3t-e2e}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: vol-e2e-pv}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: ${pvDir}, type: Directory}
  claimRef: {namespace: default, name: data}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: default}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
  volumeName: vol-e2e-pv
  storageClassName: ""
---
apiVersion: v1
kind: Pod
metadata: {name: vols, namespace: default, labels: {app: vols}}
spec:
  nodeName: node-0
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:1
    command:
    - sh
    - -c
    - |
      echo "secret=$(cat /etc/secret/password)"
      echo "podname=$(cat /etc/podinfo/name)"
      echo "labels=$(cat /etc/podinfo/labels)"
      echo "memlimit=$(cat /etc/podinfo/mem)"
      echo "projns=$(cat /etc/proj/namespace)"
      echo "tokenlen=$(wc -c < /etc/proj/token)"
      echo "host=$(cat /host/host.txt)"
      echo "pv=$(cat /data/pv.txt)"
      echo "motd=$(cat /etc/motd-vol/motd)"
      echo hi > /cache/x && echo "cache=$(cat /cache/x)"
      touch /etc/cfg/x 2>/dev/null && echo cfg-writable || echo cfg-readonly
      grep -E ' /etc/secret | /cache | /etc/proj ' /proc/mounts | sed 's/^/mount: /'
      echo "mode=$(stat -L -c %a /etc/secret/password)"
      echo ready
      while true; do echo "cfg=$(cat /etc/cfg/greeting) proj=$(cat /etc/proj/greeting) sub=$(cat /etc/cfg-sub/greeting) sec=$(cat /etc/secret/password)"; sleep 0.5; done
    resources: {limits: {memory: 64Mi}}
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
    - {name: cfg, mountPath: /etc/cfg-sub/greeting, subPath: greeting}
    - {name: secret, mountPath: /etc/secret}
    - {name: proj, mountPath: /etc/proj}
    - {name: podinfo, mountPath: /etc/podinfo}
    - {name: cache, mountPath: /cache}
    - {name: host, mountPath: /host}
    - {name: data, mountPath: /data}
    - {name: motd, mountPath: /etc/motd-vol}
  volumes:
  - {name: cfg, configMap: {name: app-config}}
  - {name: secret, secret: {secretName: app-secret, defaultMode: 0400}}
  - name: proj
    projected:
      sources:
      - configMap: {name: app-config, items: [{key: greeting, path: greeting}]}
      - downwardAPI: {items: [{path: namespace, fieldRef: {fieldPath: metadata.namespace}}]}
      - serviceAccountToken: {path: token, expirationSeconds: 3600}
  - name: podinfo
    downwardAPI:
      items:
      - {path: name, fieldRef: {fieldPath: metadata.name}}
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: mem, resourceFieldRef: {containerName: main, resource: limits.memory, divisor: 1Mi}}
  - {name: cache, emptyDir: {medium: Memory, sizeLimit: 8Mi}}
  - {name: host, hostPath: {path: ${hostDir}, type: Directory}}
  - {name: data, persistentVolumeClaim: {claimName: data}}
  - {name: motd, csi: {driver: wharf.example/motd, volumeAttributes: {to: e2e}}}
`;

describe.skipIf(skip !== '')(`volume plugins on wharf up --nodes 1 ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let scratch: string;
  const logs = (): Promise<string> => k.ok(['logs', 'vols']);

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'wharf-vol-e2e-'));
    execFileSync('mkdir', ['-p', path.join(scratch, 'host'), path.join(scratch, 'pv')]);
    writeFileSync(path.join(scratch, 'host', 'host.txt'), 'from-the-host');
    writeFileSync(path.join(scratch, 'pv', 'pv.txt'), 'from-the-pv');
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'] });
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
  });

  afterAll(async () => {
    await k?.run(['delete', 'pod', 'vols', '--grace-period=0', '--wait=false']).catch(() => undefined);
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  // The claim names its volume before the volume exists: it stays Pending until the PV is made.
  const documents = (): string[] => objects(path.join(scratch, 'host'), path.join(scratch, 'pv')).split(/\n---\n/);
  const isVolume = (doc: string): boolean => doc.includes('kind: PersistentVolume\n');

  it('keeps the pod waiting with a FailedMount event while its claim is Pending', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: documents()
        .filter((d) => !isVolume(d))
        .join('\n---\n'),
    });
    const events = await eventually(
      async () => {
        const out = await k.ok([
          'get',
          'events',
          '--field-selector',
          'involvedObject.name=vols,reason=FailedMount',
          '-o',
          'jsonpath={.items[*].message}',
        ]);
        return out.includes('not bound') ? out : undefined;
      },
      30_000,
      'a FailedMount event for the Pending claim',
    );
    expect(events).toContain(
      'MountVolume.SetUp failed for volume "data" : PersistentVolumeClaim default/data is not bound (phase Pending',
    );
    expect(await k.ok(['get', 'pod', 'vols', '-o', 'jsonpath={.status.containerStatuses}'])).toBe('');
  });

  it('runs once the claim is bound, with every volume in place', async () => {
    // The volume appears; the binder binds the claim to it.
    await k.ok(['apply', '-f', '-'], { stdin: documents().filter(isVolume).join('\n---\n') });
    await eventually(
      async () => (await k.ok(['get', 'pvc', 'data', '-o', 'jsonpath={.status.phase}'])) === 'Bound',
      30_000,
      'the claim bound',
    );
    const out = await eventually(
      async () => {
        const l = await logs().catch(() => '');
        // After "ready" the container prints the config and secret files every 0.5 s.
        return l.includes('ready') && l.includes('cfg=') ? l : undefined;
      },
      60_000,
      'the container to print its volumes',
    );
    expect(out).toContain('secret=s3cr3t-e2e');
    expect(out).toContain('podname=vols');
    expect(out).toContain('labels=app="vols"');
    expect(out).toContain('memlimit=64');
    expect(out).toContain('projns=default');
    expect(Number(/tokenlen=\s*(\d+)/.exec(out)?.[1])).toBeGreaterThan(100);
    expect(out).toContain('host=from-the-host');
    expect(out).toContain('pv=from-the-pv');
    expect(out).toContain('motd=Welcome aboard, e2e!');
    expect(out).toContain('cache=hi');
    expect(out).toContain('cfg-readonly');
    expect(out).toContain('mode=400');
    expect(out).toContain('cfg=hello-v1 proj=hello-v1 sub=hello-v1 sec=s3cr3t-e2e');
    // Secrets, projected content and the Memory emptyDir are tmpfs inside the container too.
    expect(out).toMatch(/^mount: tmpfs \/etc\/secret tmpfs ro/m);
    expect(out).toMatch(/^mount: tmpfs \/etc\/proj tmpfs ro/m);
    expect(out).toMatch(/^mount: tmpfs \/cache tmpfs rw.*size=8192k/m);
  });

  it('keeps secret files off the node disk: their host dir is on a tmpfs', async () => {
    // The node's memory volumes share one tmpfs (the runtime's run dir), so it need not be a mount of its own.
    const dirs = execFileSync('find', [wharf.dataDir, '-path', '*/kubernetes.io~secret/secret', '-type', 'd'])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean);
    expect(dirs).toHaveLength(1);
    expect(execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '-T', dirs[0]!]).toString().trim()).toBe('tmpfs');
    expect(readFileSync(path.join(dirs[0]!, 'password'), 'utf8')).toBe('s3cr3t-e2e');
  });

  it('shows an updated ConfigMap and Secret to the running container within seconds, without a restart; a subPath mount keeps the old content', async () => {
    const t0 = Date.now();
    await k.ok(['patch', 'configmap', 'app-config', '--type=merge', '-p', '{"data":{"greeting":"hello-v2"}}']);
    await k.ok(['patch', 'secret', 'app-secret', '--type=merge', '-p', '{"stringData":{"password":"s3cr3t-v2"}}']);
    const line = await eventually(
      async () =>
        (await k.ok(['logs', 'vols', '--tail=1']))
          .split('\n')
          .find((l) => l.includes('cfg=hello-v2 proj=hello-v2') && l.includes('sec=s3cr3t-v2')),
      30_000,
      'the new content in the container',
    );
    // As upstream: a subPath bind-mounts one version's file, which the ..data swap does not replace.
    expect(line).toContain('sub=hello-v1');
    expect(await k.ok(['get', 'pod', 'vols', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])).toBe('0');
    process.stdout.write(`config and secret update seen in the running container after ${Date.now() - t0} ms\n`);
  });

  it('removes the pod volumes (tmpfs mounts and pod dir) when the pod is deleted', async () => {
    const uid = await k.ok(['get', 'pod', 'vols', '-o', 'jsonpath={.metadata.uid}']);
    await k.ok(['delete', 'pod', 'vols', '--timeout=60s'], { timeoutMs: 70_000 });
    await eventually(
      async () => (execFileSync('findmnt', ['-rn', '-o', 'TARGET']).toString().includes(uid) ? undefined : true),
      20_000,
      'the pod mounts gone',
    );
    const podDirs = execFileSync('find', [wharf.dataDir, '-maxdepth', '5', '-name', uid]).toString().trim();
    expect(podDirs).toBe('');
    expect(execFileSync('cat', [path.join(scratch, 'host', 'host.txt')]).toString()).toBe('from-the-host');
  });
});
