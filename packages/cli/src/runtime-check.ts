// Which container runtime `wharf up --nodes N` uses: runc where the machine allows real containers
// (root, runc, conmon, the CNI plugins), else the process runtime (host processes, no isolation).
import { existsSync } from 'node:fs';
import type { RuntimeKind } from '@wharf/node';

/** Why real containers cannot run here, or undefined when they can. */
export function runtimeUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  if (!existsSync('/usr/sbin/runc')) return 'runc is not installed (apt-get install runc)';
  if (!existsSync('/usr/bin/conmon')) return 'conmon is not installed (apt-get install conmon)';
  if (!existsSync('/usr/lib/cni/bridge'))
    return 'CNI plugins are not installed (apt-get install containernetworking-plugins)';
  return undefined;
}

export interface RuntimeChoice {
  readonly kind: RuntimeKind;
  /** Why the process runtime was chosen (for the start-up warning). */
  readonly reason?: string;
}

/** `--runtime auto|runc|process` (default auto) → the runtime the nodes use. */
export function chooseRuntime(
  flag: string | undefined,
  unavailable: () => string | undefined = runtimeUnavailable,
): RuntimeChoice {
  const requested = flag ?? 'auto';
  if (requested === 'process') return { kind: 'process', reason: 'requested with --runtime process' };
  if (requested !== 'auto' && requested !== 'runc')
    throw new Error(`--runtime must be auto, runc or process, got "${requested}"`);
  const why = unavailable();
  if (!why) return { kind: 'runc' };
  if (requested === 'runc')
    throw new Error(`--runtime runc cannot run here: ${why} (use --runtime process to run pods as host processes)`);
  return { kind: 'process', reason: `runc runtime unavailable: ${why}` };
}

/** The start-up warning of the process runtime: what a user loses. */
export const PROCESS_RUNTIME_WARNING =
  'process runtime: pods run as plain host processes, with no isolation and no resource limits; they share the host network ' +
  '(pod IP 127.0.0.1, container ports are host ports); Service cluster IPs and cluster DNS are off';
