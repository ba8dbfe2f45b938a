// The agent's Kubernetes API client: plain JSON over node:https with the credentials of a
// client-node KubeConfig. Raw JSON (not client-node's generated models) keeps the objects exactly
// as the server sent them, and the watch sets timeoutSeconds so the server ends every stream
// (client-node 1.4.0 watches never time out on the client side).
import https from 'node:https';
import http from 'node:http';
import readline from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';

/** The API server answered with a non-2xx status. */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path}: HTTP ${status}: ${body.slice(0, 500)}`);
    this.name = 'ApiError';
  }
}

export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

export interface WatchHandle {
  /** Resolves when the stream ends (server timeout, error or abort). */
  readonly done: Promise<void>;
  abort(): void;
}

export class KubeClient {
  private readonly server: URL;
  private readonly agent: https.Agent | http.Agent;
  private options: https.RequestOptions | undefined;

  constructor(private readonly kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("kubeConfig has no current cluster: set 'current-context'");
    this.server = new URL(cluster.server);
    this.agent = this.server.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 16 }) : new http.Agent({ keepAlive: true, maxSockets: 16 });
  }

  async get<T>(path: string): Promise<T> {
    return JSON.parse(await this.request('GET', path)) as T;
  }

  /** GET that answers undefined for 404. */
  async getOptional<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  async create<T>(path: string, body: unknown): Promise<T> {
    return JSON.parse(await this.request('POST', path, body)) as T;
  }

  async put<T>(path: string, body: unknown): Promise<T> {
    return JSON.parse(await this.request('PUT', path, body)) as T;
  }

  async mergePatch<T>(path: string, body: unknown): Promise<T> {
    return JSON.parse(await this.request('PATCH', path, body, 'application/merge-patch+json')) as T;
  }

  async delete(path: string, body?: unknown): Promise<void> {
    await this.request('DELETE', path, body);
  }

  /** A watch stream; `onEvent` runs for each event in order. */
  watch<T>(path: string, query: Record<string, string>, onEvent: (e: WatchEvent<T>) => void): WatchHandle {
    const qs = new URLSearchParams({ ...query, watch: 'true' }).toString();
    let req: http.ClientRequest | undefined;
    let aborted = false;
    const done = (async (): Promise<void> => {
      const opts = await this.requestOptions('GET', `${path}?${qs}`);
      if (aborted) return;
      await new Promise<void>((resolve, reject) => {
        req = this.transport().request(opts, (res) => {
          if (res.statusCode !== 200) {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (body += d));
            res.on('end', () => reject(new ApiError('WATCH', path, res.statusCode ?? 0, body)));
            res.on('error', reject);
            return;
          }
          const lines = readline.createInterface({ input: res });
          // readline re-emits the response's errors (a reset connection): the stream just ends.
          lines.on('error', () => resolve());
          lines.on('line', (line) => {
            if (!line.trim()) return;
            try {
              onEvent(JSON.parse(line) as WatchEvent<T>);
            } catch {
              // a malformed line: skip it, the next relist repairs any gap
            }
          });
          res.on('close', () => resolve());
          res.on('error', () => resolve());
        });
        req.on('error', (e) => (aborted ? resolve() : reject(e)));
        req.end();
      });
    })();
    return {
      done,
      abort: () => {
        aborted = true;
        req?.destroy();
      },
    };
  }

  private transport(): typeof https | typeof http {
    return this.server.protocol === 'https:' ? https : http;
  }

  private async requestOptions(method: string, path: string): Promise<https.RequestOptions> {
    if (!this.options) {
      const base: https.RequestOptions = {};
      await this.kubeConfig.applyToHTTPSOptions(base);
      this.options = base;
    }
    return {
      ...this.options,
      headers: { ...this.options.headers, Accept: 'application/json' },
      agent: this.agent,
      method,
      hostname: this.server.hostname,
      port: this.server.port,
      path: `${this.server.pathname.replace(/\/$/, '')}${path}`,
    };
  }

  private async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<string> {
    const opts = await this.requestOptions(method, path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) opts.headers = { ...opts.headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) };
    return new Promise((resolve, reject) => {
      const req = this.transport().request(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(text || '{}');
          else reject(new ApiError(method, path, status, text));
        });
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function isStatus(e: unknown, status: number): boolean {
  return e instanceof ApiError && e.status === status;
}
