// Installs (or upgrades) the platform CRDs and waits until the API serves them.
import { installCrds as install, type KubeClient, type Logger } from '@wharf/client';
import { CRDS } from './crds.js';

export function installCrds(client: KubeClient, logger: Logger, timeoutMs = 30_000): Promise<void> {
  return install(client, CRDS, logger, timeoutMs);
}
