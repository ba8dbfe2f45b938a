// The node problem detector and remediation ladder end to end on `wharf up --nodes 1` with real
// runc pods: `wharf node-problem-detector` runs on the host watching a kern.log-style FILE the test
// appends to (not the real /dev/kmsg), with upstream NPD's filelog config format;
// `wharf remediation-controller` drives a RemediationPolicy. kubectl shows what a user would see:
// the TaskHung Warning from kernel-monitor on node-0, the KernelDeadlock condition set and cleared,
// the node cordoned, drained as far as a PodDisruptionBudget allows, and uncordoned.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { eventually, httpText, Kubectl, REPO_ROOT, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

const kernelMonitor = (logPath: string): string =>
  JSON.stringify({
    plugin: 'filelog',
    pluginConfig: { timestamp: '^.{15}', message: 'kernel: \\[.*\\] (.*)', timestampFormat: 'Jan _2 15:04:05' },
    logPath,
    lookback: '5m',
    bufferSize: 10,
    source: 'kernel-monitor',
    conditions: [
      {
        type: 'KernelDeadlock',
        reason: 'KernelHasNoDeadlock',
        message: 'kernel has no deadlock',
        recoveryPattern: 'task docker:\\w+ is running again',
      },
      {
        type: 'ReadonlyFilesystem',
        reason: 'FilesystemIsNotReadOnly',
        message: 'Filesystem is not read-only',
        ttl: '3s',
      },
    ],
    rules: [
      { type: 'temporary', reason: 'TaskHung', pattern: 'task [\\S ]+:\\w+ blocked for more than \\w+ seconds\\.' },
      {
        type: 'permanent',
        condition: 'KernelDeadlock',
        reason: 'DockerHung',
        pattern: 'task docker:\\w+ blocked for more than \\w+ seconds\\.',
      },
      {
        type: 'permanent',
        condition: 'ReadonlyFilesystem',
        reason: 'FilesystemIsReadOnly',
        pattern: 'Remounting filesystem read-only',
      },
    ],
  });

const workload = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: c, image: 'busybox:1', command: [sleep, '3600']}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: default}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: platform.wharf.dev/v1alpha1
kind: RemediationPolicy
metadata: {name: kernel-deadlock}
spec: {conditionType: KernelDeadlock}
`;

/**
 * A kubeconfig with the token of the service account that deploy/npd/<file> declares, after
 * applying only its RBAC objects: the runners get exactly the manifests' least privilege.
 */
async function serviceAccountKubeconfig(k: Kubectl, admin: string, file: string, dir: string): Promise<string> {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, 'deploy/npd', file), 'utf8')).map(
    (d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } },
  );
  const rbac = docs.filter((d) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(d.kind));
  await k.ok(['apply', '-f', '-'], { stdin: rbac.map((d) => JSON.stringify(d)).join('\n') });
  const sa = rbac.find((d) => d.kind === 'ServiceAccount')!.metadata;
  const token = (await k.ok(['-n', sa.namespace ?? 'default', 'create', 'token', sa.name])).trim();
  const kubeconfig = join(dir, `${sa.name}.kubeconfig`);
  copyFileSync(admin, kubeconfig);
  const own = new Kubectl(kubeconfig);
  await own.ok(['config', 'set-credentials', sa.name, `--token=${token}`]);
  await own.ok(['config', 'set-context', '--current', `--user=${sa.name}`]);
  return kubeconfig;
}

/** A kern.log line as rsyslog writes it, stamped now (local time, year-less). */
function kernLine(message: string): string {
  const d = new Date();
  const month = d.toLocaleString('en-US', { month: 'short' });
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${month} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} wharf-host kernel: [${(performance.now() / 1000).toFixed(6)}] ${message}\n`;
}

describe('wharf node-problem-detector refuses bad input with one line', () => {
  it.each([
    {
      what: 'a missing config directory',
      bad: false,
      error: /^wharf: --config \/nonexistent-npd: no such directory\n$/,
    },
    {
      what: 'a rule of an unknown type',
      bad: true,
      error: /^wharf: .*kernel-monitor\.json: rules\[0\]\.type: want "temporary" or "permanent", got "sometimes"\n$/,
    },
  ])('$what', async ({ bad, error }) => {
    let config = '/nonexistent-npd';
    if (bad) {
      config = mkdtempSync(join(tmpdir(), 'wharf-npd-bad-'));
      writeFileSync(
        join(config, 'kernel-monitor.json'),
        JSON.stringify({
          ...JSON.parse(kernelMonitor('/tmp/x.log')),
          rules: [{ type: 'sometimes', reason: 'X', pattern: 'x' }],
        }),
      );
    }
    const r = await run(process.execPath, [
      WHARF_BIN,
      'node-problem-detector',
      '--node',
      'n1',
      '--config',
      config,
      '--kubeconfig',
      '/nonexistent-kubeconfig',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect('code' in r ? r.code : 0).toBe(1);
    expect(r.stderr).toMatch(error);
    if (bad) rmSync(config, { recursive: true, force: true });
  });
});

describe.skipIf(skip !== '')(`node problem detector and remediation on a real node ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let dir: string;
  let log: string;
  let detector: ChildProcess | undefined;
  let remediation: ChildProcess | undefined;
  let detectorOutput = '';
  let remediationOutput = '';
  let detectorKubeconfig = '';

  const startDetector = async (): Promise<number> => {
    detectorOutput = '';
    detector = spawn(
      process.execPath,
      [
        WHARF_BIN,
        'node-problem-detector',
        '--kubeconfig',
        detectorKubeconfig,
        '--node',
        'node-0',
        '--config',
        join(dir, 'config'),
        '--state-file',
        join(dir, 'state.json'),
        '--metrics-address',
        '127.0.0.1:0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    detector.stdout?.on('data', (d: Buffer) => (detectorOutput += d.toString()));
    detector.stderr?.on('data', (d: Buffer) => (detectorOutput += d.toString()));
    const port = await eventually(
      () => /"metricsPort":(\d+)/.exec(detectorOutput)?.[1],
      20_000,
      `the detector to start:\n${detectorOutput}`,
    );
    return Number(port);
  };
  const stopProcess = async (p: ChildProcess | undefined): Promise<void> => {
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  };
  const node = async (): Promise<{
    spec: { unschedulable?: boolean; taints?: { key: string }[] };
    status: { conditions: { type: string; status: string; reason: string; lastTransitionTime: string }[] };
  }> => JSON.parse(await k.ok(['get', 'node', 'node-0', '-o', 'json']));
  const deadlock = async (): Promise<{ status: string; reason: string; lastTransitionTime: string } | undefined> =>
    (await node()).status.conditions.find((c) => c.type === 'KernelDeadlock');
  type Pod = {
    metadata: { name: string; deletionTimestamp?: string };
    spec: { nodeName?: string };
    status: { phase: string };
  };
  /** The web pods not terminating. */
  const webPods = async (): Promise<Pod[]> =>
    (JSON.parse(await k.ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as Pod[]).filter(
      (p) => !p.metadata.deletionTimestamp,
    );
  let metricsPort = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wharf-npd-e2e-'));
    log = join(dir, 'kern.log');
    execFileSync('mkdir', ['-p', join(dir, 'config')]);
    writeFileSync(join(dir, 'config', 'kernel-monitor.json'), kernelMonitor(log));
    writeFileSync(log, kernLine('Linux version 6.1.0 (wharf e2e)'));
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'], readyTimeoutMs: 90_000 });
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
    await k.ok(['apply', '-f', join(REPO_ROOT, 'deploy/npd/crd-remediationpolicy.yaml')]);
    await k.ok(['wait', '--for=condition=Established', 'crd/remediationpolicies.platform.wharf.dev', '--timeout=30s']);
    await k.ok(['apply', '-f', '-'], { stdin: workload });
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=90s'], { timeoutMs: 100_000 });
    await eventually(
      async () =>
        (await k.ok(['get', 'pdb', 'web', '-o', 'jsonpath={.status.disruptionsAllowed}'])) === '1' ? true : undefined,
      30_000,
      'the PDB allowing one disruption',
    );
    // Both runners use the service accounts and least-privilege roles of deploy/npd/.
    detectorKubeconfig = await serviceAccountKubeconfig(k, wharf.kubeconfig, 'node-problem-detector.yaml', dir);
    const remediationKubeconfig = await serviceAccountKubeconfig(
      k,
      wharf.kubeconfig,
      'remediation-controller.yaml',
      dir,
    );
    metricsPort = await startDetector();
    remediation = spawn(
      process.execPath,
      [WHARF_BIN, 'remediation-controller', '--kubeconfig', remediationKubeconfig, '--period', '500'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    remediation.stdout?.on('data', (d: Buffer) => (remediationOutput += d.toString()));
    remediation.stderr?.on('data', (d: Buffer) => (remediationOutput += d.toString()));
  }, 300_000);

  afterAll(async () => {
    if (process.env.WHARF_E2E_VERBOSE)
      process.stderr.write(`detector:\n${detectorOutput}\nremediation-controller:\n${remediationOutput}\n`);
    await stopProcess(detector);
    await stopProcess(remediation);
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("starts with the healthy condition on the node, beside the node agent's own", async () => {
    await eventually(
      async () => ((await deadlock())?.reason === 'KernelHasNoDeadlock' ? true : undefined),
      20_000,
      'KernelDeadlock=False on node-0',
    );
    // The node agent's status updates merge by type and leave our condition alone (and vice versa).
    expect((await node()).status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    // The detector's role is least privilege: its node's status and events, nothing else.
    const asDetector = new Kubectl(detectorKubeconfig);
    expect((await asDetector.run(['auth', 'can-i', 'patch', 'nodes', '--subresource=status'])).stdout.trim()).toBe(
      'yes',
    );
    expect((await asDetector.run(['auth', 'can-i', 'patch', 'nodes'])).stdout.trim()).toBe('no');
    const pods = await asDetector.run(['get', 'pods', '-A']);
    expect(pods.code).not.toBe(0);
    expect(pods.stderr).toMatch(/Forbidden/);
  });

  it('a hung task in the kernel log becomes a TaskHung Warning from kernel-monitor on node-0', async () => {
    appendFileSync(log, kernLine('INFO: task docker:20744 blocked for more than 120 seconds.'));
    // The event and the condition are two writes of the detector: wait for both.
    const describe = await eventually(
      async () => {
        const d = await k.ok(['describe', 'node', 'node-0']);
        const event =
          /Warning\s+TaskHung\s+\S+\s+kernel-monitor\S*(, node-0)?\s+task docker:20744 blocked for more than 120 seconds\./.test(
            d,
          );
        return event && /KernelDeadlock\s+True\s.*DockerHung/.test(d) ? d : undefined;
      },
      30_000,
      'the TaskHung event and the KernelDeadlock condition in kubectl describe node',
    );
    expect(describe).toMatch(/KernelDeadlock\s+True\s.*DockerHung/);
    const metrics = await httpText({ host: '127.0.0.1', port: metricsPort, path: '/metrics' });
    expect(metrics).toContain('problem_counter{reason="TaskHung"} 1');
    expect(metrics).toContain('problem_gauge{type="KernelDeadlock",reason="DockerHung"} 1');
  });

  it('the remediation ladder taints and cordons node-0 and drains it only as far as the PodDisruptionBudget allows', async () => {
    await eventually(
      async () => ((await node()).spec.unschedulable === true ? true : undefined),
      30_000,
      'node-0 cordoned',
    );
    expect((await node()).spec.taints?.map((t) => t.key)).toContain('platform.wharf.dev/remediation');
    expect(await k.ok(['get', 'node', 'node-0'])).toContain('SchedulingDisabled');
    // One pod evicted (its replacement cannot schedule anywhere), the other kept by the PDB.
    await eventually(
      async () => {
        const d = await k.ok(['describe', 'node', 'node-0']);
        return /RemediationCordoned/.test(d) &&
          /RemediationEvicted/.test(d) &&
          /RemediationDrainBlocked.*PodDisruptionBudget/.test(d)
          ? d
          : undefined;
      },
      60_000,
      `the cordon, eviction and PDB-blocked events; remediation-controller said:\n${remediationOutput.slice(-3000)}`,
    );
    const pods = await webPods();
    expect(pods.filter((p) => p.status.phase === 'Running' && p.spec.nodeName === 'node-0')).toHaveLength(1);
    expect(pods.filter((p) => p.status.phase === 'Pending')).toHaveLength(1);
  });

  it('a restarted detector neither flaps the condition nor replays the event', async () => {
    const before = await deadlock();
    await stopProcess(detector);
    metricsPort = await startDetector();
    // A new line proves the restarted detector reads the log again; the old one is not re-reported.
    appendFileSync(log, kernLine('INFO: task kworker/0:1:77 blocked for more than 120 seconds.'));
    await eventually(
      async () => (/task kworker\/0:1:77 blocked/.test(await k.ok(['describe', 'node', 'node-0'])) ? true : undefined),
      30_000,
      'the new TaskHung event',
    );
    const events = JSON.parse(await k.ok(['get', 'events', '-A', '--field-selector', 'reason=TaskHung', '-o', 'json']))
      .items as { message: string; count: number }[];
    expect(events.filter((e) => e.message.includes('docker:20744')).map((e) => e.count)).toEqual([1]);
    expect(await deadlock()).toEqual(before);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).cursors).toBeTruthy();
  });

  it('the recovery line clears the condition, and the node is uncordoned and refilled', async () => {
    appendFileSync(log, kernLine('task docker:20744 is running again'));
    await eventually(
      async () => ((await deadlock())?.status === 'False' ? true : undefined),
      30_000,
      'KernelDeadlock=False',
    );
    expect((await deadlock())?.reason).toBe('KernelHasNoDeadlock');
    await eventually(
      async () => ((await node()).spec.unschedulable !== true ? true : undefined),
      30_000,
      `node-0 uncordoned; remediation-controller said:\n${remediationOutput.slice(-3000)}`,
    );
    expect((await node()).spec.taints ?? []).toEqual([]);
    const described = await k.ok(['describe', 'node', 'node-0']);
    if (process.env.WHARF_E2E_VERBOSE) process.stderr.write(described);
    expect(described).toMatch(/RemediationCompleted\s.*KernelDeadlock cleared: uncordoned/);
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=90s'], { timeoutMs: 100_000 });
    expect(await httpText({ host: '127.0.0.1', port: metricsPort, path: '/metrics' })).toContain(
      'problem_gauge{type="KernelDeadlock",reason="DockerHung"} 0',
    );
  });

  it('a condition with a ttl clears by itself once its problem stops recurring', async () => {
    const readonly = async (): Promise<string | undefined> =>
      (await node()).status.conditions.find((c) => c.type === 'ReadonlyFilesystem')?.status;
    appendFileSync(log, kernLine('EXT4-fs error (device sda1): Remounting filesystem read-only'));
    await eventually(async () => ((await readonly()) === 'True' ? true : undefined), 20_000, 'ReadonlyFilesystem=True');
    await eventually(
      async () => ((await readonly()) === 'False' ? true : undefined),
      20_000,
      'ReadonlyFilesystem=False after its 3 s ttl',
    );
  });
});
