// An address of this host that is no node's: where pods reach the control plane (the `kubernetes`
// Service's endpoint) whichever node they run on, also while a node and its bridge are down. It
// sits on a port-less bridge of its own (the dummy link type is not available everywhere); the
// kernel delivers packets for a local address whatever the link's carrier.
import { exec, run } from '../util/exec.js';

/** Creates `device` (idempotently) holding `address`/32, and brings it up. */
export async function ensureHostAddress(device: string, address: string): Promise<void> {
  if ((await exec('ip', ['link', 'show', device])).code !== 0) {
    const r = await exec('ip', ['link', 'add', device, 'type', 'bridge']);
    if (r.code !== 0 && (await exec('ip', ['link', 'show', device])).code !== 0)
      await run('ip', ['link', 'add', device, 'type', 'bridge']);
  }
  await run('ip', ['addr', 'replace', `${address}/32`, 'dev', device]);
  await run('ip', ['link', 'set', device, 'up']);
}

/** Removes the device and its address (a missing one is fine). */
export async function removeHostAddress(device: string): Promise<void> {
  await exec('ip', ['link', 'delete', device]);
}
