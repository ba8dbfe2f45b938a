// The seed's high-availability scenarios on a 3-node embedded cluster with real containers:
// a node dies and its pods come back elsewhere while the Service keeps answering; a crashed
// container restarts in place; an unready pod leaves the endpoints; the control plane restarts
// under running workloads; replicas spread over zones; drain honours a PodDisruptionBudget; and a
// rolling update under steady load drops no request.
import { execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, httpText, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

const app = (name: string, replicas: number, extra = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: busybox:1
        command: ["sh", "-c", "mkdir -p /www && echo $(hostname) > /www/index.html && touch /tmp/ready && httpd -f -p 8080 -h /www; exit 1"]
        readinessProbe: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 1, failureThreshold: 1}
        lifecycle: {preStop: {exec: {command: [sleep, "2"]}}}
${extra}---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec: {selector: {app: ${name}}, ports: [{port: 80, targetPort: 8080}]}
`;

describe.skipIf(skip !== '')(`high availability on 3 nodes ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  const args = [
    '--nodes',
    '3',
    '--default-toleration-seconds',
    '3',
    '--node-monitor-grace-period',
    '6',
    // Checked every second, not 5: the failed node is noticed within the grace period, not 5 s after it.
    '--node-monitor-period',
    '1',
    '--node-eviction-rate',
    '10',
  ];

  /** The Service's ClusterIP, once the dataplane has rules for it (traffic never leaves the machine). */
  async function clusterIP(svc: string): Promise<string> {
    const ip = (await k.ok(['get', 'svc', svc, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await eventually(
      () => (execFileSync('iptables-save', ['-t', 'nat']).toString().includes(`${ip}/32`) ? true : undefined),
      15_000,
      `dataplane rules for ${ip}`,
    );
    return ip;
  }
  /** A field of the Running pods that are not terminating (evicted pods of a failed node stay Terminating). */
  const pods = async (sel: string, path: string): Promise<string[]> => {
    const items = (
      JSON.parse(await k.ok(['get', 'pods', '-l', sel, '--field-selector=status.phase=Running', '-o', 'json'])) as {
        items: Record<string, Record<string, unknown>>[];
      }
    ).items;
    return items
      .filter((p) => !p.metadata?.deletionTimestamp)
      .map((p) => {
        const [top, field] = path.split('.') as [string, string];
        return String(p[top]?.[field] ?? '');
      })
      .filter(Boolean);
  };

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: args });
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
  }, 180_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('spreads replicas over the three zones', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: app('web', 3) });
    await k.ok(['rollout', 'status', 'deploy/web', '--timeout=90s'], { timeoutMs: 100_000 });
    const nodes = await pods('app=web', 'spec.nodeName');
    expect(new Set(nodes).size).toBe(3);
  });

  it('restarts a crashed container on the same node, in the same pod', async () => {
    const [name] = await pods('app=web', 'metadata.name');
    const before = JSON.parse(await k.ok(['get', 'pod', name as string, '-o', 'json'])) as {
      metadata: { uid: string };
      spec: { nodeName: string };
    };
    // httpd dies; the shell that started it (the container's first process) exits with it.
    await k.ok(['exec', name as string, '--', 'busybox', 'killall', 'httpd']);
    await eventually(
      async () =>
        Number(
          await k.ok(['get', 'pod', name as string, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']),
        ) >= 1
          ? true
          : undefined,
      30_000,
      'a restart',
    );
    const after = JSON.parse(await k.ok(['get', 'pod', name as string, '-o', 'json'])) as {
      metadata: { uid: string };
      spec: { nodeName: string };
    };
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.spec.nodeName).toBe(before.spec.nodeName);
    await k.ok(['rollout', 'status', 'deploy/web', '--timeout=60s'], { timeoutMs: 70_000 });
  });

  it('takes an unready pod out of the endpoints and sends it no traffic until it recovers', async () => {
    const ip = await clusterIP('web');
    const [name] = await pods('app=web', 'metadata.name');
    const host = (await k.ok(['exec', name as string, '--', 'hostname'])).trim();
    const podIP = (await k.ok(['get', 'pod', name as string, '-o', 'jsonpath={.status.podIP}'])).trim();
    await k.ok(['exec', name as string, '--', 'rm', '/tmp/ready']);
    await eventually(
      async () =>
        (await k.ok([
          'get',
          'pod',
          name as string,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ])) === 'False'
          ? true
          : undefined,
      15_000,
      'the pod not ready',
    );
    // Out of the EndpointSlice, then out of the dataplane's rules.
    await eventually(
      async () =>
        (await k.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json'])).match(
          new RegExp(`"${podIP.replace(/\./g, '\\.')}"[\\s\\S]*?"ready": false`),
        )
          ? true
          : undefined,
      15_000,
      'the endpoint marked not ready',
    );
    await eventually(
      () => (execFileSync('iptables-save', ['-t', 'nat']).toString().includes(`${podIP}:8080`) ? undefined : true),
      15_000,
      'the endpoint out of the rules',
    );
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) seen.add(await httpText({ host: ip, port: 80, timeoutMs: 2000 }));
    expect(seen.has(host)).toBe(false);
    expect(seen.size).toBe(2);
    await k.ok(['exec', name as string, '--', 'touch', '/tmp/ready']);
    await eventually(
      async () => {
        for (let i = 0; i < 30; i++)
          if ((await httpText({ host: ip, port: 80, timeoutMs: 2000 })) === host) return true;
        return undefined;
      },
      20_000,
      'traffic to the recovered pod',
    );
  });

  it('moves the pods of a failed node to the others while the Service keeps answering', async () => {
    const ip = await clusterIP('web');
    const victim = (await pods('app=web', 'spec.nodeName'))[0] as string;
    await run(process.execPath, [WHARF_BIN, 'node', 'fail', victim, '--data-dir', wharf.dataDir]);
    let failures = 0;
    let answered = 0;
    await eventually(
      async () => {
        try {
          await httpText({ host: ip, port: 80, timeoutMs: 2000 });
          answered++;
        } catch {
          failures++;
        }
        const nodes = await pods('app=web', 'spec.nodeName');
        return nodes.length === 3 && !nodes.includes(victim) ? true : undefined;
      },
      90_000,
      `3 pods Running away from ${victim}`,
    );
    expect(answered).toBeGreaterThan(0);
    await eventually(
      async () => ((await httpText({ host: ip, port: 80, timeoutMs: 2000 })).length > 0 ? true : undefined),
      15_000,
      'the Service answering',
    );
    expect(await k.ok(['get', 'node', victim, '-o', 'jsonpath={.spec.taints[*].key}'])).toContain(
      'node.kubernetes.io/unreachable',
    );
    // The evicted pod stays Terminating on the failed node until its agent confirms.
    expect(await k.ok(['get', 'pods', '-l', 'app=web', '-o', 'wide', '--no-headers'])).toMatch(
      new RegExp(`\\sTerminating\\s.*\\s${victim}\\s`),
    );
    await run(process.execPath, [WHARF_BIN, 'node', 'restore', victim, '--data-dir', wharf.dataDir]);
    await eventually(
      async () =>
        (await k.ok(['get', 'node', victim, '-o', 'jsonpath={.spec.taints}'])).includes('unreachable')
          ? undefined
          : true,
      60_000,
      `${victim} healthy again`,
    );
    await eventually(
      async () =>
        (await k.ok(['get', 'pods', '-l', 'app=web', '-o', 'wide', '--no-headers'])).includes('Terminating')
          ? undefined
          : true,
      60_000,
      'the evicted pod gone once its node is back',
    );
    void failures;
  });

  it('drains a node while a PodDisruptionBudget keeps the minimum available, and uncordons it', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin:
        'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec: {minAvailable: 2, selector: {matchLabels: {app: web}}}\n',
    });
    const node = (await pods('app=web', 'spec.nodeName'))[0] as string;
    const drained = await k.run(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    expect(drained.code, drained.stderr).toBe(0);
    expect((await pods('app=web', 'spec.nodeName')).includes(node)).toBe(false);
    // The Deployment's status is written asynchronously: wait for it to report the replacements.
    await eventually(
      async () =>
        Number(await k.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.status.availableReplicas}'])) >= 2
          ? true
          : undefined,
      60_000,
      'two available replicas',
    );
    await k.ok(['uncordon', node]);
    expect(await k.ok(['get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'])).toBe('');
  });

  it('keeps workloads serving while the control plane restarts, with all state intact', async () => {
    const ip = await clusterIP('web');
    const podIPs = await pods('app=web', 'status.podIP');
    const before = await k.ok(['get', 'deploy,rs,pods,svc,endpointslices', '-o', 'name']);
    expect(await wharf.stop()).toBe(0);
    // The containers keep serving while Wharf is down (and so do the Service rules: control-plane-restart.test.ts).
    for (const p of podIPs)
      expect((await httpText({ host: p, port: 8080, timeoutMs: 2000 })).length).toBeGreaterThan(0);
    await wharf.restart({ extraArgs: args });
    expect(await k.ok(['get', 'deploy,rs,pods,svc,endpointslices', '-o', 'name'])).toBe(before);
    await clusterIP('web');
    await eventually(
      async () => ((await httpText({ host: ip, port: 80, timeoutMs: 2000 })).length > 0 ? true : undefined),
      30_000,
      'the Service after the restart',
    );
  });

  it('drops no request during a rolling update under steady load', async () => {
    const ip = await clusterIP('web');
    let ok = 0;
    let failed = 0;
    let loading = true;
    const load = (async () => {
      while (loading) {
        try {
          await httpText({ host: ip, port: 80, timeoutMs: 2000 });
          ok++;
        } catch {
          failed++;
        }
      }
    })();
    await k.ok(['set', 'env', 'deploy/web', 'VERSION=2']);
    await k.ok(['rollout', 'status', 'deploy/web', '--timeout=120s'], { timeoutMs: 130_000 });
    loading = false;
    await load;
    expect(ok).toBeGreaterThan(50);
    expect(failed).toBe(0);
  });
});
