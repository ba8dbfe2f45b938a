// Starts the pipeline controllers (TaskRun, PipelineRun), the step log collector, the log API and
// its retention pass, on shared informers: in `wharf up`'s process, or from `wharf platform`.
import { join } from 'node:path';
import type { KubeConfig, V1ResourceRequirements } from '@kubernetes/client-node';
import {
  type Clock,
  componentUserAgent,
  ensureServingCert,
  EventRecorder,
  InformerFactory,
  installCrds,
  KubeClient,
  type Logger,
  PeriodicPass,
  realClock,
  RequestHeaderAuth,
  silentLogger,
} from '@wharf/client';
import { withDefaults } from '@wharf/api';
import { isDone } from './common/conditions.js';
import type { PipelinesContext } from './common/context.js';
import { parseDuration } from './common/duration.js';
import { CRDS } from './crds.js';
import { LogArchive } from './logs/archive.js';
import { LogCollector } from './logs/collector.js';
import { LOGS_NAMESPACE, LOGS_SERVICE, registerLogApi } from './logs/register.js';
import { expiredArchives, RETENTION_ANNOTATIONS, type RetentionPolicy } from './logs/retention.js';
import { LogServer } from './logs/server.js';
import { PipelineRunController } from './pipeline/controller.js';
import { TaskRunController } from './task/controller.js';
import { COLLECTIONS, type Pipeline, type PipelineRun, type TaskRun } from './types.js';

export interface PipelinesOptions {
  readonly kubeConfig: KubeConfig;
  /** Where step logs are archived (and the log API's certificate kept). */
  readonly dataDir: string;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** @default realClock */
  readonly clock?: Clock;
  /** Install (or upgrade) the tekton.dev CRDs first. @default true */
  readonly installCrds?: boolean;
  /** Image of the script writer and results reader (needs sh and base64). @default 'busybox:1' */
  readonly helperImage?: string;
  /** Resources of steps that set none. @default requests cpu 50m / memory 64Mi, limits cpu 1 / memory 1Gi */
  readonly defaultStepResources?: V1ResourceRequirements;
  /** Log retention per pipeline, unless its annotations say otherwise. @default 20 runs, 30 days */
  readonly retention?: Partial<RetentionPolicy>;
  /** How often old logs are dropped. @default 600000 */
  readonly retentionEveryMs?: number;
}

export interface RunningPipelines {
  /** The log API's port on 127.0.0.1 (behind the APIService). */
  readonly logPort: number;
  stop(): Promise<void>;
}

const DEFAULT_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '1', memory: '1Gi' },
};

export async function startPipelines(options: PipelinesOptions): Promise<RunningPipelines> {
  const opts = withDefaults(
    {
      logger: silentLogger,
      clock: realClock,
      installCrds: true,
      helperImage: 'busybox:1',
      defaultStepResources: DEFAULT_RESOURCES,
      retention: {},
      retentionEveryMs: 600_000,
    },
    options,
  );
  const logger = opts.logger;
  const client = new KubeClient(opts.kubeConfig, { userAgent: componentUserAgent('wharf-pipelines') });
  if (opts.installCrds) await installCrds(client, CRDS, logger);
  const informers = new InformerFactory({
    client,
    clock: opts.clock,
    onError: (e) => logger.warn({ err: e }, 'watch failed; retrying'),
  });
  const ctx: PipelinesContext = {
    client,
    informers,
    clock: opts.clock,
    logger,
    kubeConfig: opts.kubeConfig,
    events: new EventRecorder({
      client,
      component: 'wharf-pipelines',
      clock: opts.clock,
      onError: (e) => logger.debug({ err: e }, 'event not recorded'),
    }),
  };
  const taskRuns = new TaskRunController(ctx, {
    helperImage: opts.helperImage,
    defaultResources: opts.defaultStepResources,
  });
  const pipelineRuns = new PipelineRunController(ctx);
  const archive = new LogArchive(join(opts.dataDir, 'logs'));
  const collector = new LogCollector(ctx, taskRuns.pods, archive, logger);
  const trInformer = informers.for<TaskRun>(COLLECTIONS.taskRuns);
  const prInformer = informers.for<PipelineRun>(COLLECTIONS.pipelineRuns);
  const pipelines = informers.for<Pipeline>(COLLECTIONS.pipelines);
  const cert = ensureServingCert(join(opts.dataDir, 'tls'), `${LOGS_SERVICE}.${LOGS_NAMESPACE}.svc`);
  const server = new LogServer({
    archive,
    cert: cert.cert,
    key: cert.key,
    logger,
    auth: await RequestHeaderAuth.load(client),
    stateOf: (kind, ns, name) => {
      const run = kind === 'taskrun' ? trInformer.get(ns, name) : prInformer.get(ns, name);
      if (run && !isDone(run.status?.conditions)) return 'running';
      return collector.archiving(kind, ns, name) ? 'archiving' : 'over';
    },
  });
  const logPort = await server.start();
  await registerLogApi(client, logPort, cert.ca);
  const policyOf = (ns: string, pipeline: string | undefined): RetentionPolicy => {
    const a = (pipeline ? pipelines.get(ns, pipeline)?.metadata?.annotations : undefined) ?? {};
    const keep = Number(a[RETENTION_ANNOTATIONS.keepRuns]);
    let age = opts.retention.maxAgeMs ?? 30 * 86_400_000;
    try {
      if (a[RETENTION_ANNOTATIONS.maxAge]) age = parseDuration(a[RETENTION_ANNOTATIONS.maxAge] ?? '');
    } catch {
      logger.warn({ namespace: ns, pipeline }, `${RETENTION_ANNOTATIONS.maxAge} is not a duration; using the default`);
    }
    return { keepRuns: Number.isInteger(keep) && keep > 0 ? keep : (opts.retention.keepRuns ?? 20), maxAgeMs: age };
  };
  const retention = new PeriodicPass({
    clock: opts.clock,
    run: () => {
      const expired = expiredArchives(archive.list(), policyOf, new Date(opts.clock.now()));
      for (const m of expired) archive.remove(m.namespace, m.taskRun);
      if (expired.length) logger.info({ taskRuns: expired.length }, 'archived step logs dropped by retention');
      return Promise.resolve(opts.retentionEveryMs);
    },
  });
  taskRuns.start();
  pipelineRuns.start();
  informers.start();
  await Promise.all([informers.synced(), taskRuns.synced]);
  retention.start();
  logger.info({ logPort }, 'pipeline controllers started');
  return {
    logPort,
    async stop() {
      await retention.stop();
      await collector.stop();
      await Promise.all([taskRuns.stop(), pipelineRuns.stop()]);
      await server.stop();
      await informers.stop();
      client.close();
    },
  };
}
