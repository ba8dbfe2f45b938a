// The control-plane steps of upgrading a control plane of three: one API server member at a time,
// each asked directly (its own port, not the balancer's) whether it serves the target, so the other
// two serve every request meanwhile. Members 1 and 2 are processes `wharf up` restarts on request;
// member 0 is `wharf up` itself, restarted after a handover that leaves the other two running.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loopbackGet, readyz } from '../api-balancer.js';
import { readControlPlane } from '../control-plane.js';
import { isRunning, sendControl } from '../control.js';
import { CliError } from '../kube/errors.js';
import { sleep, upAlive, type ClusterRecord } from './lifecycle.js';
import { versionOf } from './upgrade-plan.js';
import { pinVersionFlag } from './version-flag.js';

/** What a member answers on its own port: the version it serves ('' when it does not answer) and /readyz. */
export interface MemberAnswer {
  readonly version: string;
  readonly ready: boolean;
}

/** The version the API server on loopback `port` serves (its certificate checked against `ca`); '' when it fails. */
async function versionAt(port: number, ca: string): Promise<string> {
  const r = await loopbackGet(port, '/version', ca, 2_000);
  try {
    return r?.status === 200 ? versionOf((JSON.parse(r.body) as { gitVersion: string }).gitVersion) : '';
  } catch {
    return '';
  }
}

/** Member `i` of the data dir's control plane of three, asked directly. */
export async function askMember(dataDir: string, i: number): Promise<MemberAnswer> {
  const port = readControlPlane(dataDir)?.apiPorts[i];
  if (port === undefined) throw new CliError(`${dataDir} has no API server member ${i} (control-plane.json)`);
  const ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
  const [version, ready] = await Promise.all([versionAt(port, ca), readyz(port, ca)]);
  return { version, ready };
}

const serves = (a: MemberAnswer, to: string): boolean => a.ready && a.version === to;

/**
 * Restarts member `i` at `to` (1 or 2: `wharf up` restarts its process, which reads the version
 * pinned in the data dir; 0: `restartUp`, after a handover). A member already serving `to` (a
 * rerun after kill -9) is left as it is. Answers what it did, for the record.
 */
export async function upgradeMember(
  r: ClusterRecord,
  i: number,
  to: string,
  restartUp: () => Promise<number>,
): Promise<string> {
  const { dataDir } = r.spec;
  const running = upAlive(r.pid, dataDir);
  if (running && serves(await askMember(dataDir, i), to)) return `already serves ${to}`;
  if (i !== 0) {
    if (!running) throw new CliError(`wharf up of ${dataDir} is not running: it restarts API server member ${i}`);
    // The member reads the version the data dir is pinned to when it starts (member 0 too, later).
    pinVersionFlag(dataDir, to);
    await sendControl(dataDir, `/members/${i}/restart`);
    return `API server member ${i} restarted at ${to}`;
  }
  // Members 1 and 2 (already at `to`), the balancer and etcd keep serving while wharf up restarts.
  // A wharf up alive without its control socket is already stopping: a run killed after asking it
  // for the handover (so it holds) and before the restart; it is stopped and started as usual.
  if (running && (await isRunning(dataDir))) await sendControl(dataDir, '/handover');
  const pid = await restartUp();
  return `wharf up pid ${pid} serves member 0 at ${to}, members 1 and 2 adopted`;
}

/** Waits until member `i` answers /readyz and serves `to` on its own port, or throws why not. */
export async function validateMember(dataDir: string, i: number, to: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await askMember(dataDir, i);
    if (serves(a, to)) return `API server member ${i} serves ${to}, /readyz ok`;
    if (Date.now() > deadline)
      throw new CliError(
        `API server member ${i} ${a.version ? `serves ${a.version}` : 'does not answer /version'}${a.ready ? '' : ', /readyz not ok'} ${Math.round(timeoutMs / 1000)} s after its restart (want ${to})`,
      );
    await sleep(500);
  }
}
