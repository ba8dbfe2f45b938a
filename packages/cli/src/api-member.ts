// `wharf apiserver`: member 1 or 2 of a control plane of three (control-plane.ts), started and
// supervised by `wharf up`. An API server on the data dir's etcd, with the data dir's PKI and keys,
// and the controller manager and scheduler, which lead only while they hold the Lease.
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiServer } from '@wharf/apiserver';
import { startControllers } from '@wharf/controllers';
import type { Logger } from 'pino';
import { MEMBER_SPEC_ENV, type MemberSpec } from './control-plane.js';

/** How long the member may take to stop (its API server's shutdown delay, 2 s, included). */
const STOP_MS = 5_000;
/** How often a member tries again to serve where pods reach this host. */
const ADVERTISE_RETRY_MS = 2_000;

/**
 * Joins the `kubernetes` Service at `address` once this host has it: the node agents of `wharf up`
 * set the address up, maybe after this member started.
 */
async function advertiseWhenUp(
  server: ApiServer,
  address: string,
  port: number,
  stopping: () => boolean,
  log: Logger,
): Promise<void> {
  while (!stopping()) {
    try {
      await server.advertiseMember(address, port);
      log.info({ address, port }, 'serving pods: in the kubernetes Service endpoints');
      return;
    } catch (e) {
      log.debug({ err: e, address }, 'where pods reach this host is not up yet');
      await new Promise((r) => setTimeout(r, ADVERTISE_RETRY_MS));
    }
  }
}

/** Serves until SIGTERM or SIGINT, then stops the controllers and the API server. */
export async function runApiMember(dataDir: string, member: number, log: Logger): Promise<void> {
  const raw = process.env[MEMBER_SPEC_ENV];
  if (!raw) throw new Error(`wharf apiserver is started by wharf up --control-plane-members 3 (${MEMBER_SPEC_ENV})`);
  const spec = JSON.parse(raw) as MemberSpec;
  const server = await ApiServer.create({
    ...spec.apiServer,
    dataDir,
    port: spec.port,
    publicPort: spec.publicPort,
    etcdServers: spec.etcdServers,
    agentToken: spec.agentToken,
    logger: log.child({ component: 'apiserver', member }),
  });
  await server.start();
  // Through the balancer, as every client: the controllers keep their API when this member's is slow or gone.
  const kc = new KubeConfig();
  kc.loadFromFile(join(dataDir, 'kubeconfig'));
  const controllers = await startControllers({
    ...spec.controllers,
    kubeConfig: kc,
    logger: log.child({ component: 'controller-manager', member }),
  });
  log.info({ member, port: spec.port, leading: controllers.leading }, 'API server member serving');
  let stopping = false;
  if (spec.podAddress) void advertiseWhenUp(server, spec.podAddress, spec.port, () => stopping, log);
  /** SIGTERM (a restart of this member alone) drains first; SIGINT (the whole control plane stops) does not. */
  const stop = (drain: boolean): void => {
    if (stopping) return;
    stopping = true;
    // The controllers release their Lease through the balancer while the other members may be
    // stopping too, and the store's watch is cancelled in etcd, whose members may be changing: the
    // member exits within a few seconds whatever hangs, not after `wharf up`'s SIGKILL grace.
    setTimeout(() => process.exit(0), STOP_MS).unref();
    // Both at once: the server leaves the balancer (its shutdown delay) while the controllers let go of their Lease.
    void Promise.all([controllers.stop(), server.stop({ drain })]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop(true));
  process.once('SIGINT', () => stop(false));
}
