// A thin JSON client for the Kubernetes API over node:https, configured from a client-node
// KubeConfig: requests with typed errors, and NDJSON watch streams the caller can abort.
import { Agent, request, type AgentOptions, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** A non-2xx answer from the API server, with its HTTP status and Status reason. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface WatchHandle {
  /** Resolves when the stream ends (server timeout, abort or error). */
  readonly done: Promise<void>;
  abort(): void;
}

export type PatchType = 'merge' | 'strategic' | 'json';
const PATCH_CONTENT: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export class KubeClient {
  private readonly agent: Agent;

  private constructor(private readonly base: URL, private readonly tls: RequestOptions) {
    this.agent = new Agent({ ...pickTls(tls), keepAlive: true, maxSockets: 32 });
  }

  static async fromKubeConfig(kc: KubeConfig): Promise<KubeClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig: no current cluster');
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    return new KubeClient(new URL(cluster.server), opts);
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const text = await this.send(method, path, body, contentType);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  create<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  replace<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  patch<T>(path: string, body: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.request<T>('PATCH', path, body, PATCH_CONTENT[type]);
  }
  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('DELETE', path, body);
  }

  private send(method: string, path: string, body: unknown, contentType: string): Promise<string> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { ...headersOf(this.tls), accept: 'application/json' };
    if (payload) {
      headers['content-type'] = contentType;
      headers['content-length'] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.base.hostname, port: this.base.port, method, path, agent: this.agent, headers, timeout: 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(text);
            reject(apiError(status, text, `${method} ${path}`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Streams watch events of `path` (query already included) to `onEvent` until it ends. */
  watch<T>(path: string, onEvent: (e: WatchEvent<T>) => void, idleTimeoutMs: number): WatchHandle {
    let abort = (): void => {};
    const done = new Promise<void>((resolve, reject) => {
      const req = request(
        { host: this.base.hostname, port: this.base.port, method: 'GET', path, agent: false, ...pickTls(this.tls), headers: { ...headersOf(this.tls), accept: 'application/json' } },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => reject(apiError(status, Buffer.concat(chunks).toString('utf8'), `watch ${path}`)));
            return;
          }
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buf += chunk;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (!line) continue;
              try {
                onEvent(JSON.parse(line) as WatchEvent<T>);
              } catch (e) {
                req.destroy(e as Error);
                return;
              }
            }
          });
          res.on('end', () => resolve());
          res.on('error', reject);
          res.on('close', () => resolve());
        },
      );
      // client-node's watches never time out client-side; a silent stream is torn down here.
      req.setTimeout(idleTimeoutMs, () => req.destroy());
      req.on('error', (e) => (aborted ? resolve() : reject(e)));
      req.on('close', () => resolve());
      let aborted = false;
      abort = () => {
        aborted = true;
        req.destroy();
      };
      req.end();
    });
    return { done, abort: () => abort() };
  }

  close(): void {
    this.agent.destroy();
  }
}

function pickTls(o: RequestOptions): AgentOptions {
  const t: AgentOptions = {};
  if (o.ca) t.ca = o.ca;
  if (o.cert) t.cert = o.cert;
  if (o.key) t.key = o.key;
  if (o.rejectUnauthorized !== undefined) t.rejectUnauthorized = o.rejectUnauthorized;
  if (o.servername) t.servername = o.servername;
  return t;
}

function headersOf(o: RequestOptions): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers ?? {})) if (typeof v === 'string') h[k] = v;
  return h;
}

function apiError(status: number, text: string, what: string): ApiError {
  let reason = '';
  let message = text;
  try {
    const s = JSON.parse(text) as { reason?: string; message?: string };
    reason = s.reason ?? '';
    message = s.message ?? text;
  } catch {
    // not a Status body
  }
  return new ApiError(status, reason, `${what}: ${status} ${message}`);
}

export function isStatus(e: unknown, status: number): boolean {
  return e instanceof ApiError && e.status === status;
}
