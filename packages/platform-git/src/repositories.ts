// Keeps each Repository's side of the server in step, on informer events (no polling): the bare
// repository of a built-in source exists, and status carries its clone URL and webhook path.
import { type Clock, type Informer, type InformerFactory, QueueController } from '@wharf/client';
import { cloneUrl, type ServerContext } from './context.js';
import { ensureBareRepo, repoDir } from './git-repo.js';
import { updateStatus } from './recorder.js';
import type { Repository } from './types.js';

export class RepositoryController extends QueueController {
  constructor(
    private readonly sctx: ServerContext & { readonly clock: Clock; readonly informers: InformerFactory },
    private readonly repos: Informer<Repository>,
  ) {
    super(sctx, 'repository', 1);
    repos.on((t, r) => {
      if (t !== 'delete') this.queue.add(`${r.metadata.namespace}/${r.metadata.name}`);
    });
  }

  protected async sync(key: string): Promise<void> {
    const repo = this.repos.getByKey(key);
    if (!repo) return;
    const { namespace, name } = repo.metadata;
    const builtin = repo.spec.source.type === 'builtin';
    if (builtin && (await ensureBareRepo(repoDir(this.sctx.reposRoot, namespace, name))))
      this.sctx.logger.info({ repository: key }, 'created the bare repository');
    const want = {
      ...(builtin ? { cloneURL: cloneUrl(this.sctx, namespace, name) } : {}),
      ...(repo.spec.webhook ? { webhookPath: `/hooks/${namespace}/${name}` } : {}),
    };
    if (repo.status?.cloneURL === want.cloneURL && repo.status?.webhookPath === want.webhookPath) return;
    await updateStatus(this.sctx.client, namespace, name, (s) => {
      if (want.cloneURL) s.cloneURL = want.cloneURL;
      if (want.webhookPath) s.webhookPath = want.webhookPath;
    });
  }
}
