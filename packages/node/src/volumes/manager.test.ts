import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { V1Pod, V1Volume } from '@kubernetes/client-node';
import { captureLogger, LEVEL } from '@wharf/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mountsFor, PodVolumesError, VolumeManager } from './manager.js';
import type { VolumePlugin } from './plugin.js';
import { builtInPlugins } from './plugins.js';
import { motdText } from './plugins/example-motd.js';
import { FakeMounter, FakeVolumeApi } from './testing/fakes.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function pod(volumes: V1Volume[], extra: Partial<V1Pod['metadata']> = {}): V1Pod {
  return {
    metadata: {
      name: 'p',
      namespace: 'ns',
      uid: 'uid-1',
      labels: { app: 'web', tier: 'a"b' },
      annotations: { note: 'x' },
      ...extra,
    },
    spec: {
      containers: [
        { name: 'c', image: 'busybox', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } },
      ],
      volumes,
      serviceAccountName: 'robot',
    },
  };
}

describe('VolumeManager with the built-in plugins', () => {
  let root: string;
  let api: FakeVolumeApi;
  let mounter: FakeMounter;
  let now: number;
  let m: VolumeManager;
  const file = (...p: string[]): string => readFileSync(path.join(root, 'pods', 'uid-1', 'volumes', ...p), 'utf8');

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'volmgr-'));
    api = new FakeVolumeApi();
    mounter = new FakeMounter();
    now = 1_000_000;
    m = new VolumeManager({
      podsDir: path.join(root, 'pods'),
      api,
      mounter,
      clock: () => now,
      refreshIntervalMs: 1000,
      allocatable: { cpu: 4, memory: 8 * 2 ** 30, ephemeralStorage: 0 },
    });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('projects a configMap (all keys, binaryData, items with modes) read-only', async () => {
    api.configMaps.set('ns/cfg', {
      data: { 'app.conf': 'color=blue', other: 'o' },
      binaryData: { bin: b64('\u0001\u0002') },
    });
    const v = await m.setUp(
      pod([
        { name: 'all', configMap: { name: 'cfg' } },
        {
          name: 'some',
          configMap: {
            name: 'cfg',
            defaultMode: 0o600,
            items: [
              { key: 'app.conf', path: 'conf/app', mode: 0o640 },
              { key: 'other', path: 'o' },
            ],
          },
        },
      ]),
    );
    expect(file('kubernetes.io~configmap', 'all', 'app.conf')).toBe('color=blue');
    expect(file('kubernetes.io~configmap', 'all', 'bin')).toBe('\u0001\u0002');
    expect(readlinkSync(path.join(root, 'pods/uid-1/volumes/kubernetes.io~configmap/all/app.conf'))).toBe(
      '..data/app.conf',
    );
    expect(file('kubernetes.io~configmap', 'some', 'conf/app')).toBe('color=blue');
    expect(statSync(path.join(root, 'pods/uid-1/volumes/kubernetes.io~configmap/some/conf/app')).mode & 0o777).toBe(
      0o640,
    );
    expect(statSync(path.join(root, 'pods/uid-1/volumes/kubernetes.io~configmap/some/o')).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(root, 'pods/uid-1/volumes/kubernetes.io~configmap/some/app.conf'))).toBe(false);
    expect(v.get('all')?.readOnly).toBe(true);
    // A container running as any uid can reach the files (their modes decide who reads them).
    expect(statSync(path.join(root, 'pods/uid-1/volumes/kubernetes.io~configmap/all')).mode & 0o777).toBe(0o777);
    expect(mounter.tmpfs.size).toBe(0); // configMaps live on disk, as the kubelet's
  });

  it("puts memory volumes in the node's shared tmpfs when there is one (no mount per pod), never on disk", async () => {
    api.secrets.set('ns/db', { data: { password: b64('s3cr3t') } });
    api.configMaps.set('ns/cfg', { data: { a: '1' } });
    const volumes = [
      { name: 's', secret: { secretName: 'db' } },
      { name: 'c', configMap: { name: 'cfg' } },
    ];
    // /dev/shm is a tmpfs: the secret goes there, the configMap stays on disk as before.
    const shared = mkdtempSync('/dev/shm/volmgr-');
    try {
      const mm = new VolumeManager({ podsDir: path.join(root, 'pods'), api, mounter, memoryDir: shared });
      const v = await mm.setUp(pod(volumes));
      const secretDir = path.join(shared, 'uid-1', 'kubernetes.io~secret', 's');
      expect(v.get('s')?.hostPath).toBe(secretDir);
      expect(readFileSync(path.join(secretDir, 'password'), 'utf8')).toBe('s3cr3t');
      expect(existsSync(path.join(root, 'pods/uid-1/volumes/kubernetes.io~secret/s/password'))).toBe(false);
      expect(v.get('c')?.hostPath).toBe(path.join(root, 'pods/uid-1/volumes/kubernetes.io~configmap/c'));
      expect(mounter.tmpfs.size).toBe(0);
      await mm.tearDown('uid-1');
      expect(existsSync(path.join(shared, 'uid-1'))).toBe(false);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }

    // A memoryDir on disk is not used: the secret gets a tmpfs of its own.
    const onDisk = new VolumeManager({
      podsDir: path.join(root, 'pods2'),
      api,
      mounter,
      memoryDir: path.join(root, 'memory'),
    });
    const v = await onDisk.setUp(pod(volumes));
    expect(v.get('s')?.hostPath).toBe(path.join(root, 'pods2/uid-1/volumes/kubernetes.io~secret/s'));
    expect([...mounter.tmpfs.keys()]).toEqual([path.join(root, 'pods2/uid-1/volumes/kubernetes.io~secret/s')]);
  });

  it('fails a missing configMap or key unless optional, naming the volume', async () => {
    api.configMaps.set('ns/cfg', { data: { a: '1' } });
    const err = await m
      .setUp(
        pod([
          { name: 'gone', configMap: { name: 'nope' } },
          { name: 'key', configMap: { name: 'cfg', items: [{ key: 'b', path: 'b' }] } },
        ]),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PodVolumesError);
    expect((err as PodVolumesError).failures).toEqual([
      { volume: 'gone', message: 'configmap "nope" not found' },
      { volume: 'key', message: 'configmap references non-existent config key: b' },
    ]);
    await m.setUp(
      pod([
        { name: 'gone', configMap: { name: 'nope', optional: true } },
        {
          name: 'key',
          configMap: {
            name: 'cfg',
            optional: true,
            items: [
              { key: 'b', path: 'b' },
              { key: 'a', path: 'a' },
            ],
          },
        },
      ]),
    );
    expect(file('kubernetes.io~configmap', 'key', 'a')).toBe('1');
    expect(existsSync(path.join(root, 'pods/uid-1/volumes/kubernetes.io~configmap/key/b'))).toBe(false);
  });

  it('puts secrets on a tmpfs before writing them, base64-decoded', async () => {
    api.secrets.set('ns/db', { data: { password: b64('s3cr3t') } });
    await m.setUp(pod([{ name: 's', secret: { secretName: 'db', defaultMode: 0o400 } }]));
    const dir = path.join(root, 'pods/uid-1/volumes/kubernetes.io~secret/s');
    expect(mounter.tmpfs.has(dir)).toBe(true);
    expect(mounter.mountedOverContent).toEqual([]);
    expect(file('kubernetes.io~secret', 's', 'password')).toBe('s3cr3t');
    expect(statSync(path.join(dir, 'password')).mode & 0o777).toBe(0o400);
    await expect(
      m.setUp(pod([{ name: 's', secret: { secretName: 'db', items: [{ key: 'user', path: 'u' }] } }])),
    ).rejects.toThrow('secret references non-existent secret key: user');
  });

  it('writes downwardAPI fields and resources in the kubelet formats', async () => {
    await m.setUp(
      pod([
        {
          name: 'd',
          downwardAPI: {
            items: [
              { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
              { path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } },
              { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } },
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'app', fieldRef: { fieldPath: "metadata.labels['app']" } },
              { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
              { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
              { path: 'cpu-req', resourceFieldRef: { containerName: 'c', resource: 'requests.cpu', divisor: '1m' } },
              { path: 'cpu-limit', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' } },
            ],
          },
        },
      ]),
    );
    const f = (p: string): string => file('kubernetes.io~downward-api', 'd', p);
    expect([f('name'), f('ns'), f('uid'), f('app')]).toEqual(['p', 'ns', 'uid-1', 'web']);
    expect(f('labels')).toBe('app="web"\ntier="a\\"b"');
    expect(f('annotations')).toBe('note="x"');
    expect([f('mem'), f('cpu-req'), f('cpu-limit')]).toEqual(['64', '250', '4']);
    await expect(
      m.setUp(pod([{ name: 'd', downwardAPI: { items: [{ path: 'ip', fieldRef: { fieldPath: 'status.podIP' } }] } }])),
    ).rejects.toThrow('not supported in volumes');
  });

  it('merges projected sources, and requests a bound token again after 80% of its lifetime', async () => {
    api.configMaps.set('ns/cfg', { data: { a: 'A' } });
    api.secrets.set('ns/sec', { data: { b: b64('B') } });
    api.now = now;
    const p = pod([
      {
        name: 'proj',
        projected: {
          defaultMode: 0o440,
          sources: [
            { configMap: { name: 'cfg' } },
            { secret: { name: 'sec', items: [{ key: 'b', path: 'nested/b' }] } },
            { downwardAPI: { items: [{ path: 'podname', fieldRef: { fieldPath: 'metadata.name' } }] } },
            { serviceAccountToken: { path: 'token', audience: 'vault', expirationSeconds: 1000 } },
          ],
        },
      },
    ]);
    await m.setUp(p);
    const f = (x: string): string => file('kubernetes.io~projected', 'proj', x);
    expect([f('a'), f('nested/b'), f('podname'), f('token')]).toEqual(['A', 'B', 'p', 'token-1']);
    expect(mounter.tmpfs.has(path.join(root, 'pods/uid-1/volumes/kubernetes.io~projected/proj'))).toBe(true);
    expect(api.tokenRequests[0]).toEqual({
      namespace: 'ns',
      serviceAccount: 'robot',
      spec: { audiences: ['vault'], expirationSeconds: 1000, pod: { name: 'p', uid: 'uid-1' } },
    });
    now += 1500;
    await m.refresh(p);
    expect(f('token')).toBe('token-1');
    now += 700_000;
    await m.refresh(p);
    expect(f('token')).toBe('token-1');
    now += 150_000; // past 800 s of 1000 s
    await m.refresh(p);
    expect(f('token')).toBe('token-2');
  });

  it('refreshes content volumes after the interval, keeping the old content when the object is gone', async () => {
    api.configMaps.set('ns/cfg', { data: { k: 'v1' } });
    const p = pod([
      { name: 'c', configMap: { name: 'cfg' } },
      { name: 'd', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    ]);
    await m.setUp(p);
    api.configMaps.set('ns/cfg', { data: { k: 'v2' } });
    expect(await m.refresh(p)).toEqual([]);
    expect(file('kubernetes.io~configmap', 'c', 'k')).toBe('v1'); // within the interval
    now += 1000;
    const relabelled = { ...p, metadata: { ...p.metadata, labels: { app: 'new' } } };
    expect(await m.refresh(relabelled)).toEqual([]);
    expect(file('kubernetes.io~configmap', 'c', 'k')).toBe('v2');
    expect(file('kubernetes.io~downward-api', 'd', 'labels')).toBe('app="new"');
    api.configMaps.delete('ns/cfg');
    now += 1000;
    const errors = await m.refresh(p);
    expect(errors.map((e) => e.message)).toEqual([
      'MountVolume.SetUp failed for volume "c" : configmap "cfg" not found',
    ]);
    expect(file('kubernetes.io~configmap', 'c', 'k')).toBe('v2');
  });

  it('emptyDir: disk, or a tmpfs sized by sizeLimit or the pod memory limits', async () => {
    const v = await m.setUp(
      pod([
        { name: 'disk', emptyDir: {} },
        { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
        { name: 'mem2', emptyDir: { medium: 'Memory' } },
      ]),
    );
    const dir = (n: string): string => path.join(root, 'pods/uid-1/volumes/kubernetes.io~empty-dir', n);
    expect(v.get('disk')).toEqual({ hostPath: dir('disk') });
    expect(statSync(dir('disk')).mode & 0o777).toBe(0o777);
    expect(mounter.tmpfs.get(dir('mem'))).toEqual({ mode: '1777', sizeBytes: 16 * 2 ** 20 });
    expect(mounter.tmpfs.get(dir('mem2'))?.sizeBytes).toBe(64 * 2 ** 20);
    expect(mounter.tmpfs.has(dir('disk'))).toBe(false);
    await expect(m.setUp(pod([{ name: 'h', emptyDir: { medium: 'HugePages' } }]))).rejects.toThrow(
      'medium "HugePages" is not supported',
    );
  });

  it('hostPath: checks or creates by type', async () => {
    const host = path.join(root, 'host');
    mkdirSync(host);
    writeFileSync(path.join(host, 'file'), 'f');
    const v = await m.setUp(
      pod([
        { name: 'a', hostPath: { path: path.join(host, 'made/deep'), type: 'DirectoryOrCreate' } },
        { name: 'b', hostPath: { path: path.join(host, 'new-file'), type: 'FileOrCreate' } },
        { name: 'c', hostPath: { path: host, type: 'Directory' } },
      ]),
    );
    expect(statSync(path.join(host, 'made/deep')).isDirectory()).toBe(true);
    expect(statSync(path.join(host, 'new-file')).isFile()).toBe(true);
    expect(v.get('c')).toEqual({ hostPath: host, readOnly: false });
    const fail = async (type: string, p: string): Promise<string> =>
      ((await m.setUp(pod([{ name: 'x', hostPath: { path: p, type } }])).catch((e: unknown) => e)) as Error).message;
    expect(await fail('Directory', path.join(host, 'file'))).toContain(
      `hostPath type check failed: ${host}/file is not a directory`,
    );
    expect(await fail('File', host)).toContain('is not a file');
    expect(await fail('Socket', path.join(host, 'file'))).toContain('is not a socket file');
    expect(await fail('FileOrCreate', path.join(host, 'no/such/file'))).toContain('does not create it');
    expect(await fail('Bogus', host)).toContain('hostPath type "Bogus"');
  });

  it('persistentVolumeClaim: waits while Pending, then mounts the bound hostPath or local PV', async () => {
    const host = path.join(root, 'pv');
    api.claims.set('ns/data', {
      metadata: { name: 'data', namespace: 'ns', uid: 'claim-uid' },
      spec: {},
      status: { phase: 'Pending' },
    });
    const p = pod([{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }]);
    await expect(m.setUp(p)).rejects.toThrow(
      'MountVolume.SetUp failed for volume "data" : PersistentVolumeClaim ns/data is not bound (phase Pending, no volumeName); the pod waits until it is',
    );
    await expect(m.setUp(pod([{ name: 'data', persistentVolumeClaim: { claimName: 'other' } }]))).rejects.toThrow(
      'persistentvolumeclaim "other" not found',
    );
    api.claims.set('ns/data', {
      metadata: { name: 'data', namespace: 'ns', uid: 'claim-uid' },
      spec: { volumeName: 'pv1' },
      status: { phase: 'Bound' },
    });
    api.volumes.set('pv1', {
      metadata: { name: 'pv1' },
      spec: {
        hostPath: { path: host, type: 'DirectoryOrCreate' },
        claimRef: { namespace: 'ns', name: 'someone-else' },
      },
    });
    await expect(m.setUp(p)).rejects.toThrow('persistentvolume "pv1" is not bound to claim ns/data');
    api.volumes.set('pv1', {
      metadata: { name: 'pv1' },
      spec: {
        hostPath: { path: host, type: 'DirectoryOrCreate' },
        claimRef: { namespace: 'ns', name: 'data', uid: 'claim-uid' },
      },
    });
    expect((await m.setUp(p)).get('data')).toEqual({ hostPath: host, readOnly: false });
    api.volumes.set('pv1', {
      metadata: { name: 'pv1' },
      spec: { local: { path: host }, claimRef: { namespace: 'ns', name: 'data' } },
    });
    const ro = pod([{ name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly: true } }]);
    expect((await m.setUp(ro)).get('data')).toEqual({ hostPath: host, readOnly: true });
  });

  it('serves the example plugin, and names unknown drivers', async () => {
    const v = await m.setUp(
      pod([{ name: 'motd', csi: { driver: 'wharf.example/motd', volumeAttributes: { to: 'crew' } } }]),
    );
    expect(file('wharf.example~motd', 'motd', 'motd')).toBe(motdText(pod([]), 'crew'));
    expect(v.get('motd')?.readOnly).toBe(true);
    await expect(m.setUp(pod([{ name: 'x', csi: { driver: 'other.example/none' } }]))).rejects.toThrow(
      'volume x: no volume plugin supports csi driver "other.example/none"',
    );
  });

  it('answers bind mounts: API data volumes read-only, subPath kept inside the volume', async () => {
    api.configMaps.set('ns/cfg', { data: { k: 'v' } });
    const v = await m.setUp(
      pod([
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'scratch', emptyDir: {} },
      ]),
    );
    const scratch = v.get('scratch')!.hostPath;
    const mounts = await mountsFor(
      {
        name: 'c',
        volumeMounts: [
          { name: 'cfg', mountPath: '/etc/cfg' },
          { name: 'scratch', mountPath: '/data', subPath: 'a/b' },
          { name: 'cfg', mountPath: '/etc/k', subPath: 'k' },
        ],
      },
      v,
    );
    expect(mounts[0]).toEqual({ hostPath: v.get('cfg')!.hostPath, containerPath: '/etc/cfg', readOnly: true });
    expect(mounts[1]).toEqual({ hostPath: path.join(scratch, 'a/b'), containerPath: '/data', readOnly: false });
    expect(mounts[2]?.hostPath).toMatch(/\/\.\.\d{4}_[^/]+\/k$/);
    symlinkSync('/etc', path.join(scratch, 'evil'));
    await expect(
      mountsFor({ name: 'c', volumeMounts: [{ name: 'scratch', mountPath: '/x', subPath: 'evil/made-here' }] }, v),
    ).rejects.toThrow('resolves outside the volume');
    expect(existsSync('/etc/made-here')).toBe(false);
    await expect(mountsFor({ name: 'c', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, v)).rejects.toThrow(
      'names no volume',
    );
  });

  it('an image volume: claimed by the image plugin; a subPath must exist in it and nothing is made there', async () => {
    const v = await m.setUp(pod([{ name: 'site', image: { reference: 'site:1', pullPolicy: 'IfNotPresent' } }]));
    expect(v.get('site')).toMatchObject({ readOnly: true, immutable: true });
    const image = path.join(root, 'image');
    mkdirSync(path.join(image, 'www/html'), { recursive: true });
    const unpacked = new Map([['site', { hostPath: image, readOnly: true, immutable: true }]]);
    expect(
      await mountsFor(
        { name: 'c', volumeMounts: [{ name: 'site', mountPath: '/srv', subPath: 'www/html' }] },
        unpacked,
      ),
    ).toEqual([{ hostPath: path.join(image, 'www/html'), containerPath: '/srv', readOnly: true }]);
    await expect(
      mountsFor({ name: 'c', volumeMounts: [{ name: 'site', mountPath: '/x', subPath: 'www/missing' }] }, unpacked),
    ).rejects.toThrow('subPath "www/missing" of volume "site" does not exist in the volume');
    expect(existsSync(path.join(image, 'www/missing'))).toBe(false);
  });

  it('tears down from disk (a fresh manager, as after a restart): tmpfs unmounted, pod dir removed', async () => {
    api.secrets.set('ns/db', { data: { p: b64('x') } });
    await m.setUp(
      pod([
        { name: 's', secret: { secretName: 'db' } },
        { name: 'm', emptyDir: { medium: 'Memory' } },
        { name: 'motd', csi: { driver: 'wharf.example/motd' } },
      ]),
    );
    expect(mounter.tmpfs.size).toBe(2);
    const fresh = new VolumeManager({ podsDir: path.join(root, 'pods'), api, mounter });
    await fresh.tearDown('uid-1');
    expect(mounter.tmpfs.size).toBe(0);
    expect(existsSync(path.join(root, 'pods/uid-1'))).toBe(false);
  });

  it('disables a plugin whose probe fails, and refuses duplicate names', async () => {
    const broken: VolumePlugin = {
      name: 'broken.example/x',
      init: () => Promise.reject(new Error('daemon not running')),
      canSupport: () => true,
      setUp: () => Promise.reject(new Error('unreachable')),
      tearDown: async () => {},
    };
    const { logger, lines } = captureLogger();
    const mm = new VolumeManager({
      podsDir: path.join(root, 'pods'),
      api,
      mounter,
      plugins: [...builtInPlugins(), broken],
      logger,
    });
    await expect(mm.setUp(pod([{ name: 'x', csi: { driver: 'broken.example/x' } }]))).rejects.toThrow(
      'disabled plugins: broken.example/x (daemon not running)',
    );
    expect(lines).toEqual([
      expect.objectContaining({
        level: LEVEL.warn,
        msg: 'volume plugin disabled',
        plugin: 'broken.example/x',
        reason: 'daemon not running',
      }),
    ]);
    expect(
      () => new VolumeManager({ podsDir: root, api, plugins: [...builtInPlugins(), ...builtInPlugins()] }),
    ).toThrow('registered twice');
  });
});
