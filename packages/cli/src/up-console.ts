// The web console as `wharf up` serves it: on loopback, --console-port (8070). The default port may
// be taken (another Wharf on this machine): then any free port, said in a warning; a port asked for
// explicitly must be free. The app not built is a warning, not a failed start.
import type { Logger } from '@wharf/client';
import { serveConsole, type ConsoleServer } from './console/serve.js';
import type { ApiTarget } from './console/proxy.js';
import type { UpConfig } from './up-options.js';

export async function startUpConsole(c: UpConfig, api: ApiTarget, log: Logger, registry?: ApiTarget): Promise<ConsoleServer> {
  const logger = log.child({ component: 'console' });
  let served: ConsoleServer;
  try {
    served = await serveConsole({ port: c.consolePort, api, registry });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || c.consolePortGiven) throw new Error(`console: port ${c.consolePort}: ${(e as Error).message}`);
    logger.warn({ port: c.consolePort }, 'the default console port is taken: serving the console on another free port (pass --console-port to choose)');
    served = await serveConsole({ port: 0, api, registry });
  }
  if (!served.built) logger.warn('the console is not built (packages/console/dist): run "npm run build"');
  return served;
}

/** The API group and resource RBAC names registry repositories by (no such API serves them). */
export const REGISTRY_RBAC = { apiGroup: 'registry.wharf.dev', resource: 'repositories' } as const;

/** The RBAC question "may this user delete from this repository": the registry asks it of the authorizer, the console's Images page as a SelfSubjectAccessReview. */
export function registryDelete(repository: string | undefined) {
  return { verb: 'delete', ...REGISTRY_RBAC, subresource: '', name: repository ?? '', namespace: '', resourceRequest: true, path: '' };
}
