// The archive as an aggregated API, `pipelines.wharf.dev/v1alpha1`: TaskRunLog and PipelineRunLog
// objects (get, list) and their `log` subresource (text, `?follow=true`, `?step=`), the way
// pods/log reads. The API server authenticates and authorizes each request (RBAC on
// taskrunlogs, pipelinerunlogs and their /log) before proxying it here, so `wharf build logs`,
// kubectl and the console read logs with the user's own rights. Only the API server gets here:
// a request without the front proxy's client certificate is refused (401).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger, RequestHeaderAuth } from '@wharf/client';
import type { ArchiveMeta, LogArchive } from './archive.js';
import { streamLogs } from './stream.js';

export const LOGS_GROUP = 'pipelines.wharf.dev';
export const LOGS_VERSION = 'v1alpha1';
const GV = `${LOGS_GROUP}/${LOGS_VERSION}`;

export interface LogServerOptions {
  readonly archive: LogArchive;
  readonly cert: string;
  readonly key: string;
  /** Checks that the API server (the front proxy) made the request. */
  readonly auth: RequestHeaderAuth;
  /**
   * Where the TaskRun (kind 'taskrun') or PipelineRun is: still running; finished while its last
   * step logs are still being archived; or over (following ends there).
   */
  readonly stateOf: (
    kind: 'taskrun' | 'pipelinerun',
    namespace: string,
    name: string,
  ) => 'running' | 'archiving' | 'over';
  readonly logger: Logger;
}

const RESOURCES = [
  { name: 'taskrunlogs', singularName: 'taskrunlog', namespaced: true, kind: 'TaskRunLog', verbs: ['get', 'list'] },
  { name: 'taskrunlogs/log', singularName: '', namespaced: true, kind: 'TaskRunLog', verbs: ['get'] },
  {
    name: 'pipelinerunlogs',
    singularName: 'pipelinerunlog',
    namespaced: true,
    kind: 'PipelineRunLog',
    verbs: ['get', 'list'],
  },
  { name: 'pipelinerunlogs/log', singularName: '', namespaced: true, kind: 'PipelineRunLog', verbs: ['get'] },
];

const byCreation = (a: ArchiveMeta, b: ArchiveMeta): number =>
  a.created.localeCompare(b.created) || a.taskRun.localeCompare(b.taskRun);

/** One TaskRun's steps; with their text only for a single object (a list stays small). */
function taskRunLog(archive: LogArchive, m: ArchiveMeta, withText: boolean): object {
  return {
    name: m.taskRun,
    ...(m.pipelineTask ? { pipelineTask: m.pipelineTask } : {}),
    steps: m.steps.map((s) => ({
      name: s.step,
      container: s.container,
      pod: s.pod,
      attempt: s.attempt,
      complete: s.complete,
      ...(withText ? { log: archive.read(m.namespace, m.taskRun, s).text } : {}),
    })),
  };
}

function objectMeta(name: string, namespace: string, m: ArchiveMeta | undefined): object {
  return {
    name,
    namespace,
    ...(m ? { creationTimestamp: m.created.replace(/\.\d{3}Z$/, 'Z') } : {}),
    labels: {
      ...(m?.pipeline ? { 'tekton.dev/pipeline': m.pipeline } : {}),
      ...(m?.pipelineRun ? { 'tekton.dev/pipelineRun': m.pipelineRun } : {}),
    },
  };
}

export class LogServer {
  private server: Server | undefined;

  constructor(private readonly opts: LogServerOptions) {}

  async start(): Promise<number> {
    this.server = createServer(
      { cert: this.opts.cert, key: this.opts.key, ...this.opts.auth.tlsOptions },
      (req, res) => {
        this.handle(req, res).catch((e: unknown) => {
          this.opts.logger.warn({ err: e, path: req.url }, 'log request failed');
          if (!res.headersSent) this.status(res, 500, 'InternalError', 'reading the log archive failed');
          else res.end();
        });
      },
    );
    // Loopback only: the API server proxies to it after authorizing the caller.
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private json(res: ServerResponse, code: number, body: object): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    this.json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, code, message });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://x');
    const path = url.pathname.replace(/\/$/, '');
    if (!this.opts.auth.authenticate(req))
      return this.status(
        res,
        401,
        'Unauthorized',
        'the log archive answers the Kubernetes API server only: ask through it (kubectl get --raw, wharf build logs)',
      );
    if (req.method !== 'GET')
      return this.status(
        res,
        405,
        'MethodNotAllowed',
        `${req.method} is not supported on ${path}: the log archive is read-only`,
      );
    if (path === `/apis/${LOGS_GROUP}`) {
      const v = { groupVersion: GV, version: LOGS_VERSION };
      return this.json(res, 200, {
        kind: 'APIGroup',
        apiVersion: 'v1',
        name: LOGS_GROUP,
        versions: [v],
        preferredVersion: v,
      });
    }
    if (path === `/apis/${GV}`)
      return this.json(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: GV, resources: RESOURCES });
    const m = new RegExp(
      `^/apis/${GV.replace('.', '\\.')}/namespaces/([^/]+)/(taskrunlogs|pipelinerunlogs)(?:/([^/]+))?(?:/(log))?$`,
    ).exec(path);
    if (!m) return this.status(res, 404, 'NotFound', `the server could not find the requested resource (${path})`);
    const [, ns = '', resource = '', name, sub] = m;
    const { archive } = this.opts;
    const metas = archive.list(ns).sort(byCreation);
    const isTask = resource === 'taskrunlogs';
    const kind = isTask ? 'TaskRunLog' : 'PipelineRunLog';
    if (!name) {
      const names = isTask
        ? metas.map((x) => x.taskRun)
        : [...new Set(metas.map((x) => x.pipelineRun).filter((x): x is string => !!x))];
      const items = names.map((n) => this.object(isTask, ns, n, metas, false));
      return this.json(res, 200, { kind: `${kind}List`, apiVersion: GV, metadata: {}, items });
    }
    const mine = isTask ? metas.filter((x) => x.taskRun === name) : metas.filter((x) => x.pipelineRun === name);
    if (!mine.length)
      return this.status(
        res,
        404,
        'NotFound',
        `${resource}.${LOGS_GROUP} "${name}" not found: no step logs are archived for it (yet)`,
      );
    if (!sub) return this.json(res, 200, this.object(isTask, ns, name, metas, true));
    const runKind = isTask ? 'taskrun' : 'pipelinerun';
    // A finished run whose last lines are still on their way is read to its end, as if followed:
    // `wharf build logs` right after a build ends shows all of it.
    const follow = url.searchParams.get('follow') === 'true' || this.opts.stateOf(runKind, ns, name) === 'archiving';
    const step = url.searchParams.get('step') ?? undefined;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache, private' });
    let closed = false;
    res.on('close', () => (closed = true));
    await streamLogs(
      archive,
      {
        taskRuns: () =>
          isTask
            ? archive.list(ns).filter((x) => x.taskRun === name)
            : archive
                .list(ns)
                .filter((x) => x.pipelineRun === name)
                .sort(byCreation),
        over: () => this.opts.stateOf(runKind, ns, name) === 'over',
        prefix: step ? 'none' : isTask ? 'step' : 'task',
        ...(step ? { step } : {}),
      },
      { write: (t) => res.write(t), closed: () => closed },
      follow,
    );
    res.end();
  }

  private object(isTask: boolean, ns: string, name: string, metas: ArchiveMeta[], withText: boolean): object {
    const { archive } = this.opts;
    const mine = isTask ? metas.filter((x) => x.taskRun === name) : metas.filter((x) => x.pipelineRun === name);
    return {
      kind: isTask ? 'TaskRunLog' : 'PipelineRunLog',
      apiVersion: GV,
      metadata: objectMeta(name, ns, mine[0]),
      ...(isTask
        ? { steps: mine[0] ? (taskRunLog(archive, mine[0], withText) as { steps: unknown[] }).steps : [] }
        : { taskRuns: mine.map((x) => taskRunLog(archive, x, withText)) }),
    };
  }
}
