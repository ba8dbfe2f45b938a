// Whether this machine can run the suites that start real runc containers. Only a machine that
// cannot have them (not root: setup cannot install runc and the CNI plugins) skips those suites;
// as root, or in CI, a missing part is an error, so a broken install fails instead of skipping.
import { existsSync } from 'node:fs';

/** Why runc pods cannot run here ('not root'), or '' when they can; throws when they should but cannot. */
export function runcUnavailable(): string {
  const missing = !existsSync('/usr/sbin/runc')
    ? 'no runc'
    : !existsSync('/usr/bin/conmon')
      ? 'no conmon'
      : !existsSync('/usr/lib/cni/bridge')
        ? 'no CNI plugins'
        : '';
  const root = process.getuid?.() === 0;
  if ((root || process.env.CI) && missing)
    throw new Error(`runc suites cannot run: ${missing} (run scripts/setup.sh --test as root)`);
  if (!root) {
    if (process.env.CI) throw new Error('runc suites cannot run: not root (CI runs them as root)');
    return 'not root';
  }
  return '';
}

/**
 * Why a suite's tool (a browser, slapd) is missing, or '' when every path exists. As root, or in
 * CI, setup installs them: a missing one is an error there, as for runc, never a silent skip.
 */
export function toolUnavailable(paths: readonly string[], hint: string): string {
  const missing = paths.find((p) => !existsSync(p));
  if (!missing) return '';
  const why = `${missing} is missing (${hint})`;
  if (process.getuid?.() === 0 || process.env.CI) throw new Error(`suite cannot run: ${why}`);
  return why;
}
