// One Alertmanager group to one channel: filters resolved alerts when the channel does not want
// them, delivers with retries and fallback (delivery.ts), and records every attempt (attempt-log.ts).
import {
  timestamp,
  type Clock,
  type EventRecorder,
  type KubeClient,
  type Logger,
  type ObjectCache,
} from '@wharf/client';
import { buildRequest, ChannelConfigError } from './channels/request.js';
import type { Outcome } from './channels/response.js';
import { send } from './channels/transport.js';
import type { AttemptLog } from './attempt-log.js';
import type { GatewayMetrics } from './metrics.js';
import { DEFAULT_RETRY, deliver, type DeliveryResult, type DeliveryTarget } from './delivery.js';
import { secretReader } from './secrets.js';
import { channelPath, type AmWebhookPayload, type DeliveryAttempt, type NotificationChannel } from './types.js';

export interface DispatcherOptions {
  readonly client: KubeClient;
  readonly attempts: AttemptLog;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Per-request timeout of a channel. @default 10000 */
  readonly sendTimeoutMs?: number;
  /** Channels as an informer sees them; a channel not (yet) in it is read from the API. @default none */
  readonly channels?: ObjectCache<NotificationChannel>;
  /** Counts attempts and times deliveries. @default none */
  readonly metrics?: GatewayMetrics;
}

/** What a channel should receive of a group: without resolved alerts when sendResolved is false, or nothing. */
export function payloadFor(ch: NotificationChannel, p: AmWebhookPayload): AmWebhookPayload | undefined {
  if (ch.spec.sendResolved !== false) return p;
  const firing = p.alerts.filter((a) => a.status === 'firing');
  return firing.length ? { ...p, status: 'firing', alerts: firing } : undefined;
}

export class Dispatcher {
  constructor(private readonly opts: DispatcherOptions) {}

  async getChannel(namespace: string, name: string): Promise<NotificationChannel | undefined> {
    return (
      this.opts.channels?.get(namespace, name) ??
      this.opts.client.getOptional<NotificationChannel>(channelPath(namespace, name))
    );
  }

  /** Delivers `payload` to `ch`, its fallbacks if need be; resolves when done (never rejects). */
  async dispatch(
    ch: NotificationChannel,
    payload: AmWebhookPayload,
    kind: DeliveryAttempt['status'] = payload.status,
  ): Promise<DeliveryResult> {
    const { namespace, name } = ch.metadata;
    const channels = new Map<string, NotificationChannel>([[name, ch]]);
    const target = (c: NotificationChannel): DeliveryTarget => ({
      name: c.metadata.name,
      policy: {
        maxAttempts: c.spec.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
        backoffMs: c.spec.retry?.backoffMs ?? DEFAULT_RETRY.backoffMs,
      },
      ...(c.spec.fallback ? { fallback: c.spec.fallback } : {}),
      send: () => this.sendOnce(c, payload),
    });
    const started = this.opts.clock.now();
    const result = await deliver(target(ch), {
      resolve: async (n) => {
        const c = await this.getChannel(namespace, n).catch(() => undefined);
        if (!c) {
          this.opts.events.emit(ch, 'Warning', 'FallbackMissing', `fallback channel '${n}' not found`);
          return undefined;
        }
        channels.set(n, c);
        return target(c);
      },
      record: (n, attempt, outcome, fallbackFor) => {
        const c = channels.get(n);
        if (!c) return;
        this.opts.metrics?.attempts.inc({ type: c.spec.type, result: outcome.success ? 'success' : 'failure' });
        this.opts.attempts.record(c, {
          time: timestamp(this.opts.clock.now()) as unknown as string,
          groupKey: payload.groupKey,
          status: kind,
          attempt,
          success: outcome.success,
          ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}),
          ...(outcome.code !== undefined ? { code: outcome.code } : {}),
          ...(outcome.message !== undefined ? { message: outcome.message } : {}),
          ...(fallbackFor ? { fallbackFor } : {}),
        });
      },
      sleep: (ms) => new Promise((r) => this.opts.clock.setTimeout(r, ms)),
    });
    this.opts.metrics?.deliveries.observe(
      { result: result.deliveredBy ? 'delivered' : 'abandoned' },
      (this.opts.clock.now() - started) / 1000,
    );
    const log = this.opts.logger.child({
      channel: `${namespace}/${name}`,
      groupKey: payload.groupKey,
      attempts: result.attempts,
    });
    if (result.deliveredBy === name) log.debug('delivered');
    else if (result.deliveredBy) {
      this.opts.events.emit(
        ch,
        'Normal',
        'FallbackDelivered',
        `delivered by fallback channel '${result.deliveredBy}' after this channel failed`,
      );
      log.info({ fallback: result.deliveredBy }, 'delivered by the fallback channel');
    } else {
      this.opts.events.emit(
        ch,
        'Warning',
        'DeliveryAbandoned',
        `${payload.status} notification for ${payload.groupKey} not delivered after ${result.attempts} attempts`,
      );
      log.warn('not delivered: every attempt failed');
    }
    return result;
  }

  private async sendOnce(ch: NotificationChannel, payload: AmWebhookPayload): Promise<Outcome> {
    try {
      const req = await buildRequest(
        ch,
        payload,
        secretReader(this.opts.client, ch.metadata.namespace),
        this.opts.clock.now(),
      );
      return await send(ch.spec.type, req, { timeoutMs: this.opts.sendTimeoutMs ?? 10_000 });
    } catch (e) {
      if (e instanceof ChannelConfigError) return { success: false, code: 'ConfigError', message: e.message };
      return { success: false, message: `could not build the request: ${(e as Error).message}` };
    }
  }
}
