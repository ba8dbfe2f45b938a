// The git server as `wharf up` runs it: repositories under DIR/git, on --git-port. The default
// port may be taken (another Wharf on this machine): then any free port, said in a warning; a
// port asked for explicitly must be free.
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@wharf/client';
import { startGit } from './git.js';
import type { UpConfig } from './up-options.js';

/** `podAddress`: where pods reach this host (with nodes); served there too, and the URL builds clone. */
export async function startUpGit(kc: KubeConfig, c: UpConfig, log: Logger, podAddress?: string) {
  const logger = log.child({ component: 'git-server' });
  const options = {
    dataDir: join(c.dataDir, 'git'),
    maxConcurrentBuilds: c.maxConcurrentBuilds,
    ...(podAddress ? { alsoListenOn: podAddress } : {}),
  };
  try {
    return await startGit(kc, logger, { ...options, port: c.gitPort });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || c.gitPortGiven)
      throw new Error(`git server: port ${c.gitPort}: ${(e as Error).message}`);
    logger.warn(
      { port: c.gitPort },
      'the default git port is taken: serving git on another free port (pass --git-port to choose)',
    );
    return startGit(kc, logger, { ...options, port: 0 });
  }
}
