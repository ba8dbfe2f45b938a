// The web console as `wharf up` serves it: on loopback, --console-port (8070). The default port may
// be taken (another Wharf on this machine): then any free port, said in a warning; a port asked for
// explicitly must be free. The app not built is a warning, not a failed start.
import type { Logger } from '@wharf/client';
import { serveConsole, type ConsoleServer } from './console/serve.js';
import type { ApiTarget } from './console/proxy.js';
import type { UpConfig } from './up-options.js';

export async function startUpConsole(c: UpConfig, api: ApiTarget, log: Logger): Promise<ConsoleServer> {
  const logger = log.child({ component: 'console' });
  let served: ConsoleServer;
  try {
    served = await serveConsole({ port: c.consolePort, api });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || c.consolePortGiven) throw new Error(`console: port ${c.consolePort}: ${(e as Error).message}`);
    logger.warn({ port: c.consolePort }, 'the default console port is taken: serving the console on another free port (pass --console-port to choose)');
    served = await serveConsole({ port: 0, api });
  }
  if (!served.built) logger.warn('the console is not built (packages/console/dist): run "npm run build"');
  return served;
}
