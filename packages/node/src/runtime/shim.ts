// The process shim's config (helpers/process-shim.mjs runs it): the container's command, files and
// stdin. The shim is plain JavaScript outside src/, so Node runs the same file from the sources
// and from a build; its path is resolved from this module's location.
import { fileURLToPath } from 'node:url';

export interface ShimConfig {
  readonly id: string;
  readonly logPath: string;
  /** Holds the container process's host pid once it runs. */
  readonly pidFile: string;
  readonly startedPath: string;
  readonly exitPath: string;
  /**
   * Keep the container's stdin open and feed it from connections to the Unix socket STDIN_SOCKET
   * in the shim's working directory (the container dir), as `kubectl attach -i` needs. With
   * `once`, stdin closes when the first connection ends (the pod's stdinOnce). @default no stdin
   */
  readonly stdin?: { readonly once: boolean };
  /** Longer lines are split into partial lines (CRI_MAX_LINE). */
  readonly maxLine: number;
  readonly command: HostCommand;
}

/**
 * The stdin socket's name in the container dir (relative: a long data dir must not hit the 108-byte socket path limit).
 */
export const STDIN_SOCKET = 'stdin.sock';

/** helpers/process-shim.mjs of this package (two levels up from src/runtime/ and dist/runtime/ alike). */
export const SHIM_MODULE = fileURLToPath(new URL('../../helpers/process-shim.mjs', import.meta.url));

/** A command to run on the host, resolved already (see process-command.ts). */
export interface HostCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** argv[0] as the program sees it (busybox picks its applet from it). @default file */
  readonly argv0?: string;
  /** The whole environment. @default the caller's */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** Field 22 (starttime, clock ticks after boot) of a /proc/<pid>/stat text (the shim has its own copy). */
export function startTicks(stat: string): string {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}
