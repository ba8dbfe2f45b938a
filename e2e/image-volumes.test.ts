// Image volumes (`volumes[].image`) on `wharf up --nodes 1` with real runc: a FROM scratch image
// holding only files (no shell) is pulled from the built-in registry and mounted read-only; a
// busybox httpd serves a directory of it through a subPath mount; the container cannot write
// there; a missing image shows as the container's ErrImagePull / ImagePullBackOff naming the
// image; the API refuses a read-write mount; deleting the pod leaves no mounts behind, and the next
// pod reuses the unpacked image. Needs root, runc and the CNI plugins (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  httpAnswer,
  Kubectl,
  runcUnavailable,
  scratchImage,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

const httpdPod = (name: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
  nodeName: node-0
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: busybox:1
    command: [httpd, -f, -p, "8080", -h, /www]
    readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
    volumeMounts:
    - {name: site, mountPath: /www, subPath: site}
    - {name: site, mountPath: /image, readOnly: true}
  volumes:
  - {name: site, image: {reference: "site:1"}}
`;

const brokenPod = `
apiVersion: v1
kind: Pod
metadata: {name: broken, namespace: default}
spec:
  nodeName: node-0
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: "busybox:1", command: [sleep, "3600"], volumeMounts: [{name: gone, mountPath: /gone}]}
  volumes:
  - {name: gone, image: {reference: "no-such-artifact:1", pullPolicy: IfNotPresent}}
`;

describe.skipIf(skip !== '')(`image volumes on wharf up --nodes 1 ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let scratch: string;
  let siteDigest: string;
  const podIP = async (name: string): Promise<string> =>
    (await k.ok(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}'])).trim();
  const sh = (pod: string, script: string): Promise<string> => k.ok(['exec', pod, '--', 'sh', '-c', script]);

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'wharf-imgvol-e2e-'));
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
    siteDigest =
      /@(sha256:[0-9a-f]{64})$/.exec(
        await scratchImage(wharf, scratch, 'site:1', {
          'site/index.html': 'served from an image volume\n',
          'site/docs/guide.txt': 'a file two levels down\n',
          'outside.txt': 'not under the subPath\n',
        }),
      )?.[1] ?? '';
    expect(siteDigest).not.toBe('');
  }, 180_000);

  afterAll(async () => {
    await k?.run(['delete', 'pod', '--all', '--grace-period=0', '--wait=false']).catch(() => undefined);
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('the API defaults the pull policy, and refuses a read-write mount or a missing reference with 422', async () => {
    const rw = await k.run(['apply', '-f', '-'], {
      stdin: httpdPod('rw').replace('readOnly: true', 'readOnly: false'),
    });
    expect(rw.code).not.toBe(0);
    expect(rw.stderr).toContain(
      'spec.containers[0].volumeMounts[1].readOnly: Invalid value: false: image volumes are read-only: omit readOnly or set it to true',
    );
    const noRef = await k.run(['apply', '-f', '-'], {
      stdin: httpdPod('noref').replace('{reference: "site:1"}', '{pullPolicy: Always}'),
    });
    expect(noRef.stderr).toContain('spec.volumes[0].image.reference: Required value');
    const dry = await k.ok(['apply', '--dry-run=server', '-o', 'jsonpath={.spec.volumes[0].image}', '-f', '-'], {
      stdin: httpdPod('dry'),
    });
    expect(JSON.parse(dry)).toEqual({ reference: 'site:1', pullPolicy: 'IfNotPresent' });
  });

  it('serves files of a FROM scratch image through a subPath mount', { timeout: 120_000 }, async () => {
    await k.ok(['apply', '-f', '-'], { stdin: httpdPod('web') });
    await k.ok(['wait', '--for=condition=Ready', 'pod/web', '--timeout=90s'], { timeoutMs: 100_000 });
    const ip = await podIP('web');
    expect(await httpAnswer(ip, 8080, '/index.html')).toEqual({ status: 200, body: 'served from an image volume\n' });
    expect(await httpAnswer(ip, 8080, '/docs/guide.txt')).toEqual({ status: 200, body: 'a file two levels down\n' });
    expect((await httpAnswer(ip, 8080, '/outside.txt')).status).toBe(404);
    // Without subPath the whole image is there.
    expect((await sh('web', 'ls /image')).split('\n').filter(Boolean)).toEqual(['outside.txt', 'site']);
    // As the kubelet reports it (VolumeMountStatus): each mount, the image volume's with its digest.
    const mounts = JSON.parse(
      await k.ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.containerStatuses[0].volumeMounts}']),
    ) as { name: string; mountPath: string; volumeStatus?: { image?: { imageRef?: string } } }[];
    expect(
      mounts
        .filter((m) => m.name === 'site')
        .map((m) => [m.mountPath, m.volumeStatus?.image?.imageRef?.endsWith(`/site@${siteDigest}`)]),
    ).toEqual([
      ['/www', true],
      ['/image', true],
    ]);
  });

  it('the container cannot write to it, through either mount', async () => {
    const out = await sh(
      'web',
      'echo x > /www/new.html 2>&1; echo "rc=$?"; touch /image/x 2>&1; echo "rc=$?"; grep -E " /www | /image " /proc/mounts | cut -d" " -f2,4 | cut -d, -f1',
    );
    expect(out).toMatch(/Read-only file system\s*\nrc=1\n/);
    expect(out).toMatch(/touch: \/image\/x: Read-only file system\nrc=1\n/);
    expect(out).toContain('/www ro');
    expect(out).toContain('/image ro');
    expect((await httpAnswer(await podIP('web'), 8080, '/new.html')).status).toBe(404);
  });

  it(
    'a missing image keeps the container waiting with ErrImagePull / ImagePullBackOff naming it',
    { timeout: 60_000 },
    async () => {
      await k.ok(['apply', '-f', '-'], { stdin: brokenPod });
      const waiting = await eventually(
        async () => {
          const w = await k.ok(['get', 'pod', 'broken', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting}']);
          return w ? (JSON.parse(w) as { reason: string; message: string }) : undefined;
        },
        40_000,
        'a waiting reason on the container',
      );
      expect(['ErrImagePull', 'ImagePullBackOff']).toContain(waiting.reason);
      expect(waiting.message).toContain('"no-such-artifact:1"');
      const events = await eventually(
        async () => {
          const e = await k.ok([
            'get',
            'events',
            '--field-selector',
            'involvedObject.name=broken,reason=Failed',
            '-o',
            'jsonpath={.items[*].message}',
          ]);
          return e.includes('Error: ErrImagePull') ? e : undefined;
        },
        20_000,
        'the Failed events',
      );
      expect(events).toContain('Failed to pull image "no-such-artifact:1"');
      expect(await k.ok(['get', 'pod', 'broken', '-o', 'jsonpath={.status.phase}'])).toBe('Pending');
    },
  );

  it(
    'deleting the pod leaves no mounts behind; the next pod reuses the unpacked image',
    { timeout: 120_000 },
    async () => {
      const uid = await k.ok(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.uid}']);
      await k.ok(['delete', 'pod', 'web', '--timeout=60s'], { timeoutMs: 70_000 });
      await eventually(
        async () => (execFileSync('findmnt', ['-rn', '-o', 'TARGET']).toString().includes(uid) ? undefined : true),
        20_000,
        'the pod mounts gone',
      );
      await eventually(
        async () =>
          execFileSync('find', [wharf.dataDir, '-maxdepth', '4', '-name', uid]).toString().trim() === ''
            ? true
            : undefined,
        20_000,
        'the pod dir gone',
      );
      await k.ok(['apply', '-f', '-'], { stdin: httpdPod('again') });
      await k.ok(['wait', '--for=condition=Ready', 'pod/again', '--timeout=90s'], { timeoutMs: 100_000 });
      expect(await httpAnswer(await podIP('again'), 8080, '/index.html')).toEqual({
        status: 200,
        body: 'served from an image volume\n',
      });
      // Events are written behind the pod's progress: wait for this one rather than read once.
      await eventually(
        async () =>
          (
            await k.ok([
              'get',
              'events',
              '--field-selector',
              'involvedObject.name=again,reason=Pulled',
              '-o',
              'jsonpath={.items[*].message}',
            ])
          ).includes('Container image "site:1" already present on machine')
            ? true
            : undefined,
        20_000,
        'the "already present" event of the volume image',
      );
    },
  );
});
