// The machine a benchmark ran on, and the table each report opens with.
import { cpus, loadavg, release, totalmem } from 'node:os';

/** Facts about this machine, with the load average now (take it when the run starts). */
export function machineFacts(extra = {}) {
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: cpus()[0]?.model ?? 'unknown',
    nproc: cpus().length,
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    load: loadavg()
      .map((l) => l.toFixed(2))
      .join(', '),
    ...extra,
  };
}

/** The machine table; `references` are [label, value] rows for the reference software beside Wharf. */
export function machineTable(m, references, runtime) {
  const rows = [
    ['CPU', m.cpu],
    ['cores (nproc)', m.nproc],
    ['memory', `${m.memGb} GB`],
    ['node', m.node],
    ...references,
    ['kernel', m.kernel],
    ['load average when the run started', m.load],
    ['runtime', runtime],
  ];
  return ['| machine | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}
