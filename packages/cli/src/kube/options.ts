// The options every cluster verb shares, added in one place so they read the same everywhere.
import { Option, type Command } from 'commander';
import { CliError } from './errors.js';

/** --kubeconfig and -n/--namespace. */
export function withCluster(cmd: Command): Command {
  return cmd
    .option(
      '--kubeconfig <file>',
      'the cluster (default: $KUBECONFIG, else the kubeconfig of "wharf up" in ~/.wharf, else ~/.kube/config)',
    )
    .option('-n, --namespace <ns>', 'the namespace (default: the kubeconfig context\'s, else "default")');
}

/** -o json|yaml for verbs that print objects. */
export function withOutput(cmd: Command): Command {
  return cmd.addOption(
    new Option('-o, --output <format>', 'print objects as json or yaml instead of a table').choices(['json', 'yaml']),
  );
}

/** --no-wait and --timeout for long operations. */
export function withWait(cmd: Command): Command {
  return cmd
    .option('--no-wait', 'return once the change is accepted, without waiting for the rollout')
    .option('--timeout <duration>', 'stop waiting after this long (90s, 5m); the rollout goes on', '10m');
}

/** The help text's example section. */
export const example = (lines: string): string => `\nExample:\n${lines.replace(/^\n/, '').replace(/^/gm, '  ')}`;

/** A repeatable option's values, in order. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/**
 * A flag's duration (`90s`, `30m`, `24h`, `7d`; a bare number is seconds) in seconds; a one-line
 * error naming the flag otherwise.
 */
export function durationSeconds(flag: string, text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) throw new CliError(`${flag} ${text}: give a duration such as 90s, 30m, 24h or 7d`);
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? ''] ?? 1);
}
