// The body of `wharf cluster validate`: read, judge, print; with --wait, again every 2 s until
// valid or out of time. Exits 1 while any failure is left (warnings do not fail), with one line
// saying so; a cluster that cannot be read within --timeout is a failure too, never a hang.
import { connect } from '../kube/context.js';
import { CliError } from '../kube/errors.js';
import { durationSeconds } from '../kube/options.js';
import { outputFormat, renderObject, renderTable } from '../kube/output.js';
import { judge, readCluster, type ClusterSnapshot, type Finding } from './validate.js';

interface Options {
  kubeconfig?: string;
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

function summary(s: ClusterSnapshot): string {
  const ready = (conds: { type: string; status: string }[] | undefined): boolean =>
    conds?.find((c) => c.type === 'Ready')?.status === 'True';
  const nodesReady = s.nodes.filter((n) => ready(n.status?.conditions)).length;
  return `nodes: ${s.nodes.length} (${nodesReady} Ready), control-plane leases: ${s.leases.length}, PodDisruptionBudgets: ${s.pdbs.length}\n`;
}

export async function validateCommand(o: Options): Promise<void> {
  const c = await connect(o);
  const timeoutMs = durationSeconds('--timeout', o.timeout) * 1000;
  const deadline = o.wait ? Date.now() + durationSeconds('--wait', o.wait) * 1000 : 0;
  let snapshot: ClusterSnapshot;
  let findings: Finding[];
  try {
    for (;;) {
      snapshot = await withDeadline(readCluster(c.client), timeoutMs);
      findings = judge(snapshot, Date.now());
      if (!findings.some((f) => f.severity === 'failure') || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    c.client.close();
  }
  const failures = findings.filter((f) => f.severity === 'failure').length;
  const warnings = findings.length - failures;
  const format = outputFormat(o.output);
  if (format) process.stdout.write(renderObject({ valid: failures === 0, findings }, format));
  else {
    process.stdout.write(
      `Validating the cluster at ${c.kubeConfig.getCurrentCluster()?.server ?? '?'}\n${summary(snapshot)}`,
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
