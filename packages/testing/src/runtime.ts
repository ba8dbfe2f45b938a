// Whether this machine can run the suites that start real runc containers.
import { existsSync } from 'node:fs';

/** Why runc pods cannot run here ('not root', 'no runc', 'no CNI plugins'), or '' when they can. */
export function runcUnavailable(): string {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync('/usr/sbin/runc')) return 'no runc';
  if (!existsSync('/usr/lib/cni/bridge')) return 'no CNI plugins';
  return '';
}
