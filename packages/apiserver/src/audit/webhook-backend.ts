// The audit webhook backend: events POSTed as an audit.k8s.io/v1 EventList to the server a
// kubeconfig file names (kube-apiserver's --audit-webhook-config-file), in batches of at most
// maxBatchSize sent at least every maxBatchWaitMs. A full buffer drops events rather than slow the
// API down (upstream's blocking mode is not offered); a failed POST is retried once, then dropped.
import { readFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { parse } from 'yaml';
import type { AuditBackend, AuditEvent } from './event.js';

export interface WebhookBackendOptions {
  /**
   * kubeconfig: clusters[0].cluster.server (+ certificate-authority[-data]), users[0].user token or client certificate.
   */
  readonly configFile: string;
  /** @default 400 */
  readonly maxBatchSize?: number;
  /** @default 30000 */
  readonly maxBatchWaitMs?: number;
  /** Events buffered before new ones are dropped. @default 10000 */
  readonly bufferSize?: number;
  /** Told about failed deliveries (never with the events). */
  readonly onError?: (message: string) => void;
}

interface Target {
  url: URL;
  agent?: Agent;
  headers: Record<string, string>;
}

export class WebhookBackend implements AuditBackend {
  private readonly target: Target;
  private buffer: AuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  /** Events dropped because the buffer was full or the webhook failed. */
  dropped = 0;

  constructor(private readonly o: WebhookBackendOptions) {
    this.target = readTarget(o.configFile);
  }

  process(events: readonly AuditEvent[]): void {
    for (const e of events) {
      if (this.buffer.length >= (this.o.bufferSize ?? 10_000)) this.dropped++;
      else this.buffer.push(e);
    }
    if (this.buffer.length >= (this.o.maxBatchSize ?? 400)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.o.maxBatchWaitMs ?? 30_000);
  }

  async close(): Promise<void> {
    this.flush();
    await this.sending;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length) {
      const batch = this.buffer.splice(0, this.o.maxBatchSize ?? 400);
      const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: batch });
      this.sending = this.sending.then(() =>
        this.post(body)
          .catch(() => this.post(body))
          .catch((e: Error) => {
            this.dropped += batch.length;
            this.o.onError?.(`audit webhook ${this.target.url.origin}: ${e.message}; ${batch.length} events dropped`);
          }),
      );
    }
  }

  private post(body: string): Promise<void> {
    const { url, agent, headers } = this.target;
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        {
          method: 'POST',
          timeout: 30_000,
          ...(agent ? { agent } : {}),
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }
}

function readTarget(file: string): Target {
  let doc: { clusters?: { cluster?: Record<string, string> }[]; users?: { user?: Record<string, string> }[] };
  try {
    doc = parse(readFileSync(file, 'utf8')) as typeof doc;
  } catch (e) {
    throw new Error(`--audit-webhook-config-file ${file}: ${(e as Error).message}`);
  }
  const cluster = doc?.clusters?.[0]?.cluster ?? {};
  const user = doc?.users?.[0]?.user ?? {};
  if (!cluster.server) throw new Error(`--audit-webhook-config-file ${file}: clusters[0].cluster.server is required`);
  const url = new URL(cluster.server);
  const pem = (data: string | undefined, path: string | undefined): string | undefined =>
    data ? Buffer.from(data, 'base64').toString('utf8') : path ? readFileSync(path, 'utf8') : undefined;
  const ca = pem(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = pem(user['client-certificate-data'], user['client-certificate']);
  const key = pem(user['client-key-data'], user['client-key']);
  const agent =
    url.protocol === 'https:'
      ? new Agent({ keepAlive: true, ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) })
      : undefined;
  return { url, ...(agent ? { agent } : {}), headers: user.token ? { authorization: `Bearer ${user.token}` } : {} };
}
