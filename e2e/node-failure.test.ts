// Node failure as Kubernetes handles it, on a 3-node embedded cluster (zones a, b, c) with real
// containers: pods of a failed node are evicted gracefully and stay Terminating there (the node
// may still run them); a zone spread constraint with nodeTaintsPolicy Honor brings the replicas
// back in the surviving zones while the Service answers; with the default (Ignore) the
// replacement stays Pending with kube-scheduler's message until the node returns; a StatefulSet
// never runs a second web-1 while the node is unreachable, and gets it back after the
// out-of-service taint, or after `wharf node restore` once the old one finished terminating.
// WHARF_HA_REPEAT repeats the Deployment cases (default 1; more to hunt a flake).
import { execFile, execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, httpText, Kubectl, RawApi, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
const REPEAT = Math.max(1, Number(process.env.WHARF_HA_REPEAT ?? 1));
/**
 * Seconds the pods tolerate their node's failure: short, since the cases prove what happens once it is
 * over (and that nothing else does for 3 × it), not how long it lasts.
 */
const TOLERATION = 3;
const GRACE = 6;
const QUARANTINE = 5;
const ZONE_KEY = 'topology.kubernetes.io/zone';
const UNSCHEDULABLE_IGNORE =
  "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) didn't match pod topology spread constraints. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.";

interface Pod {
  metadata: { name: string; uid: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const tolerations = `
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: ${TOLERATION}}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: ${TOLERATION}}`;

const container = `
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: busybox:1
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && httpd -f -p 8080 -h /www"]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}`;

const deployment = (ns: string, policy: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: ${ZONE_KEY}, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}${policy}}${tolerations}${container}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${ns}}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
`;

const statefulSet = (ns: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${ns}}
spec: {clusterIP: None, selector: {app: web}, ports: [{port: 8080}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 3
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: ${ZONE_KEY}, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}, nodeTaintsPolicy: Honor}${tolerations}${container}
`;

/**
 * One GET, settled within 3 s whatever happens: a connection to a pod of the failed node can die
 * after the response started (its network namespace vanishes), and then neither the request's
 * 'error' nor the response's 'end' may ever come.
 */
/** Every object a watch on one pod name delivers (ADDED, MODIFIED, DELETED), until stopped. */
function watchPod(
  api: RawApi,
  ns: string,
  name: string,
  resourceVersion: string,
): { events: { type: string; pod: Pod }[]; stop: () => void } {
  const events: { type: string; pod: Pod }[] = [];
  const url = new URL(
    `${api.server}/api/v1/namespaces/${ns}/pods?watch=true&allowWatchBookmarks=false&fieldSelector=metadata.name%3D${name}&resourceVersion=${resourceVersion}`,
  );
  const req = request(url, { ca: api.ca, headers: { authorization: `Bearer ${api.token ?? ''}` } }, (res) => {
    let buf = '';
    res.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) {
          const ev = JSON.parse(line) as { type: string; object: Pod };
          events.push({ type: ev.type, pod: ev.object });
        }
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return { events, stop: () => req.destroy() };
}

describe.skipIf(skip !== '')(`node failure on 3 nodes ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let api: RawApi;
  const args = [
    '--nodes',
    '3',
    '--default-toleration-seconds',
    String(TOLERATION),
    '--node-monitor-grace-period',
    String(GRACE),
    // Checked every second, not 5: a failed node is noticed within the grace period, not 5 s after it.
    '--node-monitor-period',
    '1',
    '--node-eviction-rate',
    '10',
    // A deleted node's pods go after this instead of 40 s: the test proves that they go, and how.
    '--pod-gc-quarantine',
    String(QUARANTINE),
  ];

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: args });
    k = new Kubectl(wharf.kubeconfig);
    api = RawApi.fromKubeconfig(wharf.kubeconfig);
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
  }, 180_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  const pods = async (ns: string): Promise<Pod[]> =>
    (JSON.parse(await k.ok(['get', 'pods', '-n', ns, '-o', 'json'])) as { items: Pod[] }).items;
  const ready = (p: Pod): boolean =>
    !p.metadata.deletionTimestamp &&
    p.status.phase === 'Running' &&
    !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  const nodeCli = (action: 'fail' | 'restore', node: string) =>
    run(process.execPath, [WHARF_BIN, 'node', action, node, '--data-dir', wharf.dataDir], { timeout: 60_000 });
  /** Times each phase of a case, so a slow or stuck one is named in the output. */
  const phases = (what: string) => {
    const t0 = Date.now();
    const marks: string[] = [];
    return {
      mark: (phase: string) => marks.push(`${phase} ${((Date.now() - t0) / 1000).toFixed(1)} s`),
      print: () => process.stdout.write(`${what}: ${marks.join(', ')}\n`),
    };
  };
  const zones = async (): Promise<Map<string, string>> => {
    const nodes = JSON.parse(await k.ok(['get', 'nodes', '-o', 'json'])) as {
      items: { metadata: { name: string; labels: Record<string, string> } }[];
    };
    return new Map(nodes.items.map((n) => [n.metadata.name, n.metadata.labels[ZONE_KEY] ?? '']));
  };
  const healthy = async (node: string): Promise<void> => {
    await eventually(
      async () => {
        const n = JSON.parse(await k.ok(['get', 'node', node, '-o', 'json'])) as {
          spec: { taints?: unknown[] };
          status: { conditions: { type: string; status: string }[] };
        };
        return n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True') &&
          !(n.spec.taints ?? []).length
          ? true
          : undefined;
      },
      90_000,
      `${node} Ready and untainted`,
    );
  };
  /** The evicted pod shown Terminating on the failed node, as `kubectl get pods` prints it. */
  const terminatingOn = async (ns: string, node: string): Promise<Pod> =>
    eventually(
      async () => {
        const p = (await pods(ns)).find((x) => x.spec.nodeName === node && x.metadata.deletionTimestamp);
        if (!p) return undefined;
        const line = (await k.ok(['get', 'pod', p.metadata.name, '-n', ns, '-o', 'wide', '--no-headers'])).trim();
        return /\sTerminating\s/.test(line) && line.includes(` ${node} `) ? p : undefined;
      },
      60_000,
      `a pod Terminating on ${node}`,
    );
  async function deployed(ns: string, yaml: string): Promise<void> {
    await k.ok(['apply', '-f', '-'], { stdin: yaml });
    await eventually(
      async () => {
        const ps = await pods(ns);
        return ps.filter(ready).length === 3 ? true : undefined;
      },
      120_000,
      `3 pods Ready in ${ns}`,
    );
  }

  for (let i = 1; i <= REPEAT; i++) {
    it(`nodeTaintsPolicy Honor: after node fail, 3 replicas Running and Ready in the surviving zones while the Service answers (${i}/${REPEAT})`, async () => {
      const ns = `nf-honor-${i}`;
      const t = phases(`honor ${i}`);
      await deployed(ns, deployment(ns, ', nodeTaintsPolicy: Honor'));
      t.mark('deployed');
      const zoneOf = await zones();
      const before = await pods(ns);
      expect(new Set(before.map((p) => zoneOf.get(p.spec.nodeName ?? ''))).size).toBe(3);
      const victim = `node-${i % 3}`;
      const ip = (await k.ok(['get', 'svc', 'web', '-n', ns, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
      // Only send to the ClusterIP once its DNAT rules exist (nothing may leave the machine).
      await eventually(
        () => (execFileSync('iptables-save', ['-t', 'nat']).toString().includes(`${ip}/32`) ? true : undefined),
        15_000,
        `dataplane rules for ${ip}`,
      );
      let answered = 0;
      let failed = 0;
      let probing = true;
      const probe = (async () => {
        while (probing) {
          await httpText({ host: ip, port: 80, timeoutMs: 3000 }).then(
            () => answered++,
            () => failed++,
          );
        }
      })();
      try {
        await nodeCli('fail', victim);
        t.mark('failed');
        const old = await terminatingOn(ns, victim);
        t.mark('evicted');
        const after = await eventually(
          async () => {
            const ps = (await pods(ns)).filter(ready);
            return ps.length === 3 && ps.every((p) => p.spec.nodeName !== victim) ? ps : undefined;
          },
          120_000,
          `3 replicas Ready away from ${victim}`,
        );
        t.mark('3 Ready elsewhere');
        expect(new Set(after.map((p) => zoneOf.get(p.spec.nodeName ?? '')))).not.toContain(zoneOf.get(victim));
        // The evicted pod is still there, Terminating on the failed node: nothing force-deleted it.
        expect(
          (await pods(ns)).find((p) => p.metadata.uid === old.metadata.uid)?.metadata.deletionTimestamp,
        ).toBeTruthy();
        // The Service answers from the replacements: 20 in a row.
        await eventually(
          async () => {
            for (let n = 0; n < 20; n++) await httpText({ host: ip, port: 80, timeoutMs: 3000 });
            return true;
          },
          30_000,
          'the Service answering 20 requests in a row',
        );
        expect(answered).toBeGreaterThan(0);
        t.mark('Service answering');
        await nodeCli('restore', victim);
        // The node's agent confirms the old pod stopped.
        await eventually(
          async () => ((await pods(ns)).some((p) => p.metadata.uid === old.metadata.uid) ? undefined : true),
          60_000,
          'the old pod gone after restore',
        );
        t.mark('old pod gone after restore');
        await healthy(victim);
        t.mark('node healthy');
      } finally {
        probing = false;
        await probe;
        t.print();
        await k.run(['delete', 'namespace', ns, '--wait=false']);
      }
      process.stdout.write(`honor ${i}: ${answered} requests answered, ${failed} failed during the failure\n`);
    }, 300_000);
  }

  for (let i = 1; i <= REPEAT; i++) {
    it(`nodeTaintsPolicy Ignore (default): the replacement stays Pending with kube-scheduler's message, and runs once the node is restored (${i}/${REPEAT})`, async () => {
      const ns = `nf-ignore-${i}`;
      const t = phases(`ignore ${i}`);
      await deployed(ns, deployment(ns, ''));
      t.mark('deployed');
      const victim = `node-${(i + 1) % 3}`;
      try {
        await nodeCli('fail', victim);
        const old = await terminatingOn(ns, victim);
        t.mark('evicted');
        const pending = await eventually(
          async () => {
            const p = (await pods(ns)).find((x) => !x.spec.nodeName && !x.metadata.deletionTimestamp);
            const cond = p?.status.conditions?.find((c) => c.type === 'PodScheduled');
            return cond?.status === 'False' && cond.reason === 'Unschedulable'
              ? { p, message: cond.message }
              : undefined;
          },
          60_000,
          'an unschedulable replacement',
        );
        expect(pending.message).toBe(UNSCHEDULABLE_IGNORE);
        const events = await k.ok([
          'get',
          'events',
          '-n',
          ns,
          '--field-selector',
          `involvedObject.name=${pending.p?.metadata.name},reason=FailedScheduling`,
          '-o',
          'jsonpath={.items[*].message}',
        ]);
        expect(events).toContain(UNSCHEDULABLE_IGNORE);
        t.mark('Pending with the message');
        // It stays Pending while the node is down: polled over 3 × the toleration.
        const until = Date.now() + 3 * TOLERATION * 1000;
        while (Date.now() < until) {
          const ps = await pods(ns);
          expect(ps.find((p) => p.metadata.uid === pending.p?.metadata.uid)?.spec.nodeName).toBeUndefined();
          expect(ps.filter(ready)).toHaveLength(2);
        }
        await nodeCli('restore', victim);
        await eventually(
          async () => {
            const ps = await pods(ns);
            const replacement = ps.find((p) => p.metadata.uid === pending.p?.metadata.uid);
            return replacement &&
              ready(replacement) &&
              ps.filter(ready).length === 3 &&
              !ps.some((p) => p.metadata.uid === old.metadata.uid)
              ? true
              : undefined;
          },
          90_000,
          'the replacement Running once the node is back',
        );
        t.mark('Running after restore');
        await healthy(victim);
        t.mark('node healthy');
      } finally {
        t.print();
        await k.run(['delete', 'namespace', ns, '--wait=false']);
      }
    }, 300_000);
  }

  /**
   * web-1's node failed: checks no second web-1 appears for `holdMs` after its eviction (at least one look). The
   * first case holds for 3 × the toleration; the others go on at once to what they prove (the look still checks
   * web-1 is the old one, and their watch proves the old one was deleted before any new one appeared).
   */
  async function failWeb1(
    ns: string,
    holdMs = 0,
  ): Promise<{ victim: string; old: Pod; watch: ReturnType<typeof watchPod> }> {
    await deployed(ns, statefulSet(ns));
    const web1 = (await pods(ns)).find((p) => p.metadata.name === 'web-1') as Pod;
    const victim = web1.spec.nodeName ?? '';
    const rv = (
      JSON.parse(await k.ok(['get', 'pods', '-n', ns, '-o', 'json'])) as { metadata: { resourceVersion: string } }
    ).metadata.resourceVersion;
    const watch = watchPod(api, ns, 'web-1', rv);
    await nodeCli('fail', victim);
    const old = await terminatingOn(ns, victim);
    expect(old.metadata.uid).toBe(web1.metadata.uid);
    const until = Date.now() + holdMs;
    do {
      const now = (await pods(ns)).filter((p) => p.metadata.name === 'web-1');
      expect(now.map((p) => [p.metadata.uid, p.spec.nodeName, !!p.metadata.deletionTimestamp])).toEqual([
        [web1.metadata.uid, victim, true],
      ]);
    } while (Date.now() < until);
    // Every version of web-1 the API server published so far is the old one.
    expect(watch.events.length).toBeGreaterThan(0);
    expect(new Set(watch.events.map((e) => e.pod.metadata.uid))).toEqual(new Set([web1.metadata.uid]));
    return { victim, old, watch };
  }

  it('StatefulSet: no second web-1 while its node is unreachable; the out-of-service taint lets web-1 be recreated elsewhere', async () => {
    const ns = 'nf-sts-oos';
    const { victim, old, watch } = await failWeb1(ns, 3 * TOLERATION * 1000);
    try {
      await k.ok(['taint', 'node', victim, 'node.kubernetes.io/out-of-service=nodeshutdown:NoExecute']);
      const fresh = await eventually(
        async () => {
          const p = (await pods(ns)).find((x) => x.metadata.name === 'web-1');
          return p && p.metadata.uid !== old.metadata.uid && ready(p) ? p : undefined;
        },
        120_000,
        'a new web-1 Running',
      );
      expect(fresh.spec.nodeName).not.toBe(victim);
      // PodGC marked the old one Failed, then force-deleted it; only then did the new one appear.
      const uids = watch.events.map((e) => `${e.type}:${e.pod.metadata.uid}`);
      const deletedAt = uids.indexOf(`DELETED:${old.metadata.uid}`);
      expect(deletedAt).toBeGreaterThanOrEqual(0);
      expect(uids.findIndex((u) => u.endsWith(fresh.metadata.uid))).toBeGreaterThan(deletedAt);
      expect(watch.events.find((e) => e.type === 'DELETED')?.pod.status.phase).toBe('Failed');
    } finally {
      watch.stop();
      await k.ok(['taint', 'node', victim, 'node.kubernetes.io/out-of-service-']);
      await nodeCli('restore', victim);
      await healthy(victim);
      await k.run(['delete', 'namespace', ns, '--wait=false']);
    }
  }, 300_000);

  it('StatefulSet: after kubectl delete node, PodGC removes the orphaned web-1 (Failed, DisruptionTarget) and it is recreated elsewhere', async () => {
    const ns = 'nf-sts-delete';
    const { victim, old, watch } = await failWeb1(ns);
    try {
      await k.ok(['delete', 'node', victim]);
      const fresh = await eventually(
        async () => {
          const p = (await pods(ns)).find((x) => x.metadata.name === 'web-1');
          return p && p.metadata.uid !== old.metadata.uid && ready(p) ? p : undefined;
        },
        150_000,
        "a new web-1 Running after PodGC's quarantine",
      );
      expect(fresh.spec.nodeName).not.toBe(victim);
      const gone = watch.events.find((e) => e.type === 'DELETED' && e.pod.metadata.uid === old.metadata.uid);
      expect(gone?.pod.status.phase).toBe('Failed');
      expect(gone?.pod.status.conditions).toContainEqual(
        expect.objectContaining({
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'DeletionByPodGC',
          message: 'PodGC: node no longer exists',
        }),
      );
      const uids = watch.events.map((e) => `${e.type}:${e.pod.metadata.uid}`);
      expect(uids.findIndex((u) => u.endsWith(fresh.metadata.uid))).toBeGreaterThan(
        uids.indexOf(`DELETED:${old.metadata.uid}`),
      );
    } finally {
      watch.stop();
      // The machine comes back: its agent registers the Node again.
      await nodeCli('restore', victim);
      await healthy(victim);
      await k.run(['delete', 'namespace', ns, '--wait=false']);
    }
  }, 300_000);

  it('StatefulSet: after wharf node restore, the old web-1 finishes terminating before a new one starts', async () => {
    const ns = 'nf-sts-restore';
    const { victim, old, watch } = await failWeb1(ns);
    try {
      await nodeCli('restore', victim);
      const fresh = await eventually(
        async () => {
          const p = (await pods(ns)).find((x) => x.metadata.name === 'web-1');
          return p && p.metadata.uid !== old.metadata.uid && ready(p) ? p : undefined;
        },
        120_000,
        'a new web-1 Running',
      );
      const uids = watch.events.map((e) => `${e.type}:${e.pod.metadata.uid}`);
      const deletedAt = uids.indexOf(`DELETED:${old.metadata.uid}`);
      expect(deletedAt).toBeGreaterThanOrEqual(0);
      expect(uids.findIndex((u) => u.endsWith(fresh.metadata.uid))).toBeGreaterThan(deletedAt);
      await healthy(victim);
    } finally {
      watch.stop();
      await k.run(['delete', 'namespace', ns, '--wait=false']);
    }
  }, 300_000);
});
