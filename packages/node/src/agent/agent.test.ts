// The node agent against a real `wharf up` process, with real runc and CNI plugins, as root.
// Pods run a busybox root filesystem from Debian's busybox-static package. Everything the test
// creates (containers, namespaces, mounts, bridge, cgroups, the Wharf process) is removed in
// afterAll, also on failure.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfs, eventually, json, RawApi, WharfProcess } from '@wharf/testing';
import { listNetns } from '../network/netns.js';
import { PodRuntime, sandboxId } from '../runtime/pod-runtime.js';
import { mountsUnder } from '../runtime/rootfs.js';
import { NodeAgent } from './agent.js';
import { ImagePullError, type ImageProvider } from './image-provider.js';

const missing = [
  process.getuid?.() !== 0 && 'root',
  !existsSync('/usr/sbin/runc') && 'runc (/usr/sbin/runc)',
  !existsSync('/usr/lib/cni/bridge') && 'CNI plugins (/usr/lib/cni)',
  !existsSync(fileURLToPath(new URL('../../../cli/dist/index.js', import.meta.url))) &&
    'a built CLI (npx tsc -b packages/cli packages/testing)',
].filter(Boolean);
if (missing.length > 0) console.warn(`skipping agent.test.ts: needs ${missing.join(', ')}`);

const tag = randomBytes(3).toString('hex');
const nodeName = `wa-${tag}`;
const bridge = `wab${tag}`;
const podCIDR = `10.214.${randomBytes(1)[0]! % 250}.0/24`;
const NS = 'default';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API objects, asserted field by field
type Obj = Record<string, any>;

describe.skipIf(missing.length > 0)('NodeAgent (wharf up + runc + CNI)', () => {
  let wharf: WharfProcess;
  let api: RawApi;
  let stateDir: string;
  let hostDir: string;
  let rootfs: string;
  let runtime: PodRuntime;
  let agent: NodeAgent;
  let ipForward: string;
  const kc = new KubeConfig();
  const sandboxes: string[] = [];
  const images: ImageProvider = {
    async ensure(image) {
      if (image === 'busybox:1')
        return { rootfs, config: { cmd: ['sh'] }, imageID: 'wharf.local/busybox@sha256:test', pulled: false };
      throw new ImagePullError(image, 'not found in the test image set');
    },
  };
  const newAgent = (): NodeAgent =>
    new NodeAgent({
      kubeConfig: kc,
      nodeName,
      zone: 'a',
      podCIDR,
      runtime,
      images,
      stateDir,
      logsPort: 0,
      heartbeatSeconds: 2,
      backoffBaseMs: 300,
      syncIntervalMs: 200,
    });

  const podPath = (name: string): string => `/api/v1/namespaces/${NS}/pods/${name}`;
  const getPod = async (name: string): Promise<Obj | undefined> => {
    const r = await api.get(podPath(name));
    return r.status === 404 ? undefined : json(r);
  };
  const createPod = async (name: string, spec: Obj): Promise<Obj> => {
    const r = await api.post(`/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { nodeName, terminationGracePeriodSeconds: 2, ...spec },
    });
    expect(r.status, r.text).toBe(201);
    const pod = json(r);
    sandboxes.push(sandboxId({ uid: pod.metadata.uid, name, namespace: NS }));
    return pod;
  };
  const waitPod = (name: string, ok: (p: Obj) => unknown, timeoutMs = 20_000, what = `pod ${name}`): Promise<Obj> =>
    eventually(
      async () => {
        const p = await getPod(name);
        return p && ok(p) ? p : undefined;
      },
      timeoutMs,
      what,
    );
  const deleteNow = async (name: string): Promise<void> => {
    await api.request('DELETE', podPath(name), { body: { gracePeriodSeconds: 0 } });
  };
  const events = async (pod: string): Promise<Obj[]> =>
    json(
      await api.get(
        `/api/v1/namespaces/${NS}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${pod}`)}`,
      ),
    ).items;
  const logs = (pod: string, container: string, query = ''): Promise<string> =>
    httpGet(`http://127.0.0.1:${agent.logsPort}/containerLogs/${NS}/${pod}/${container}${query}`);
  const bb = (name: string, script: string, extra: Obj = {}): Obj => ({
    name,
    image: 'busybox:1',
    command: ['sh', '-c', script],
    ...extra,
  });

  beforeAll(async () => {
    ipForward = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
    rootfs = await busyboxRootfs();
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'wharf-agent-'));
    hostDir = await mkdtemp(path.join(os.tmpdir(), 'wharf-agent-host-'));
    wharf = await WharfProcess.start();
    kc.loadFromFile(wharf.kubeconfig);
    api = RawApi.fromKubeconfig(wharf.kubeconfig);
    runtime = new PodRuntime({ nodeName, stateDir, cni: { podCIDR, bridge } });
    agent = newAgent();
    await agent.start();
  }, 120_000);

  afterAll(async () => {
    const errors: unknown[] = [];
    // Each step is bounded, so one that hangs cannot keep the next from cleaning up.
    const step = async (fn: () => unknown, timeoutMs = 20_000): Promise<void> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          fn(),
          new Promise(
            (_, reject) =>
              (timer = setTimeout(() => reject(new Error(`cleanup step timed out: ${fn.toString()}`)), timeoutMs)),
          ),
        ]);
      } catch (e) {
        errors.push(e);
      } finally {
        clearTimeout(timer);
      }
    };
    await step(() => agent?.stop(), 15_000);
    await step(() => runtime?.reset(), 30_000);
    await step(() => wharf?.stop(), 10_000);
    await step(() => wharf?.kill(), 5_000);
    api?.close();
    // Whatever reset missed (a bug), by name: still clean the machine, then fail below.
    const ours = (await listNetns('wharf-')).filter((ns) => sandboxes.includes(ns));
    for (const ns of ours) await step(() => execFileSync('ip', ['netns', 'delete', ns]));
    await step(() => execFileSync('sh', ['-c', `ip link delete ${bridge} 2>/dev/null || true`]));
    if (ipForward === '0') await step(() => writeFile('/proc/sys/net/ipv4/ip_forward', '0'));
    const strayMounts = stateDir ? await mountsUnder(stateDir) : [];
    for (const m of [...strayMounts].reverse()) await step(() => execFileSync('umount', ['-l', m]));
    for (const d of [stateDir, hostDir, wharf?.dataDir])
      if (d) await step(() => rm(d, { recursive: true, force: true }));
    expect(errors).toEqual([]);
    expect(ours).toEqual([]);
    expect(strayMounts).toEqual([]);
  }, 90_000);

  it('registers the node: Ready, zone label, capacity, lease, logs endpoint', async () => {
    const node = json(await api.get(`/api/v1/nodes/${nodeName}`));
    expect(node.metadata.labels).toMatchObject({
      'topology.kubernetes.io/zone': 'a',
      'kubernetes.io/hostname': nodeName,
      'kubernetes.io/os': 'linux',
      'wharf.dev/runtime': 'runc',
    });
    expect(node.spec.podCIDR).toBe(podCIDR);
    expect(node.status.conditions.find((c: Obj) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'KubeletReady',
    });
    expect(node.status.capacity.pods).toBe('110');
    expect(Number(node.status.capacity.cpu)).toBe(os.cpus().length);
    expect(node.status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.32.0-wharf', operatingSystem: 'linux' });
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^runc:\/\/\d+\.\d+/);
    expect(node.status.daemonEndpoints.kubeletEndpoint.Port).toBe(agent.logsPort);
    const lease = json(await api.get(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeName}`));
    const first = Date.parse(lease.spec.renewTime);
    await eventually(
      async () =>
        Date.parse(
          json(await api.get(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeName}`)).spec
            .renewTime,
        ) > first,
      5_000,
      'lease renewal',
    );
  });

  it('runs an HTTP server pod: Running with a pod IP, answers from the host, env from fieldRef', async () => {
    const t0 = Date.now();
    await createPod('web', {
      containers: [
        bb('web', 'echo "hello from $MY_NAME in $MY_NS" > /tmp/index.html; exec httpd -f -p 8080 -h /tmp', {
          env: [
            { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          ],
          ports: [{ containerPort: 8080 }],
        }),
      ],
    });
    const pod = await waitPod('web', (p) => p.status?.phase === 'Running', 20_000);
    const latency = Date.now() - t0;
    console.log(`pod start latency (create → Running seen by a poller): ${latency} ms`);
    expect(pod.status.podIP).toMatch(/^10\.214\./);
    expect(pod.status.podIPs).toEqual([{ ip: pod.status.podIP }]);
    expect(pod.status.hostIP).toBe('127.0.0.1');
    expect(pod.status.startTime).toBeTruthy();
    const cs = pod.status.containerStatuses[0];
    expect(cs).toMatchObject({
      name: 'web',
      image: 'busybox:1',
      imageID: 'wharf.local/busybox@sha256:test',
      restartCount: 0,
      started: true,
      ready: true,
    });
    expect(cs.containerID).toMatch(/^runc:\/\/wharf-/);
    expect(cs.state.running.startedAt).toBeTruthy();
    expect(pod.status.conditions.map((c: Obj) => `${c.type}=${c.status}`)).toEqual(
      expect.arrayContaining([
        'PodReadyToStartContainers=True',
        'Initialized=True',
        'Ready=True',
        'ContainersReady=True',
        'PodScheduled=True',
      ]),
    );
    const body = await eventually(
      () => httpGet(`http://${pod.status.podIP}:8080/index.html`).catch(() => undefined),
      5_000,
      'httpd',
    );
    expect(body).toBe('hello from web in default\n');
    const reasons = (await events('web')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Pulled', 'Created', 'Started']));
  });

  it('restarts a crashing container with growing back-off and CrashLoopBackOff', async () => {
    await createPod('crash', { containers: [bb('crash', 'echo crashing; exit 3')] });
    const seen = new Set<string>();
    const pod = await waitPod(
      'crash',
      (p) => {
        const cs = p.status?.containerStatuses?.[0];
        if (cs?.state?.waiting?.reason) seen.add(cs.state.waiting.reason);
        return cs && cs.restartCount >= 3 && seen.has('CrashLoopBackOff');
      },
      15_000,
      `crash loop (seen ${[...seen]})`,
    );
    const cs = pod.status.containerStatuses[0];
    expect(cs.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(cs.lastState.terminated.startedAt).toBeTruthy();
    expect(cs.lastState.terminated.finishedAt).toBeTruthy();
    expect(pod.status.phase).toBe('Running');
    expect((await events('crash')).map((e) => e.reason)).toContain('BackOff');
    expect(await logs('crash', 'crash', '?previous=true')).toBe('crashing\n');
    await deleteNow('crash');
  });

  it('OnFailure: a completing container makes the pod Succeeded; Never: a failing one makes it Failed', async () => {
    await createPod('done-ok', { restartPolicy: 'OnFailure', containers: [bb('job', 'echo done')] });
    await createPod('done-bad', { restartPolicy: 'Never', containers: [bb('job', 'exit 7')] });
    const ok = await waitPod('done-ok', (p) => p.status?.phase === 'Succeeded');
    expect(ok.status.containerStatuses[0]).toMatchObject({
      restartCount: 0,
      ready: false,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    expect(ok.status.conditions.find((c: Obj) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
    const bad = await waitPod('done-bad', (p) => p.status?.phase === 'Failed');
    expect(bad.status.containerStatuses[0]).toMatchObject({
      restartCount: 0,
      state: { terminated: { exitCode: 7, reason: 'Error' } },
    });
    await deleteNow('done-ok');
    await deleteNow('done-bad');
  });

  it('runs init containers first; their output reaches the app through an emptyDir', async () => {
    await createPod('init', {
      initContainers: [
        bb('fetch', 'echo artifact-v1 > /work/artifact', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
      ],
      containers: [
        bb('app', 'cat /work/artifact; exec sleep 3600', {
          volumeMounts: [{ name: 'work', mountPath: '/work', readOnly: true }],
        }),
      ],
      volumes: [{ name: 'work', emptyDir: {} }],
    });
    const pod = await waitPod('init', (p) => p.status?.phase === 'Running');
    expect(pod.status.initContainerStatuses[0]).toMatchObject({
      name: 'fetch',
      ready: true,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    expect(await eventually(async () => (await logs('init', 'app')) || undefined, 5_000)).toBe('artifact-v1\n');
  });

  it('reports an unknown image as ErrImagePull / ImagePullBackOff', async () => {
    await createPod('noimage', { containers: [{ name: 'c', image: 'nope:1' }] });
    const pod = await waitPod(
      'noimage',
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    expect(pod.status.phase).toBe('Pending');
    const reasons = await eventually(async () => {
      const r = (await events('noimage')).map((e) => `${e.reason}: ${e.message}`);
      return r.some((x) => x.startsWith('BackOff')) ? r : undefined;
    }, 10_000);
    expect(reasons).toContain('Failed: Error: ErrImagePull');
    expect(reasons).toContain('BackOff: Back-off pulling image "nope:1"');
    expect(reasons).toContain('Failed: Error: ImagePullBackOff');
    await deleteNow('noimage');
  });

  it('readiness probe drives Ready: False, then True, then False', async () => {
    await createPod('ready', {
      containers: [
        bb('c', 'exec sleep 3600', {
          readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 },
        }),
      ],
    });
    const pod = await waitPod('ready', (p) => p.status?.phase === 'Running');
    const readyOf = (p: Obj): string => p.status.conditions.find((c: Obj) => c.type === 'Ready').status;
    expect(readyOf(pod)).toBe('False');
    expect(pod.status.containerStatuses[0].ready).toBe(false);
    const id = pod.status.containerStatuses[0].containerID.replace('runc://', '');
    await runtime.execSync(id, ['touch', '/tmp/ready']);
    const up = await waitPod('ready', (p) => readyOf(p) === 'True', 5_000);
    expect(up.status.containerStatuses[0].ready).toBe(true);
    await runtime.execSync(id, ['rm', '/tmp/ready']);
    await waitPod('ready', (p) => readyOf(p) === 'False', 5_000);
    await deleteNow('ready');
  });

  it('liveness failure kills and restarts the container (Unhealthy, Killing)', async () => {
    await createPod('live', {
      terminationGracePeriodSeconds: 1,
      containers: [
        bb('c', 'touch /tmp/alive; exec sleep 3600', {
          livenessProbe: { exec: { command: ['test', '-f', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 1 },
        }),
      ],
    });
    const pod = await waitPod('live', (p) => p.status?.containerStatuses?.[0]?.state?.running);
    const id = pod.status.containerStatuses[0].containerID.replace('runc://', '');
    await runtime.execSync(id, ['rm', '/tmp/alive']);
    const after = await waitPod(
      'live',
      (p) => p.status.containerStatuses[0].restartCount === 1 && p.status.containerStatuses[0].state.running,
      10_000,
    );
    expect(after.status.containerStatuses[0].lastState.terminated).toBeTruthy();
    const reasons = (await events('live')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Unhealthy', 'Killing']));
    await deleteNow('live');
  });

  it('logs endpoint: tailLines, timestamps, follow until the container exits', async () => {
    await createPod('logger', {
      restartPolicy: 'Never',
      containers: [
        bb('c', 'for i in 1 2 3 4 5; do echo line $i; done; sleep 1; for i in 6 7 8; do echo line $i; sleep 0.2; done'),
      ],
    });
    await waitPod('logger', (p) => p.status?.containerStatuses?.[0]?.state?.running);
    await eventually(async () => ((await logs('logger', 'c')).includes('line 5') ? true : undefined), 5_000);
    expect(await logs('logger', 'c', '?tailLines=2')).toBe('line 4\nline 5\n');
    expect(await logs('logger', 'c', '?tailLines=1&timestamps=true')).toMatch(/^\d{4}-\d\d-\d\dT\S+Z line 5\n$/);
    const t0 = Date.now();
    const followed = await logs('logger', 'c', '?follow=true&tailLines=1');
    expect(followed).toBe('line 5\nline 6\nline 7\nline 8\n');
    expect(Date.now() - t0).toBeGreaterThan(400);
    expect(await logs('logger', 'c', '?limitBytes=7')).toBe('line 1\n');
    await expect(logs('logger', 'nope')).rejects.toThrow(/404/);
    await deleteNow('logger');
  });

  it('graceful delete runs preStop, stops the container, then removes the pod', async () => {
    const data = path.join(hostDir, 'data');
    await createPod('bye', {
      terminationGracePeriodSeconds: 5,
      containers: [
        bb('c', 'trap "echo term >> /data/log; exit 0" TERM; while true; do sleep 0.1; done', {
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop >> /data/log'] } } },
        }),
      ],
      volumes: [{ name: 'data', hostPath: { path: data, type: 'DirectoryOrCreate' } }],
    });
    const pod = await waitPod('bye', (p) => p.status?.phase === 'Running');
    await new Promise((r) => setTimeout(r, 300)); // let sh install the trap
    const r = await api.request('DELETE', podPath('bye'));
    expect([200, 202]).toContain(r.status);
    const marked = json(r);
    expect(marked.metadata.deletionTimestamp).toBeTruthy(); // graceful: the agent finishes it
    const t0 = Date.now();
    await eventually(async () => ((await getPod('bye')) ? undefined : true), 10_000, 'pod gone');
    console.log(`graceful delete took ${Date.now() - t0} ms`);
    expect(await readFile(path.join(data, 'log'), 'utf8')).toBe('prestop\nterm\n');
    expect((await runtime.listPodSandboxes()).map((s) => s.config.uid)).not.toContain(pod.metadata.uid);
    expect((await events('bye')).map((e) => e.reason)).toContain('Killing');
  });

  it('a restarted agent re-adopts running containers and removes pods deleted while it was down', async () => {
    const web = (await getPod('web'))!;
    const before = web.status.containerStatuses[0].containerID;
    await createPod('doomed', { containers: [bb('c', 'exec sleep 3600')] });
    const doomed = await waitPod('doomed', (p) => p.status?.phase === 'Running');
    await agent.stop();
    await deleteNow('doomed');
    runtime = new PodRuntime({ nodeName, stateDir, cni: { podCIDR, bridge } });
    agent = newAgent();
    await agent.start();
    await eventually(
      async () =>
        (await runtime.listPodSandboxes()).some((s) => s.config.uid === doomed.metadata.uid) ? undefined : true,
      10_000,
      'orphan removed',
    );
    await new Promise((r) => setTimeout(r, 500));
    const again = (await getPod('web'))!;
    expect(again.status.containerStatuses[0]).toMatchObject({
      containerID: before,
      restartCount: 0,
      state: { running: expect.anything() },
    });
    expect(await httpGet(`http://${again.status.podIP}:8080/index.html`)).toBe('hello from web in default\n');
  });
});

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
