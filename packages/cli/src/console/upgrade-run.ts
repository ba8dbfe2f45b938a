// The Cluster page's upgrade, run: POST /console-api/upgrade {to} starts `wharf cluster upgrade NAME
// --to V --yes` (the command a user would type) as a process of its own, detached, its output in
// DATA_DIR/console-upgrade.log: the upgrade restarts this wharf up, console included, so it cannot
// run in here. Only a user who may `update` nodes (the upgrade cordons, drains and uncordons them;
// asked of the API with their own token) may start one, and only to a version the plan offers.
// GET /console-api/upgrade-progress: the upgrade's record (its steps, those done), whether its
// process still runs, and its last log lines, for any user who may `list` nodes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ApiError, type KubeClient } from '@wharf/client';
import { startDetached } from '../detached.js';
import { readRecordFile, writeRecordFile } from '../json-record.js';
import { processHasArgs } from '../process-check.js';
import { readProgress, unfinished, type Progress } from '../cluster/upgrade-progress.js';
import { readJsonBody, RequestBodyError } from './body.js';
import type { ApiTarget } from './proxy.js';
import { sessionToken } from './session.js';
import { clusterOf, planUpgrades, userClient } from './upgrade-plan.js';

export const UPGRADE_PATH = '/console-api/upgrade';
export const UPGRADE_PROGRESS_PATH = '/console-api/upgrade-progress';

/** Who started the console's last upgrade, and its process (DATA_DIR/console-upgrade.json). */
interface Started {
  readonly pid: number;
  readonly to: string;
  readonly by: string;
  readonly at: string;
}

export interface UpgradeProgress {
  readonly cluster: string | undefined;
  /** The upgrade's record; undefined: none was ever run. */
  readonly progress: Progress | undefined;
  /** The console's upgrade process is still running. */
  readonly running: boolean;
  readonly startedBy?: string;
  /** When the console started it (ISO). */
  readonly startedAt?: string;
  /** The last lines of its output: why it stopped, when it failed. */
  readonly log: string[];
}

const startedPath = (dataDir: string): string => join(dataDir, 'console-upgrade.json');
const logPath = (dataDir: string): string => join(dataDir, 'console-upgrade.log');

const readStarted = (dataDir: string): Started | undefined => readRecordFile<Started>(startedPath(dataDir));

const running = (s: Started | undefined, cluster: string): boolean =>
  s !== undefined && processHasArgs(s.pid, 'upgrade', cluster);

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  code,
  reason,
  message,
});

/** Whether the token's user may `verb` nodes, and their name, as the API answers them. */
async function mayOnNodes(c: KubeClient, verb: string): Promise<{ allowed: boolean; user: string; reason: string }> {
  const review = await c.create<{ status?: { allowed?: boolean; reason?: string } }>(
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb, group: '', resource: 'nodes' } },
    },
  );
  const who = await c.create<{ status?: { userInfo?: { username?: string } } }>(
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  );
  return {
    allowed: review.status?.allowed === true,
    user: who.status?.userInfo?.username ?? '?',
    reason: review.status?.reason ?? '',
  };
}

function lastLines(dataDir: string): string[] {
  return existsSync(logPath(dataDir)) ? readFileSync(logPath(dataDir), 'utf8').trim().split('\n').slice(-12) : [];
}

/** The body of a POST, at most 1 KiB, as JSON; undefined when it is not (answered 422 as no `to`). */
function readRequest(body: AsyncIterable<unknown>): Promise<unknown> {
  return readJsonBody(body, 1024).catch((e: unknown) => {
    if (e instanceof RequestBodyError) return undefined;
    throw e;
  });
}

export async function upgradeRequest(
  api: ApiTarget,
  dataDir: string,
  req: AsyncIterable<unknown> & { method?: string | undefined; url?: string | undefined; headers: IncomingHttpHeaders },
  res: ServerResponse,
): Promise<void> {
  const json = (code: number, body: unknown): void => {
    res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };
  const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? sessionToken(req.headers);
  if (!token) return json(401, status(401, 'Unauthorized', 'sign in first'));
  const cluster = clusterOf(dataDir);
  const c = userClient(api, token);
  try {
    const post = req.method === 'POST';
    const may = await mayOnNodes(c, post ? 'update' : 'list');
    if (!may.allowed)
      return json(
        403,
        status(
          403,
          'Forbidden',
          `${may.user} may not ${post ? 'update' : 'list'} nodes${may.reason ? `: ${may.reason}` : ''}`,
        ),
      );
    const started = readStarted(dataDir);
    if (!post)
      return json(200, {
        cluster,
        progress: cluster ? readProgress({}, cluster) : undefined,
        running: cluster !== undefined && running(started, cluster),
        ...(started ? { startedBy: started.by, startedAt: started.at } : {}),
        log: lastLines(dataDir),
      } satisfies UpgradeProgress);
    if (!cluster)
      return json(
        409,
        status(409, 'Conflict', 'this Wharf was not made by wharf cluster create: upgrade it with the CLI'),
      );
    if (running(started, cluster))
      return json(
        409,
        status(409, 'Conflict', `an upgrade to ${started?.to ?? '?'} is running (by ${started?.by ?? '?'})`),
      );
    const to = (((await readRequest(req)) ?? {}) as { to?: unknown }).to;
    const plans = await planUpgrades(c, dataDir, cluster);
    const plan = plans.plans.find((p) => p.to === to);
    if (!plan || !plan.go)
      return json(
        422,
        status(
          422,
          'Invalid',
          plan
            ? `the upgrade to ${plan.to} is a no-go: ${plan.findings
                .filter((f) => f.level === 'blocker')
                .map((f) => f.text)
                .join('; ')}`
            : `"to" must be one of the versions the plan offers: ${plans.plans.map((p) => p.to).join(', ') || 'none'}`,
        ),
      );
    writeFileSync(logPath(dataDir), `${new Date().toISOString()} ${may.user} starts the upgrade to ${plan.to}\n`);
    // Started once its record names the target with steps left: the CLI's preflight passed too. Who
    // started it is recorded as soon as its pid is known: on a fast machine the upgrade stops this
    // `wharf up` (and this request) before that, and the next console must know it runs.
    const at = new Date().toISOString();
    let recorded = false;
    await startDetached(
      'the upgrade',
      ['cluster', 'upgrade', cluster, '--to', plan.to, '--yes'],
      logPath(dataDir),
      120_000,
      (pid) => {
        if (!recorded) writeRecordFile(startedPath(dataDir), { pid, to: plan.to, by: may.user, at } satisfies Started);
        recorded = true;
        const p = readProgress({}, cluster);
        return (unfinished(p) && p.to === plan.to) || undefined;
      },
    );
    json(202, { cluster, to: plan.to, startedBy: may.user });
  } catch (e) {
    if (e instanceof ApiError)
      res.writeHead(e.status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(e.body);
    else json(500, status(500, 'InternalError', (e as Error).message));
  } finally {
    c.close();
  }
}
