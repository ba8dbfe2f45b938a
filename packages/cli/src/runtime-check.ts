// Whether this machine can run pods as real containers (root, runc, the CNI plugins).
import { existsSync } from 'node:fs';

/** Why real containers cannot run here, or undefined when they can. */
export function runtimeUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  if (!existsSync('/usr/sbin/runc')) return 'runc is not installed (apt-get install runc)';
  if (!existsSync('/usr/lib/cni/bridge')) return 'CNI plugins are not installed (apt-get install containernetworking-plugins)';
  return undefined;
}
