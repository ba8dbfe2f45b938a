// /git/<namespace>/<name>.git/...: the smart HTTP protocol's three endpoints (info/refs,
// git-upload-pack, git-receive-pack), after authentication and RBAC; anything else is 404 and a
// path that tries to leave the repository is 400. A push runs one at a time per repository, its
// refs compared before and after so each changed ref is handed to the trigger.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { reviewToken } from '@wharf/client';
import { mayAccess, tokenFrom } from './auth.js';
import { answer, cloneUrl, getRepository, NAME_RE, NAMESPACE_RE, type ServerContext } from './context.js';
import { runGitHttpBackend } from './git-cgi.js';
import { changedRefs, commitInfo, ensureBareRepo, listRefs, repoDir } from './git-repo.js';
import { recordEvent } from './recorder.js';
import type { Repository } from './types.js';

const ENDPOINTS = new Set(['/info/refs', '/git-upload-pack', '/git-receive-pack']);
const locks = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier call for the same key. */
async function serially<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const settled = next.catch(() => undefined);
  locks.set(key, settled);
  try {
    return await next;
  } finally {
    if (locks.get(key) === settled) locks.delete(key);
  }
}

export async function serveGit(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const m = /^\/git\/([^/]+)\/([^/]+)\.git(\/.*)?$/.exec(path);
  const [ns = '', name = '', rest = ''] = m ? m.slice(1) : [];
  if (path.split('/').some((s) => s === '..' || s === '.') || /%2e|%2f|\\|\0/i.test(req.url ?? ''))
    return answer(res, 400, 'bad repository path');
  if (!m || !NAMESPACE_RE.test(ns) || !NAME_RE.test(name) || !ENDPOINTS.has(rest))
    return answer(res, 404, `not a git endpoint: ${path} (clone ${ctx.publicUrl}/git/<namespace>/<repository>.git)`);
  const service =
    rest === '/info/refs' ? new URL(req.url ?? '', 'http://x').searchParams.get('service') : rest.slice(1);
  if (service !== 'git-upload-pack' && service !== 'git-receive-pack')
    return answer(res, 403, 'only the smart HTTP protocol is served (git 1.6.6 or newer)');
  const push = service === 'git-receive-pack';

  const token = tokenFrom(req.headers.authorization);
  const challenge = { 'www-authenticate': 'Basic realm="Wharf git"' };
  if (!token) return answer(res, 401, 'authentication required: a cluster token as the password', challenge);
  const user = await reviewToken(ctx.client, token);
  if (!user) return answer(res, 401, 'the token is not valid', challenge);
  if (!(await mayAccess(ctx.client, user, ns, name, push))) {
    return answer(
      res,
      403,
      push
        ? `${user.username} may not push to ${ns}/${name} (needs create on repositories/push)`
        : `${user.username} may not read ${ns}/${name} (needs get on repositories)`,
    );
  }
  const repo = await getRepository(ctx, ns, name);
  if (!repo) return answer(res, 404, `repository ${ns}/${name} not found`);
  if (repo.spec.source.type !== 'builtin')
    return answer(
      res,
      404,
      `repository ${ns}/${name} lives at ${repo.spec.source.url ?? 'an outside forge'}, not on this server`,
    );
  const dir = repoDir(ctx.reposRoot, ns, name);
  await ensureBareRepo(dir);
  const cgi = {
    projectRoot: ctx.reposRoot,
    pathInfo: `/${ns}/${name}.git${rest}`,
    remoteUser: user.username,
    maxBodyBytes: ctx.maxPushBytes,
  };
  if (!push || req.method !== 'POST') return runGitHttpBackend(req, res, cgi);

  const changes = await serially(dir, async () => {
    const before = await listRefs(dir);
    await runGitHttpBackend(req, res, cgi);
    return changedRefs(before, await listRefs(dir));
  });
  for (const c of changes) await triggerPush(ctx, repo, dir, c, user.username);
}

async function triggerPush(
  ctx: ServerContext,
  repo: Repository,
  dir: string,
  change: { ref: string; commit?: string },
  pusher: string,
): Promise<void> {
  const { namespace, name } = repo.metadata;
  try {
    const info = change.commit ? await commitInfo(dir, change.commit) : undefined;
    const event = await ctx.trigger.onPush(repo, {
      ref: change.ref,
      cloneUrl: cloneUrl(ctx, namespace, name),
      trigger: 'push',
      ...(change.commit ? { commit: change.commit } : {}),
      ...info,
    });
    await recordEvent(ctx.client, namespace, name, event);
    ctx.logger.info(
      {
        repository: `${namespace}/${name}`,
        ref: change.ref,
        commit: change.commit,
        pusher,
        result: event.result,
        pipelineRun: event.pipelineRun,
      },
      'push',
    );
  } catch (e) {
    ctx.logger.warn({ err: e, repository: `${namespace}/${name}`, ref: change.ref }, 'could not record a push');
  }
}
