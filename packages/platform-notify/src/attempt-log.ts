// Delivery attempts, kept where `kubectl` can read them and a restart cannot lose them: the last
// `keep` attempts of each channel in its status (with the last success/failure times and the
// count of consecutive failures), and a Warning Event on the channel for each failed attempt.
// Status writes are coalesced per channel: while one is in flight, later attempts wait for the
// next write, so a burst of deliveries costs a few writes, not one each.
import type { EventRecorder, KubeClient, Logger } from '@wharf/client';
import {
  channelPath,
  type DeliveryAttempt,
  type NotificationChannel,
  type NotificationChannelStatus,
} from './types.js';

interface ChannelLog {
  readonly channel: NotificationChannel;
  status: {
    attempts: DeliveryAttempt[];
    lastSuccessTime?: string;
    lastFailureTime?: string;
    consecutiveFailures: number;
  };
  writing?: Promise<void>;
  dirty: boolean;
}

export interface AttemptLogOptions {
  readonly client: Pick<KubeClient, 'patch'>;
  readonly events: EventRecorder;
  readonly logger: Logger;
  /** Attempts kept in each channel's status. @default 20 */
  readonly keep?: number;
}

export class AttemptLog {
  private readonly logs = new Map<string, ChannelLog>();
  private readonly keep: number;

  constructor(private readonly opts: AttemptLogOptions) {
    this.keep = opts.keep ?? 20;
  }

  /** Records one attempt on `channel` (as read from the API; its status seeds the log the first time). */
  record(channel: NotificationChannel, attempt: DeliveryAttempt): void {
    const log = this.logOf(channel);
    const s = log.status;
    s.attempts = [...s.attempts, attempt].slice(-this.keep);
    if (attempt.success) {
      s.lastSuccessTime = attempt.time;
      s.consecutiveFailures = 0;
    } else {
      s.lastFailureTime = attempt.time;
      s.consecutiveFailures += 1;
      const detail = [
        attempt.httpStatus !== undefined ? `HTTP ${attempt.httpStatus}` : '',
        attempt.code !== undefined ? `code ${attempt.code}` : '',
        attempt.message ?? '',
      ]
        .filter(Boolean)
        .join(', ');
      this.opts.events.emit(
        channel,
        'Warning',
        'DeliveryFailed',
        `attempt ${attempt.attempt} (${attempt.status}) failed: ${detail}`,
      );
    }
    this.schedule(log);
  }

  /** Resolves when every status write scheduled so far is done. */
  async flush(): Promise<void> {
    for (;;) {
      const pending = [...this.logs.values()].flatMap((l) => (l.writing ? [l.writing] : []));
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  private logOf(ch: NotificationChannel): ChannelLog {
    const key = `${ch.metadata.namespace}/${ch.metadata.name}`;
    let log = this.logs.get(key);
    // A channel deleted and created again under the same name starts a fresh log.
    if (!log || (ch.metadata.uid && log.channel.metadata.uid !== ch.metadata.uid)) {
      const st: NotificationChannelStatus = ch.status ?? {};
      log = {
        channel: ch,
        status: {
          attempts: [...(st.attempts ?? [])],
          consecutiveFailures: st.consecutiveFailures ?? 0,
          ...(st.lastSuccessTime ? { lastSuccessTime: st.lastSuccessTime } : {}),
          ...(st.lastFailureTime ? { lastFailureTime: st.lastFailureTime } : {}),
        },
        dirty: false,
      };
      this.logs.set(key, log);
    }
    return log;
  }

  private schedule(log: ChannelLog): void {
    if (log.writing) {
      log.dirty = true;
      return;
    }
    log.writing = (async () => {
      do {
        log.dirty = false;
        const { namespace, name } = log.channel.metadata;
        try {
          await this.opts.client.patch(`${channelPath(namespace, name)}/status`, { status: log.status });
        } catch (e) {
          this.opts.logger.warn(
            { channel: `${namespace}/${name}`, err: (e as Error).message },
            'could not record delivery attempts in the channel status',
          );
        }
      } while (log.dirty);
      log.writing = undefined;
    })();
  }
}
