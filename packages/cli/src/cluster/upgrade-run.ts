// Runs an upgrade's steps in order, recording each (upgrade-progress.ts): a snapshot; the control
// plane restarted at the new version and validated, or with three members each API server in turn
// (upgrade-members.ts) (a failed validation restores the snapshot and restarts the old version);
// then each node in turn: cordon, drain with PodDisruptionBudgets honoured, its agent, uncordon,
// validate. Every step is safe to run again after a kill -9.
import { isStatus, type KubeClient } from '@wharf/client';
import { kubeletVersionFor } from '@wharf/node';
import { sendControl } from '../control.js';
import { resetApiMembers } from '../control-plane.js';
import { CliError } from '../kube/errors.js';
import { backupCluster, restoreInto } from './backup.js';
import {
  client,
  drain,
  mustRead,
  out,
  sleep,
  startUp,
  stopUp,
  upAlive,
  writeRecord,
  type StateOptions,
} from './lifecycle.js';
import { nodesOf, type ClusterSpec } from './spec.js';
import { currentVersion } from './upgrade-facts.js';
import { upgradeMember, validateMember } from './upgrade-members.js';
import { memberOfStep } from './upgrade-plan.js';
import { remaining, writeProgress, type Progress } from './upgrade-progress.js';
import { judge, readCluster } from './validate.js';

export interface RunOptions extends StateOptions {
  readonly name: string;
  /** How long the restarted control plane may take to be ready and valid (ms). */
  readonly timeoutMs: number;
  /** How long draining one node may take (ms). */
  readonly drainTimeoutMs: number;
}

/**
 * Waits until `wharf cluster validate` would pass (warnings allowed) or throws its failures. Asked every 500 ms: what
 * it waits for (a node's next Lease renewal) comes at any moment, and each step of the upgrade waits on it.
 */
async function validate(
  c: KubeClient,
  timeoutMs: number,
  extra: () => Promise<string | undefined> = async () => undefined,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let why = '';
  for (;;) {
    try {
      const failures = judge(await readCluster(c), Date.now()).filter((f) => f.severity === 'failure');
      why = failures.map((f) => `${f.kind} ${f.name}: ${f.message}`).join('; ') || (await extra()) || '';
      if (!why) return 'valid';
    } catch (e) {
      why = (e as Error).message;
    }
    if (Date.now() > deadline) throw new CliError(`not valid within ${Math.round(timeoutMs / 1000)} s: ${why}`);
    await sleep(500);
  }
}

/**
 * Why not every node's agent has renewed its Lease since `sinceMs` (it has not reached the restarted API yet), or
 * undefined.
 */
async function agentsBehind(c: KubeClient, sinceMs: number): Promise<string | undefined> {
  const leases = await c.get<{ items: { metadata?: { name?: string }; spec?: { renewTime?: string } }[] }>(
    '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
  );
  const nodes = await c.get<{ items: { metadata?: { name?: string } }[] }>('/api/v1/nodes');
  const behind = nodes.items
    .map((n) => n.metadata?.name ?? '')
    .filter((n) => {
      const renewed = Date.parse(leases.items.find((l) => l.metadata?.name === n)?.spec?.renewTime ?? '');
      return !(renewed >= sinceMs);
    });
  return behind.length ? `agent(s) of ${behind.join(', ')} have not renewed their lease since the restart` : undefined;
}

const withClient = async <T>(spec: ClusterSpec, f: (c: KubeClient) => Promise<T>): Promise<T> => {
  const c = client(spec);
  try {
    return await f(c);
  } finally {
    c.close();
  }
};

async function kubeletVersionOf(c: KubeClient, node: string): Promise<string> {
  const n = await c.get<{ status?: { nodeInfo?: { kubeletVersion?: string } } }>(`/api/v1/nodes/${node}`);
  return n.status?.nodeInfo?.kubeletVersion ?? '?';
}

/** Waits until the node's agent reports `want` (its restart registers the Node again). */
async function reportsVersion(c: KubeClient, node: string, want: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await kubeletVersionOf(c, node);
    if (v === want) return v;
    if (Date.now() > deadline)
      throw new CliError(
        `node ${node} still reports ${v}, not ${want}, ${Math.round(timeoutMs / 1000)} s after its agent was restarted`,
      );
    await sleep(1000);
  }
}

/** Restarts the cluster's wharf up with `spec` (containers keep running) and records it. */
async function restart(o: RunOptions, p: Progress, spec: ClusterSpec): Promise<number> {
  await stopUp(mustRead(o, o.name));
  p.upStoppedAt = new Date().toISOString();
  writeRecord(o, { spec });
  const pid = await startUp(spec, o.timeoutMs);
  writeRecord(o, { spec, pid });
  return pid;
}

/** Puts the snapshot back and restarts the old version: the control plane as it was before the upgrade. */
async function rollback(o: RunOptions, p: Progress, why: string): Promise<never> {
  const r = mustRead(o, o.name);
  const old = { ...r.spec, version: p.from };
  out(`validation failed (${why}): restoring ${p.snapshot ?? '(no snapshot)'} and restarting ${p.from}`);
  await stopUp(r);
  // Members 1 and 2 that a killed wharf up left would be adopted as they run: at the new version.
  await resetApiMembers(old.dataDir);
  if (p.snapshot) await restoreInto(old.dataDir, p.snapshot);
  writeRecord(o, { spec: old });
  writeRecord(o, { spec: old, pid: await startUp(old, o.timeoutMs) });
  // The upgrade is over: a rerun plans afresh.
  writeProgress(o, o.name, {
    ...p,
    done: [...p.done, ...remaining(p).map((step) => ({ step, at: new Date().toISOString(), detail: 'rolled back' }))],
  });
  throw new CliError(
    `the control plane at ${p.to} did not validate: ${why}; restored the snapshot and restarted ${p.from}`,
  );
}

/** As kubectl cordon/uncordon: uncordoning removes the field (null in a merge patch). */
async function setUnschedulable(c: KubeClient, node: string, unschedulable: boolean): Promise<void> {
  await c.patch(`/api/v1/nodes/${node}`, { spec: { unschedulable: unschedulable || null } });
}

/** One step; answers what it did, for the record. */
async function runStep(o: RunOptions, p: Progress, step: string): Promise<string> {
  const r = mustRead(o, o.name);
  const spec = r.spec;
  if (step === 'snapshot') {
    const b = await withClient(spec, async (c) => backupCluster(o, spec, await currentVersion(c)));
    p.snapshot = b.file;
    return b.file;
  }
  if (step === 'control-plane') {
    // After a kill -9 the new version may already run: then there is nothing to restart.
    if (upAlive(r.pid, spec.dataDir) && (await withClient(spec, currentVersion).catch(() => '')) === p.to)
      return `already ${p.to}`;
    const pid = await restart(o, p, { ...spec, version: p.to });
    return `wharf up pid ${pid} serves ${p.to}`;
  }
  const member = memberOfStep(step);
  if (member !== undefined && !step.endsWith('/validate'))
    return upgradeMember(r, member, p.to, () => restart(o, p, { ...spec, version: p.to }));
  if (step === 'validate-control-plane' || member !== undefined) {
    try {
      const own = member === undefined ? '' : await validateMember(spec.dataDir, member, p.to, o.timeoutMs);
      // Members 2 and 1 are each validated on their own; the cluster as a whole once wharf up runs the new version.
      if (member !== undefined && member !== 0) return own;
      // The agents must have reached the restarted API server, not only be Ready in the store: a renewal
      // after the old wharf up was gone did (without that time, after a rerun that restarted nothing: after
      // the step). Agents renew soon after the API answers again, often before wharf up says it is ready.
      const restartedAt =
        p.upStoppedAt ?? p.done.find((d) => d.step === 'control-plane' || d.step === 'control-plane/member-0')?.at;
      const restarted = Date.parse(restartedAt ?? '') || Date.now();
      const cluster = await withClient(spec, (c) =>
        validate(c, o.timeoutMs, async () => {
          const v = await currentVersion(c);
          return v === p.to ? agentsBehind(c, restarted) : `/version says ${v}, not ${p.to}`;
        }),
      );
      return own ? `${own}; cluster ${cluster}` : cluster;
    } catch (e) {
      return rollback(o, p, (e as Error).message);
    }
  }
  const [, node = '', what] = step.split('/');
  if (step === 'done') return `${p.from} -> ${p.to}`;
  return withClient(spec, async (c) => {
    if (what === 'cordon') {
      await setUnschedulable(c, node, true);
      return 'unschedulable';
    }
    if (what === 'drain') {
      const started = Date.now();
      await drain(c, node, o.drainTimeoutMs);
      return `drained in ${((Date.now() - started) / 1000).toFixed(1)} s`;
    }
    if (what === 'agent') {
      if (!nodesOf(spec).some((x) => x.name === node)) {
        return `joined with wharf agent: not restarted here (reports ${await kubeletVersionOf(c, node)}); restart it with --kubernetes-version ${p.to}`;
      }
      // wharf up restarts the node's agent process for the new version (in-process agents already run it).
      await sendControl(spec.dataDir, `/nodes/${node}/upgrade`);
      return `reports ${await reportsVersion(c, node, kubeletVersionFor(p.to), o.timeoutMs)}`;
    }
    if (what === 'uncordon') {
      await setUnschedulable(c, node, false);
      return 'schedulable';
    }
    return validate(c, o.timeoutMs);
  });
}

/** Runs the steps left, recording each as it ends. */
export async function runUpgrade(o: RunOptions, p: Progress): Promise<void> {
  const left = remaining(p);
  for (const step of left) {
    const i = p.steps.indexOf(step) + 1;
    out(`[${i}/${p.steps.length}] ${step}`);
    const started = Date.now();
    let detail: string;
    try {
      detail = await runStep(o, p, step);
    } catch (e) {
      if (e instanceof CliError) throw e;
      if (isStatus(e, 404) && step.startsWith('node/')) detail = 'node gone';
      else
        throw new CliError(
          `step ${step} failed: ${(e as Error).message.split('\n')[0]} (run the same upgrade again to resume)`,
        );
    }
    p.done.push({ step, at: new Date().toISOString(), detail });
    writeProgress(o, o.name, p);
    out(`      ${detail} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}
