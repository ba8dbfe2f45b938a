// `wharf up --nodes 2 --node-processes`: each node agent is a `wharf agent` process of its own.
// `kill -9` of one agent: its pods keep serving throughout, `wharf up` starts the agent again, the
// Node stays (or turns) Ready and the new agent adopts the containers (same IDs, no restart, no
// second container). Stopping `wharf up` leaves the agents running and the next start adopts them;
// `wharf node fail` kills an agent and its containers, `restore` starts it again; after a restart
// of `wharf up` at the next minor the agents keep their version until `wharf node upgrade` restarts
// each for the new one (same containers, the Service answering throughout); `wharf reset` leaves
// no agent process. Needs root, runc, conmon and the CNI plugins (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  httpText,
  Kubectl,
  runcUnavailable,
  steadyRequests,
  WHARF_BIN,
  WharfProcess,
  type SteadyResult,
} from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
// Heartbeats checked every second, not 5: a failed node is noticed within the grace period, not 5 s after it.
const ARGS = [
  '--nodes',
  '2',
  '--node-processes',
  '--no-platform',
  '--node-monitor-grace-period',
  '12',
  '--node-monitor-period',
  '1',
];

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}]
      containers:
      - name: httpd
        image: busybox:1
        command: ["sh", "-c", "mkdir -p /www && echo hello-from-$(hostname) > /www/index.html && exec httpd -f -p 8080 -h /www"]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;

interface PodInfo {
  name: string;
  node: string;
  ip: string;
  containerID: string;
  restarts: number;
}

/** Processes of program `comm` whose command line names `dir`. */
function processes(comm: string, dir: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return (
          readFileSync(`/proc/${e}/comm`, 'utf8').trim() === comm &&
          readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(dir)
        );
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

/** Whether `pid` is a live `wharf agent` (a zombie's command line is empty). */
function isAgent(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('agent');
  } catch {
    return false;
  }
}

describe.skipIf(skip !== '')(`node agents as processes of their own ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  const nodeDir = (node: string): string => join(wharf.dataDir, 'nodes', node);
  /** The pid agent.json names, when that process is a live `wharf agent`. */
  const agentPid = (node: string): number | undefined => {
    try {
      const { pid } = JSON.parse(readFileSync(join(nodeDir(node), 'agent.json'), 'utf8')) as { pid: number };
      return isAgent(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const pods = async (): Promise<PodInfo[]> => {
    const list = JSON.parse(await k.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as {
      items: {
        metadata: { name: string };
        spec: { nodeName: string };
        status: { podIP?: string; containerStatuses?: { containerID?: string; restartCount: number }[] };
      }[];
    };
    return list.items.map((p) => ({
      name: p.metadata.name,
      node: p.spec.nodeName,
      ip: p.status.podIP ?? '',
      containerID: p.status.containerStatuses?.[0]?.containerID ?? '',
      restarts: p.status.containerStatuses?.[0]?.restartCount ?? -1,
    }));
  };
  const versions = async (): Promise<string> =>
    (
      await k.ok([
        'get',
        'nodes',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}={.status.nodeInfo.kubeletVersion} {end}',
      ])
    ).trim();
  const ready = async (node: string): Promise<string> =>
    (await k.ok(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).trim();
  /** Running runc containers of a node, by id. */
  const runcContainers = async (node: string): Promise<string[]> =>
    // (runc prints null for none)
    (
      (JSON.parse(
        (await run('runc', ['--root', join(nodeDir(node), 'run', 'runc'), 'list', '--format', 'json'])).stdout || '[]',
      ) ?? []) as { id: string; status: string }[]
    )
      .filter((c) => c.status === 'running')
      .map((c) => c.id);

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ARGS, readyTimeoutMs: 180_000 });
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
      { timeout: 180_000 },
    );
    await k.ok(['apply', '-f', '-'], { stdin: deployment });
    await k.ok(['rollout', 'status', 'deploy/web', '--timeout=150s'], { timeoutMs: 160_000 });
  }, 400_000);

  afterAll(async () => {
    await wharf?.stop();
    if (!wharf) return;
    execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    expect(processes('node', `${wharf.dataDir}/nodes/`)).toEqual([]);
  });

  it('runs each node as a wharf agent process that reports its version in nodeInfo.kubeletVersion', async () => {
    for (const node of ['node-0', 'node-1']) expect(agentPid(node), node).toBeGreaterThan(0);
    expect(agentPid('node-0')).not.toBe(agentPid('node-1'));
    // The version wharf up started them for: its API server's (1.32 by default).
    expect(await versions()).toBe('node-0=v1.32.9-wharf node-1=v1.32.9-wharf');
  });

  it('kill -9 of an agent: its pods keep serving, the agent is started again and adopts them, no container twice', async () => {
    const before = await pods();
    const mine = before.filter((p) => p.node === 'node-0');
    expect(mine.length).toBe(2);
    const oldPid = agentPid('node-0')!;
    process.kill(oldPid, 'SIGKILL');
    // Every request to the node's pods answers while its agent is dead and while it comes back.
    let requests = 0;
    const failures: string[] = [];
    let newPid: number | undefined;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      for (const p of mine) {
        requests++;
        await httpText({ host: p.ip, port: 8080 }).then(
          (t) => expect(t).toContain('hello-from-web-'),
          (e: unknown) => failures.push(`${p.name}: ${(e as Error).message}`),
        );
      }
      newPid = agentPid('node-0');
      if (newPid !== undefined && newPid !== oldPid && (await ready('node-0')) === 'True') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(4);
    expect(newPid, 'a new agent process').toBeGreaterThan(0);
    expect(newPid).not.toBe(oldPid);
    expect(wharf.output).toContain('the node agent process is gone: starting it again');
    // The same containers, not restarted; one running container per pod of the node, one conmon each.
    await eventually(
      async () => {
        const after = await pods();
        return after.every((p) => p.containerID !== '') ? after : undefined;
      },
      30_000,
      'container statuses reported by the new agent',
    );
    const after = await pods();
    expect(after.map((p) => `${p.name}=${p.containerID}=${p.restarts}`).sort()).toEqual(
      before.map((p) => `${p.name}=${p.containerID}=0`).sort(),
    );
    const ids = await runcContainers('node-0');
    expect(ids.length).toBe(mine.length);
    expect(processes('conmon', nodeDir('node-0')).length).toBe(mine.length);
    expect(await ready('node-0')).toBe('True');
  }, 200_000);

  it('stopping wharf up leaves the agents running; the next start adopts them', async () => {
    const pids = [agentPid('node-0'), agentPid('node-1')];
    expect(await wharf.stop()).toBe(0);
    expect([agentPid('node-0'), agentPid('node-1')]).toEqual(pids);
    await wharf.restart({ extraArgs: ARGS, readyTimeoutMs: 180_000 });
    expect(wharf.output).toContain('adopted the running node agent');
    expect([agentPid('node-0'), agentPid('node-1')]).toEqual(pids);
    await eventually(
      async () => ((await ready('node-0')) === 'True' && (await ready('node-1')) === 'True' ? true : undefined),
      60_000,
      'both nodes Ready',
    );
  }, 300_000);

  it('wharf node fail kills the agent and its containers; restore starts it again', async () => {
    const pid = agentPid('node-1')!;
    await run(process.execPath, [WHARF_BIN, 'node', 'fail', 'node-1', '--data-dir', wharf.dataDir]);
    expect(agentPid('node-1')).toBeUndefined();
    expect(isAgent(pid)).toBe(false);
    expect(await runcContainers('node-1')).toEqual([]);
    // Not started again while failed, and the control plane sees the silence.
    await eventually(
      async () => ((await ready('node-1')) === 'Unknown' ? true : undefined),
      90_000,
      'node-1 NotReady (Unknown)',
    );
    expect(agentPid('node-1')).toBeUndefined();
    await run(process.execPath, [WHARF_BIN, 'node', 'restore', 'node-1', '--data-dir', wharf.dataDir]);
    expect(agentPid('node-1')).toBeGreaterThan(0);
    await eventually(async () => ((await ready('node-1')) === 'True' ? true : undefined), 60_000, 'node-1 Ready again');
  }, 200_000);

  it('after wharf up restarts at 1.33 the agents stay 1.32 until wharf node upgrade restarts each for 1.33: same containers, the Service answers throughout', async () => {
    await wharf.restart({ extraArgs: [...ARGS, '--kubernetes-version', '1.33'], readyTimeoutMs: 180_000 });
    expect(wharf.output).toContain('adopted the running node agent');
    // A control-plane upgrade leaves the agents as they are (the skew policy allows older agents).
    expect(await versions()).toBe('node-0=v1.32.9-wharf node-1=v1.32.9-wharf');
    await k.ok(['rollout', 'status', 'deploy/web', '--timeout=120s'], { timeoutMs: 130_000 });
    const clusterIP = (await k.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const before = await pods();
    // Requests to the Service while each node's agent is restarted for the new version.
    const load = steadyRequests({ host: clusterIP, port: 80 }, /^hello-from-web-/);
    let seen: SteadyResult = { requests: 0, failures: [] };
    try {
      for (const node of ['node-0', 'node-1']) {
        const oldPid = agentPid(node);
        const upgraded = await run(
          process.execPath,
          [WHARF_BIN, 'node', 'upgrade', node, '--data-dir', wharf.dataDir],
          { timeout: 200_000 },
        );
        expect(upgraded.stdout).toBe(`node/${node} upgraded\n`);
        expect(agentPid(node)).not.toBe(oldPid);
        await eventually(
          async () => ((await versions()).includes(`${node}=v1.33.5-wharf`) ? true : undefined),
          60_000,
          `${node} reports v1.33.5-wharf`,
        );
        if (node === 'node-0') expect(await versions()).toBe('node-0=v1.33.5-wharf node-1=v1.32.9-wharf');
      }
    } finally {
      seen = await load.stop();
    }
    expect(seen.failures).toEqual([]);
    expect(seen.requests).toBeGreaterThan(10);
    expect(await versions()).toBe('node-0=v1.33.5-wharf node-1=v1.33.5-wharf');
    expect(await ready('node-0')).toBe('True');
    expect(await ready('node-1')).toBe('True');
    // The pods kept their containers: adopted by the new agents, not restarted.
    const after = await pods();
    expect(after.map((p) => `${p.name}=${p.containerID}=${p.restarts}`).sort()).toEqual(
      before.map((p) => `${p.name}=${p.containerID}=${p.restarts}`).sort(),
    );
    // Upgrading again is a no-op: the agent already runs the control plane's version.
    const pid = agentPid('node-0');
    await run(process.execPath, [WHARF_BIN, 'node', 'upgrade', 'node-0', '--data-dir', wharf.dataDir]);
    expect(agentPid('node-0')).toBe(pid);
  }, 600_000);
});
