// The notification gateway's HTTP server and its thin runner.
//   POST /webhook/{namespace}/{channel}     Alertmanager webhook_config URL (payload version 4):
//        delivery (retries, fallback) starts at once; the answer follows the alert history write.
//   POST /api/v1/namespaces/{ns}/notificationchannels/{name}/test   a test-send, answered with its attempts
//   GET  /healthz
// Channels come from a watch (an informer), so an edited channel applies to the next group.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  componentUserAgent,
  EventRecorder,
  Informer,
  isStatus,
  KubeClient,
  realClock,
  silentLogger,
  timestamp,
  type Clock,
  type Logger,
} from '@wharf/client';
import { AttemptLog } from './attempt-log.js';
import { ensureChannelCrd } from './crd.js';
import { Dispatcher, payloadFor } from './dispatcher.js';
import { AlertHistory } from './history.js';
import { GatewayMetrics } from './metrics.js';
import { SilenceRecorder } from './silences.js';
import { CHANNEL_PLURAL, GROUP, VERSION, type NotificationChannel } from './types.js';
import { parsePayload, PayloadError, testPayload } from './payload.js';

export interface NotifyGatewayOptions {
  readonly kubeConfig: KubeConfig;
  /** 0 picks a free port. */
  readonly port: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** Where alert history ConfigMaps live (created if missing). @default wharf-monitoring */
  readonly namespace?: string;
  /** @default realClock */
  readonly clock?: Clock;
  /** Per-request timeout of a channel. @default 10000 */
  readonly sendTimeoutMs?: number;
  /** Alertmanager's URL: its silences (who silenced what) are copied into the alert history. @default none */
  readonly alertmanagerUrl?: string;
}

export interface NotifyGateway {
  readonly port: number;
  readonly url: string;
  /** Resolves when deliveries in flight and their records are done. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const MAX_BODY = 4 << 20;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new HttpError(413, 'RequestEntityTooLarge', `body larger than ${MAX_BODY} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const isWebhook = (req: http.IncomingMessage): boolean =>
  req.method === 'POST' && (req.url ?? '').startsWith('/webhook/');

export async function startNotifyGateway(opts: NotifyGatewayOptions): Promise<NotifyGateway> {
  const logger = (opts.logger ?? silentLogger).child({ component: 'notify-gateway' });
  const clock = opts.clock ?? realClock;
  const namespace = opts.namespace ?? 'wharf-monitoring';
  const client = new KubeClient(opts.kubeConfig, { userAgent: componentUserAgent('wharf-notify-gateway') });
  await ensureChannelCrd(client);
  try {
    await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  } catch (e) {
    // 403: a gateway in a pod may not create namespaces; the one it runs in exists.
    if (!isStatus(e, 409) && !isStatus(e, 403)) throw e;
  }
  const events = new EventRecorder({
    client,
    component: 'notify-gateway',
    clock,
    onError: (e) => logger.debug({ err: (e as Error).message }, 'event not written'),
  });
  const attempts = new AttemptLog({ client, events, logger });
  // Channels from a watch, so a burst of webhooks does not read each one from the API.
  const channels = new Informer<NotificationChannel>({
    client,
    path: `/apis/${GROUP}/${VERSION}/${CHANNEL_PLURAL}`,
    clock,
    onError: (e) => logger.debug({ err: (e as Error).message }, 'channel watch error'),
  });
  await channels.startSynced();
  const metrics = new GatewayMetrics();
  const dispatcher = new Dispatcher({
    client,
    attempts,
    events,
    logger,
    clock,
    channels,
    metrics,
    ...(opts.sendTimeoutMs ? { sendTimeoutMs: opts.sendTimeoutMs } : {}),
  });
  const history = new AlertHistory(client, namespace, logger);
  const silences = opts.alertmanagerUrl
    ? new SilenceRecorder({ alertmanagerUrl: opts.alertmanagerUrl.replace(/\/$/, ''), history, logger, clock })
    : undefined;
  const inFlight = new Set<Promise<unknown>>();
  const nowIso = (): string => timestamp(clock.now()) as unknown as string;

  const channelOr404 = async (ns: string, name: string) => {
    const ch = await dispatcher.getChannel(ns, name);
    if (!ch) throw new HttpError(404, 'NotFound', `notificationchannel ${ns}/${name} not found`);
    return ch;
  };

  async function route(req: http.IncomingMessage): Promise<{ status: number; body: unknown; contentType?: string }> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/healthz') return { status: 200, body: { ok: true } };
    if (req.method === 'GET' && path === '/metrics') {
      const m = await metrics.text();
      return { status: 200, body: m.body, contentType: m.contentType };
    }
    let m = /^\/webhook\/([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(path);
    if (m && req.method === 'POST') {
      const payload = parsePayload(await readBody(req));
      const ch = await channelOr404(m[1]!, m[2]!);
      // Delivery starts at once; the answer waits for the history, but a history that cannot be
      // written (logged by AlertHistory) never holds a notification back.
      const wanted = payloadFor(ch, payload);
      if (wanted) {
        const p = dispatcher.dispatch(ch, wanted).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      const recorded = await history.record(payload, nowIso()).then(
        () => true,
        () => false,
      );
      return {
        status: 200,
        body: { accepted: payload.alerts.length, delivering: !!wanted, historyRecorded: recorded },
      };
    }
    m = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/notificationchannels\/([a-z0-9.-]+)\/test$/.exec(path);
    if (m && req.method === 'POST') {
      const ch = await channelOr404(m[1]!, m[2]!);
      const result = await dispatcher.dispatch(ch, testPayload(ch.metadata.name, nowIso()), 'test');
      return { status: result.deliveredBy ? 200 : 502, body: result };
    }
    throw new HttpError(404, 'NotFound', `no route for ${req.method} ${path}`);
  }

  const server = http.createServer((req, res) => {
    route(req).then(
      ({ status, body, contentType }) => {
        if (isWebhook(req)) metrics.webhooks.inc({ code: String(status) });
        if (contentType) res.writeHead(status, { 'content-type': contentType }).end(body);
        else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      },
      (e: unknown) => {
        const err =
          e instanceof HttpError
            ? e
            : e instanceof PayloadError
              ? new HttpError(400, 'BadRequest', e.message)
              : new HttpError(500, 'InternalError', (e as Error).message);
        if (isWebhook(req)) metrics.webhooks.inc({ code: String(err.status) });
        if (err.status >= 500) logger.error({ err: err.message }, 'request failed');
        res.writeHead(err.status, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            code: err.status,
            reason: err.reason,
            message: err.message,
          }),
        );
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  silences?.start();
  logger.info({ url, namespace }, 'notification gateway listening');
  const idle = async (): Promise<void> => {
    while (inFlight.size) await Promise.allSettled([...inFlight]);
    await attempts.flush();
  };
  return {
    port,
    url,
    idle,
    stop: async () => {
      await silences?.stop();
      await channels.stop();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await idle();
      client.close();
    },
  };
}
