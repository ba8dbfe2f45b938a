// What `wharf cluster upgrade` may do, decided from facts alone (pure, so every rule has a unit
// test): the version step (any patch; one minor at a time; never down), the version skew of the
// node agents, and the preflight's blockers and risks, ending in go or no-go.
import { minorIndex, minorOf, minorPath, parseKubernetesVersion, removedBetween } from '@wharf/apiserver';
import { KUBELET_MAX_MINORS_BEHIND } from '../agent/version.js';

export interface Agent {
  readonly node: string;
  /** nodeInfo.kubeletVersion, e.g. "v1.32.0-wharf". */
  readonly kubeletVersion: string;
}

/** Why the version step itself is refused, or undefined when it is allowed. */
export function refuseStep(from: string, to: string): string | undefined {
  let f: ReturnType<typeof parseKubernetesVersion>;
  let t: ReturnType<typeof parseKubernetesVersion>;
  try {
    f = parseKubernetesVersion(from);
    t = parseKubernetesVersion(to);
  } catch (e) {
    return (e as Error).message;
  }
  const step = minorIndex(minorOf(t)) - minorIndex(minorOf(f));
  const patch = (v: string): number => Number(v.split('.')[2]);
  if (step < 0 || (step === 0 && patch(t.version) < patch(f.version))) {
    return `${f.version} -> ${t.version} is a downgrade: refused (restore a backup taken before the upgrade instead)`;
  }
  if (step === 0 && t.version === f.version) return `the control plane already runs ${f.version}`;
  if (step > 1) {
    const path = minorPath(minorOf(f), minorOf(t));
    return `${f.version} -> ${t.version} skips a minor: upgrade one minor at a time (${path.join(' -> ')}); next: --to ${path[1] ?? ''}`;
  }
  return undefined;
}

/** The minor of a kubeletVersion ("v1.32.0-wharf" → 32), NaN when it does not parse. */
export function kubeletMinor(v: string): number {
  const m = /^v?1\.(\d+)(?:\.|$)/.exec(v);
  return m ? Number(m[1]) : NaN;
}

/** Agents the target's skew policy refuses: newer than the control plane, or too old. */
export function skewRefusals(agents: readonly Agent[], to: string): string[] {
  const target = minorIndex(minorOf(to));
  const out: string[] = [];
  for (const a of agents) {
    const m = kubeletMinor(a.kubeletVersion);
    if (Number.isNaN(m))
      out.push(`node ${a.node} reports kubelet version "${a.kubeletVersion}", which is not a Kubernetes version`);
    else if (m > target)
      out.push(
        `node ${a.node} runs ${a.kubeletVersion}, newer than the control plane would (${minorOf(to)}): agents may not be newer than the API server`,
      );
    else if (target - m > KUBELET_MAX_MINORS_BEHIND)
      out.push(
        `node ${a.node} runs ${a.kubeletVersion}, more than ${KUBELET_MAX_MINORS_BEHIND} minors older than ${minorOf(to)}: upgrade its agent first`,
      );
  }
  return out;
}

/** What the preflight found in the cluster (gathered by upgrade-facts.ts). */
export interface Facts {
  /** The control plane's version (/version without the "v"). */
  readonly from: string;
  readonly to: string;
  readonly agents: readonly Agent[];
  /** Stored objects by the apiVersion they were written in ("flowcontrol.apiserver.k8s.io/v1beta3"). */
  readonly stored: readonly { readonly apiVersion: string; readonly key: string }[];
  /** Requests per group/version in the last 24 h, and where that was read. */
  readonly requested: readonly { readonly groupVersion: string; readonly count: number; readonly source: string }[];
  readonly pdbs: readonly {
    readonly namespace: string;
    readonly name: string;
    readonly disruptionsAllowed: number;
    readonly expectedPods: number;
  }[];
  readonly nodes: readonly { readonly name: string; readonly ready: boolean }[];
  /** The newest backup of the cluster, if any. */
  readonly backup: { readonly file: string; readonly at: number } | undefined;
  readonly now: number;
  /** A backup older than this is no backup. */
  readonly backupMaxAgeMs: number;
}

export interface Finding {
  /** blocker: no-go; risk: printed, the upgrade may go on. */
  readonly level: 'blocker' | 'risk';
  readonly text: string;
}

/** The preflight: every blocker and risk of upgrading with these facts. */
export function preflight(f: Facts): Finding[] {
  const out: Finding[] = [];
  const step = refuseStep(f.from, f.to);
  if (step) out.push({ level: 'blocker', text: step });
  for (const s of skewRefusals(f.agents, f.to)) out.push({ level: 'blocker', text: s });
  for (const a of f.agents) {
    const m = kubeletMinor(a.kubeletVersion);
    if (m > minorIndex(minorOf(f.from)) && m <= minorIndex(minorOf(f.to)))
      out.push({
        level: 'risk',
        text: `node ${a.node} runs ${a.kubeletVersion}, newer than today's control plane ${f.from}: the upgrade brings them in line`,
      });
  }
  const removed = step ? [] : removedBetween(f.from, f.to);
  for (const api of removed) {
    const gv = `${api.group}/${api.version}`;
    const objects = f.stored.filter((s) => s.apiVersion === gv);
    if (objects.length) {
      const names = objects
        .slice(0, 5)
        .map((o) => o.key.replace(/^\/registry\//, ''))
        .join(', ');
      out.push({
        level: 'blocker',
        text: `${objects.length} object(s) stored as ${gv}, which ${minorOf(f.to)} no longer serves: ${names}${objects.length > 5 ? ', …' : ''} (rewrite them as ${api.replacement}, e.g. kubectl get -o yaml | kubectl replace -f -)`,
      });
    }
    for (const r of f.requested.filter((x) => x.groupVersion === gv)) {
      out.push({
        level: 'risk',
        text: `${gv} was requested ${r.count} time(s) in the last 24 h (${r.source}): those clients get 404 after the upgrade; move them to ${api.replacement}`,
      });
    }
  }
  for (const p of f.pdbs) {
    if (p.disruptionsAllowed <= 0 && p.expectedPods > 0)
      out.push({
        level: 'blocker',
        text: `PodDisruptionBudget ${p.namespace}/${p.name} allows 0 disruptions: draining a node with its pods would wait until the drain timeout`,
      });
  }
  for (const n of f.nodes) if (!n.ready) out.push({ level: 'blocker', text: `node ${n.name} is not Ready` });
  if (!f.backup) out.push({ level: 'blocker', text: 'no backup of the cluster: run wharf cluster backup first' });
  else if (f.now - f.backup.at > f.backupMaxAgeMs) {
    out.push({
      level: 'blocker',
      text: `the newest backup (${f.backup.file}) is ${Math.round((f.now - f.backup.at) / 60_000)} min old, more than ${Math.round(f.backupMaxAgeMs / 60_000)} min: run wharf cluster backup again`,
    });
  }
  return out;
}

/**
 * The control plane's steps. One member: `wharf up` restarted, then validated. Three: one API server
 * at a time, each validated before the next, member 0 (the one inside `wharf up`) last, so the
 * other two serve while any one restarts.
 */
function controlPlaneSteps(members: number): string[] {
  if (members !== 3) return ['control-plane', 'validate-control-plane'];
  return [2, 1, 0].flatMap((i) => [`control-plane/member-${i}`, `control-plane/member-${i}/validate`]);
}

/** The API server member a control-plane step is about ("control-plane/member-2/validate" → 2), if any. */
export function memberOfStep(step: string): number | undefined {
  const m = /^control-plane\/member-(\d+)(?:\/validate)?$/.exec(step);
  return m ? Number(m[1]) : undefined;
}

/** The steps an upgrade runs, in order; each is recorded as it ends, so a rerun resumes. */
export function upgradeSteps(nodes: readonly string[], members = 1): string[] {
  return [
    'snapshot',
    ...controlPlaneSteps(members),
    ...nodes.flatMap((n) => ['cordon', 'drain', 'agent', 'uncordon', 'validate'].map((s) => `node/${n}/${s}`)),
    'done',
  ];
}

/** "1.32.0" from "v1.32.0" or "v1.32.0-wharf" (the /version gitVersion). */
export function versionOf(gitVersion: string): string {
  return gitVersion.replace(/^v/, '').replace(/[-+].*$/, '');
}
