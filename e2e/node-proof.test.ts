// What the node agents do for a user, proven on `wharf up --nodes 2` with real runc and CNI: a
// busybox HTTP pod answers at its pod IP from the host and from a pod on the other node; a memory
// hog is OOMKilled and restarted with an OOMKilling event; a CPU limit holds a busy loop to its
// quota (cpuacct of its cgroup); `kubectl logs -f` follows a running container until it exits.
// Needs root, runc and the CNI plugins (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, httpGet, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

/** A one-container busybox pod pinned to `node`; `limits` as YAML flow, e.g. `{memory: 32Mi}`. */
const pod = (
  name: string,
  node: string,
  command: string,
  o: { limits?: string; restartPolicy?: string } = {},
): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  restartPolicy: ${o.restartPolicy ?? 'Always'}
  containers:
  - name: main
    image: busybox:1
    command: ["sh", "-c", ${JSON.stringify(command)}]
    resources: {limits: ${o.limits ?? '{}'}}
`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API objects, asserted field by field
type Obj = Record<string, any>;

describe.skipIf(skip !== '')(`node agents: networking, OOM, CPU limits, logs -f ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  const getPod = async (name: string): Promise<Obj> =>
    JSON.parse(await k.ok(['get', 'pod', name, '-o', 'json'])) as Obj;
  /** The container's cpuacct.usage (ns) under /wharf/<node>/<container id>. */
  const cpuUsagePath = async (name: string): Promise<string> => {
    const p = await getPod(name);
    const id = String(p.status.containerStatuses[0].containerID).replace(/^runc:\/\//, '');
    return `/sys/fs/cgroup/cpuacct/wharf/${p.spec.nodeName}/${id}/cpuacct.usage`;
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
  }, 150_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('a pod serving HTTP on node-0 answers at its pod IP from the host and from a pod on node-1', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin:
        pod(
          'web',
          'node-0',
          'mkdir -p /www && echo served-by-$(hostname) > /www/index.html && exec httpd -f -p 8080 -h /www',
        ) +
        '---' +
        pod('client', 'node-1', 'exec sleep 3600'),
    });
    await k.ok(['wait', '--for=condition=Ready', 'pod/web', 'pod/client', '--timeout=60s'], { timeoutMs: 70_000 });
    const web = await getPod('web');
    const client = await getPod('client');
    expect([web.spec.nodeName, client.spec.nodeName]).toEqual(['node-0', 'node-1']);
    // Each node has its own bridge and pod CIDR: the request is routed from one to the other.
    expect(web.status.podIP.split('.').slice(0, 3)).not.toEqual(client.status.podIP.split('.').slice(0, 3));
    expect((await httpGet({ host: web.status.podIP, port: 8080 })).text).toBe('served-by-web\n');
    // (busybox 1.35's `wget -T` segfaults, so no -T here; kubectl's own timeout bounds the call.)
    const r = await k.run(['exec', 'client', '--', 'wget', '-qO-', `http://${web.status.podIP}:8080/`], {
      timeoutMs: 30_000,
    });
    expect(r).toMatchObject({ code: 0, stdout: 'served-by-web\n' });
  });

  it('a memory hog is OOMKilled (exit 137), restarted again and again, with an OOMKilling event', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: pod('hog', 'node-1', 'echo filling; x=a; while true; do x=$x$x; done', { limits: '{memory: 32Mi}' }),
    });
    // The first restart is immediate, the second after a 10 s back-off.
    const status = await eventually(
      async () => {
        const s = (await getPod('hog')).status?.containerStatuses?.[0];
        return s && s.restartCount >= 2 ? s : undefined;
      },
      120_000,
      'two restarts of the hog',
    );
    expect(status.lastState.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    const events = await eventually(
      async () => {
        const list = JSON.parse(
          await k.ok(['get', 'events', '--field-selector', 'involvedObject.name=hog,reason=OOMKilling', '-o', 'json']),
        ) as Obj;
        return list.items[0]?.count >= 2 ? list.items : undefined;
      },
      20_000,
      'an OOMKilling event counted twice',
    );
    expect(events[0]).toMatchObject({
      type: 'Warning',
      message: 'Memory cgroup out of memory: container main was killed at its memory limit of 32Mi',
      involvedObject: { kind: 'Pod', name: 'hog', fieldPath: 'spec.containers{main}' },
      source: { component: 'kubelet', host: 'node-1' },
    });
    expect(events).toHaveLength(1); // repeats are counted on one event
    expect(await k.ok(['describe', 'pod', 'hog'])).toMatch(
      /Last State:\s+Terminated\n\s+Reason:\s+OOMKilled\n\s+Exit Code:\s+137/,
    );
    await k.ok(['delete', 'pod', 'hog', '--wait=false']);
  });

  it(
    'a busy loop with a 200m CPU limit gets no more than its quota; an unlimited one gets more',
    { timeout: 180_000 },
    async () => {
      const spin = 'while :; do :; done';
      await k.ok(['apply', '-f', '-'], {
        stdin:
          pod('spin-limited', 'node-0', spin, { limits: '{cpu: 200m}' }) + '---' + pod('spin-free', 'node-1', spin),
      });
      await k.ok(['wait', '--for=condition=Ready', 'pod/spin-limited', 'pod/spin-free', '--timeout=60s'], {
        timeoutMs: 70_000,
      });
      const limited = await cpuUsagePath('spin-limited');
      const free = await cpuUsagePath('spin-free');
      const usage = (p: string): number => Number(readFileSync(p, 'utf8'));
      /** CPU cores each container used over one ~3 s window, both read at the same instants. */
      const measure = async (): Promise<[number, number]> => {
        const t0 = process.hrtime.bigint();
        const [l0, f0] = [usage(limited), usage(free)];
        await new Promise((r) => setTimeout(r, 3000));
        const [l1, f1] = [usage(limited), usage(free)];
        const ns = Number(process.hrtime.bigint() - t0);
        return [(l1 - l0) / ns, (f1 - f0) / ns];
      };
      // The limit is an upper bound in every window; how much the free loop gets depends on what
      // else runs on this machine, so that one is polled until a window shows it clearly above the
      // limit (a loaded 2-core machine can leave it less than 0.2 cores for a while).
      const windows: [number, number][] = [];
      await eventually(
        async () => {
          const w = await measure();
          windows.push(w);
          return w[1] > 0.3 ? true : undefined;
        },
        100_000,
        'a window where the unlimited loop gets more than 0.3 cores',
      ).catch((e: Error) => {
        throw new Error(`${e.message}; windows (limited, unlimited): ${JSON.stringify(windows)}`);
      });
      for (const [l] of windows) expect(l).toBeLessThanOrEqual(0.2 + 0.03);
      expect(Math.max(...windows.map(([l]) => l))).toBeGreaterThan(0.1); // it did run
      await k.ok(['delete', 'pod', 'spin-limited', 'spin-free', '--wait=false']);
    },
  );

  it('kubectl logs -f follows a running container and ends when it exits', async () => {
    const script =
      'echo first; while [ ! -f /tmp/go ]; do sleep 0.2; done; for i in 1 2 3; do echo later-$i; sleep 0.3; done; echo last';
    await k.ok(['apply', '-f', '-'], { stdin: pod('talker', 'node-1', script, { restartPolicy: 'Never' }) });
    await k.ok(['wait', '--for=condition=Ready', 'pod/talker', '--timeout=60s'], { timeoutMs: 70_000 });
    const follow = k.spawn(['logs', '-f', 'talker']);
    let code: number | undefined;
    void follow.done.then((c) => (code = c));
    try {
      await eventually(
        () => (follow.output().includes('first\n') ? true : undefined),
        20_000,
        'the first line through logs -f',
      );
      expect(code).toBeUndefined(); // still following
      expect(follow.output()).not.toContain('later-');
      // Lines written after kubectl started reach it while it runs.
      expect((await k.run(['exec', 'talker', '--', 'touch', '/tmp/go'])).code).toBe(0);
      await eventually(
        () => (follow.output().includes('later-1\n') ? true : undefined),
        20_000,
        'a line written after logs -f started',
      );
      expect(await Promise.race([follow.done, new Promise((r) => setTimeout(() => r('timeout'), 30_000))])).toBe(0);
      expect(follow.output()).toBe('first\nlater-1\nlater-2\nlater-3\nlast\n');
    } finally {
      follow.stop();
    }
    await eventually(
      async () => ((await getPod('talker')).status.phase === 'Succeeded' ? true : undefined),
      20_000,
      'the pod Succeeded',
    );
  });
});
