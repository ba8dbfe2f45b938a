// `wharf cluster upgrade NAME --to X.Y.Z`: the plan, the preflight and go/no-go first; with --yes
// the steps (upgrade-run.ts). An unfinished upgrade of the cluster is resumed instead of planned
// again. `wharf cluster backup|restore` live here too: the upgrade's safety net.
import { parseKubernetesVersion, removedBetween } from '@wharf/apiserver';
import { CliError } from '../kube/errors.js';
import { backupCluster, listBackups, readManifest, restoreInto } from './backup.js';
import { client, mustRead, out, startUp, stopUp, upAlive, writeRecord, type StateOptions } from './lifecycle.js';
import { nodesOf } from './spec.js';
import { currentVersion, gatherFacts } from './upgrade-facts.js';
import { preflight, refuseStep, skewRefusals, upgradeSteps } from './upgrade-plan.js';
import { readProgress, remaining, unfinished, writeProgress } from './upgrade-progress.js';
import { runUpgrade } from './upgrade-run.js';

export interface UpgradeOptions extends StateOptions {
  readonly name: string;
  readonly to: string;
  readonly yes?: boolean;
  /** Seconds. */
  readonly timeout: number;
  readonly drainTimeout: number;
  readonly backupMaxAge: number;
}

function targetVersion(to: string): string {
  try {
    return parseKubernetesVersion(to).version;
  } catch (e) {
    throw new CliError(`--to: ${(e as Error).message}`);
  }
}

export async function upgradeCommand(o: UpgradeOptions): Promise<void> {
  const r = mustRead(o, o.name);
  const to = targetVersion(o.to);
  const run = { ...o, timeoutMs: o.timeout * 1000, drainTimeoutMs: o.drainTimeout * 1000 };
  const progress = readProgress(o, o.name);
  if (unfinished(progress)) {
    if (progress.to !== to)
      throw new CliError(
        `an upgrade of ${o.name} to ${progress.to} is unfinished (next step: ${remaining(progress)[0] ?? ''}): run wharf cluster upgrade ${o.name} --to ${progress.to} --yes to finish it`,
      );
    out(
      `Resuming the upgrade of cluster ${o.name} ${progress.from} -> ${progress.to}: ${progress.done.length} of ${progress.steps.length} steps done, next: ${remaining(progress)[0] ?? ''}`,
    );
    if (!o.yes) return out('Nothing changed. Run again with --yes to resume.');
    await runUpgrade(run, progress);
    return out(`Cluster ${o.name} upgraded to ${to}.`);
  }
  if (!upAlive(r.pid, r.spec.dataDir))
    throw new CliError(
      `cluster ${o.name} is not running (its wharf up is gone): start it with wharf cluster update -f FILE --yes, then upgrade`,
    );
  const c = client(r.spec);
  let facts;
  try {
    facts = await gatherFacts(o, r.spec, c, to, o.backupMaxAge * 1000);
  } finally {
    c.close();
  }
  const refused = refuseStep(facts.from, to) ?? skewRefusals(facts.agents, to)[0];
  if (refused) throw new CliError(`upgrade refused: ${refused}`);

  // Every node the API lists: the spec's own, then any joined with `wharf agent`.
  const own = nodesOf(r.spec).map((n) => n.name);
  const nodes = [
    ...own.filter((n) => facts.agents.some((a) => a.node === n)),
    ...facts.agents
      .map((a) => a.node)
      .filter((n) => !own.includes(n))
      .sort(),
  ];
  out(`Upgrade plan for cluster ${o.name}: Kubernetes ${facts.from} -> ${to}`);
  out('  1. snapshot the store, registry blobs and local volumes (as wharf cluster backup)');
  out(
    r.spec.controlPlane.members === 3
      ? `  2. restart the API servers at ${to} one at a time (member 2, 1, then 0 inside wharf up), each validated before the next while the other two serve; if one does not validate, restore the snapshot and restart ${facts.from}`
      : `  2. restart the control plane at ${to} and validate it; if it does not validate, restore the snapshot and restart ${facts.from}`,
  );
  nodes.forEach((n, i) =>
    out(
      `  ${i + 3}. node ${n}: cordon, drain (PodDisruptionBudgets honoured, at most ${o.drainTimeout} s), restart its agent, uncordon, validate`,
    ),
  );
  for (const api of removedBetween(facts.from, to))
    out(`  ${to} stops serving ${api.group}/${api.version} (use ${api.replacement})`);
  out('Preflight:');
  const findings = preflight(facts);
  if (!findings.length) out('  nothing blocks or risks the upgrade');
  for (const f of findings) out(`  ${f.level === 'blocker' ? 'BLOCKER' : 'RISK   '} ${f.text}`);
  const blockers = findings.filter((f) => f.level === 'blocker').length;
  if (blockers)
    throw new CliError(`no-go: ${blockers} blocker${blockers > 1 ? 's' : ''} (listed above); nothing changed`);
  out(`GO: no blockers${findings.length ? `, ${findings.length} risk${findings.length > 1 ? 's' : ''}` : ''}`);
  if (!o.yes) return out('Nothing changed. Run again with --yes to upgrade.');
  const p = { from: facts.from, to, steps: upgradeSteps(nodes, r.spec.controlPlane.members), done: [] };
  writeProgress(o, o.name, p);
  await runUpgrade(run, p);
  out(`Cluster ${o.name} upgraded to ${to}.`);
}

export async function backupCommand(o: StateOptions & { name: string; out?: string }): Promise<void> {
  const r = mustRead(o, o.name);
  let version = r.spec.version;
  if (upAlive(r.pid, r.spec.dataDir)) {
    const c = client(r.spec);
    try {
      version = await currentVersion(c);
    } finally {
      c.close();
    }
  }
  const b = await backupCluster(o, r.spec, version, o.out);
  out(`Backed up cluster ${o.name} (Kubernetes ${version}) to ${b.file}`);
}

export async function restoreCommand(
  o: StateOptions & { name: string; from?: string; yes?: boolean; timeout: number },
): Promise<void> {
  const r = mustRead(o, o.name);
  const file = o.from ?? listBackups(o, o.name).at(-1)?.file;
  if (!file) throw new CliError(`cluster ${o.name} has no backup: give one with --from FILE`);
  const m = await readManifest(file);
  if (m.cluster !== o.name) throw new CliError(`${file} is a backup of cluster ${m.cluster}, not ${o.name}`);
  if (unfinished(readProgress(o, o.name)))
    throw new CliError(
      `an upgrade of ${o.name} is unfinished: finish it first (wharf cluster upgrade ${o.name} --to ... --yes)`,
    );
  const running = upAlive(r.pid, r.spec.dataDir);
  out(`Will restore cluster ${o.name} from ${file} (taken ${m.at}, Kubernetes ${m.version}):`);
  if (running) out(`  stop its wharf up (pid ${r.pid}); containers keep running`);
  out(`  replace the store, keys, PKI, registry blobs and local volumes in ${r.spec.dataDir}`);
  out(`  start it again at Kubernetes ${m.version}; what changed since the backup is lost`);
  if (!o.yes) return out('Nothing changed. Run again with --yes to restore it.');
  await stopUp(r);
  await restoreInto(r.spec.dataDir, file);
  const spec = { ...r.spec, version: m.version };
  writeRecord(o, { spec });
  writeRecord(o, { spec, pid: await startUp(spec, o.timeout * 1000) });
  out(`Cluster ${o.name} restored.`);
}
