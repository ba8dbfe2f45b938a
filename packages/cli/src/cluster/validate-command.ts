// The body of `wharf cluster validate`: read, judge, print; with --wait, again every 2 s until
// valid or out of time. Exits 1 while any failure is left (warnings do not fail), with one line
// saying so; a cluster that cannot be read within --timeout is a failure too, never a hang.
import { connect } from '../kube/context.js';
import { CliError } from '../kube/errors.js';
import { durationSeconds } from '../kube/options.js';
import { outputFormat, renderObject, renderTable } from '../kube/output.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { judge, judgeMembers, readCluster, type ClusterSnapshot, type Finding, type MemberState } from './validate.js';

interface Options {
  kubeconfig?: string;
  dataDir?: string;
  output?: string;
  wait?: string;
  timeout: string;
}

function withDeadline<T>(what: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(`could not read the cluster within ${ms / 1000} s`)), ms);
  });
  return Promise.race([what, late]).finally(() => clearTimeout(timer));
}

interface Members {
  readonly apiServers: readonly MemberState[];
  readonly etcd: readonly MemberState[];
}

/**
 * The data dir whose members to check: --data-dir, else the one whose own kubeconfig (DIR/kubeconfig)
 * is used, when it runs a control plane of three.
 */
function membersDir(o: Options): string | undefined {
  if (o.dataDir) return o.dataDir;
  const dir = o.kubeconfig ? dirname(o.kubeconfig) : undefined;
  return dir && existsSync(join(dir, 'control-plane.json')) ? dir : undefined;
}

async function readMembers(dataDir: string | undefined): Promise<Members> {
  if (!dataDir) return { apiServers: [], etcd: [] };
  const [{ apiServersHealth }, { etcdMembersHealth }] = await Promise.all([
    import('../control-plane.js'),
    import('../etcd-member.js'),
  ]);
  const [apiServers, etcd] = await Promise.all([apiServersHealth(dataDir), etcdMembersHealth(dataDir)]);
  return { apiServers, etcd };
}

const count = (ms: readonly MemberState[], what: string, state: string): string =>
  ms.length ? `, ${what}: ${ms.length} (${ms.filter((m) => m.healthy).length} ${state})` : '';

function summary(s: ClusterSnapshot, m: Members): string {
  const ready = (conds: { type: string; status: string }[] | undefined): boolean =>
    conds?.find((c) => c.type === 'Ready')?.status === 'True';
  const nodesReady = s.nodes.filter((n) => ready(n.status?.conditions)).length;
  return `nodes: ${s.nodes.length} (${nodesReady} Ready)${count(m.apiServers, 'API servers', 'ready')}${count(m.etcd, 'etcd members', 'healthy')}, control-plane leases: ${s.leases.length}, PodDisruptionBudgets: ${s.pdbs.length}\n`;
}

export async function validateCommand(o: Options): Promise<void> {
  const c = await connect(o);
  const timeoutMs = durationSeconds('--timeout', o.timeout) * 1000;
  const deadline = o.wait ? Date.now() + durationSeconds('--wait', o.wait) * 1000 : 0;
  const dataDir = membersDir(o);
  let snapshot: ClusterSnapshot;
  let members: Members;
  let findings: Finding[];
  try {
    for (;;) {
      [snapshot, members] = await withDeadline(Promise.all([readCluster(c.client), readMembers(dataDir)]), timeoutMs);
      findings = [...judgeMembers(members.apiServers, members.etcd), ...judge(snapshot, Date.now())];
      if (!findings.some((f) => f.severity === 'failure') || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    c.client.close();
  }
  const failures = findings.filter((f) => f.severity === 'failure').length;
  const warnings = findings.length - failures;
  const format = outputFormat(o.output);
  if (format) process.stdout.write(renderObject({ valid: failures === 0, findings, ...members }, format));
  else {
    process.stdout.write(
      `Validating the cluster at ${c.kubeConfig.getCurrentCluster()?.server ?? '?'}\n${summary(snapshot, members)}`,
    );
    if (findings.length)
      process.stdout.write(
        renderTable(
          ['KIND', 'NAME', 'SEVERITY', 'MESSAGE'],
          findings.map((f) => [f.kind, f.name, f.severity, f.message]),
        ),
      );
    if (!failures)
      process.stdout.write(
        `Your cluster is ready${warnings ? ` (${warnings} warning${warnings > 1 ? 's' : ''})` : ''}\n`,
      );
  }
  if (failures)
    throw new CliError(
      `the cluster is not valid: ${failures} failure${failures > 1 ? 's' : ''}${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`,
    );
}
