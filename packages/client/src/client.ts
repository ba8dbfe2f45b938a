// A thin JSON client for the Kubernetes API with the credentials of a kubeconfig (KubeCredentials):
// requests with one typed error, and NDJSON watch streams the caller can abort. Raw JSON (not
// client-node's generated models) keeps objects exactly as the server sent them; a watch stream
// that goes silent is torn down here (client-node 1.4.0 watches never time out client-side).
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

/** A non-2xx answer from the API server: its HTTP status and, from its Status body, the reason. */
export class ApiError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_KUBE_API';
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The Status reason (`NotFound`, `AlreadyExists`, `Conflict`, ...), or '' if the body was not a Status. */
  readonly reason: string;
  readonly body: string;

  constructor(init: { method: string; path: string; status: number; body: string }) {
    let reason = '';
    let detail = init.body.slice(0, 500);
    try {
      const s = JSON.parse(init.body) as { reason?: string; message?: string };
      reason = s.reason ?? '';
      detail = s.message ?? detail;
    } catch {
      // not a Status body
    }
    super(`${init.method} ${init.path}: ${init.status} ${detail}`);
    this.name = 'ApiError';
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.reason = reason;
    this.body = init.body;
  }
}

/** Whether `e` is an ApiError with this HTTP status. */
export function isStatus(e: unknown, status: number): boolean {
  return e instanceof ApiError && e.status === status;
}

export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

export interface WatchHandle {
  /** Resolves when the stream ends (server timeout, abort, reset); rejects on a non-200 answer. */
  readonly done: Promise<void>;
  abort(): void;
}

export type PatchType = 'merge' | 'strategic' | 'json';
const PATCH_CONTENT: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export interface KubeClientOptions {
  /** Pooled connections for requests (watches each get their own). @default 32 */
  readonly maxSockets?: number;
  /** A request without an answer for this long fails. @default 30000 */
  readonly requestTimeoutMs?: number;
  /**
   * The User-Agent, whose part before the first '/' names the field manager of this client's
   * writes in managedFields (e.g. `kube-controller-manager/v1.32.0 (linux/amd64) wharf`).
   * @default 'wharf/v1.32.0 (<platform>/<arch>)'
   */
  readonly userAgent?: string;
}

/** A User-Agent as Kubernetes components send it: `<component>/v1.32.0 (<os>/<arch>) wharf`. */
export const componentUserAgent = (component: string): string =>
  `${component}/v1.32.0 (${process.platform}/${process.arch}) wharf`;

/**
 * What KubeClient needs of a kubeconfig: a client-node KubeConfig, or a lighter loader of the same
 * two methods (the `wharf agent` process signs in without loading client-node, ~70 MB).
 */
export interface KubeCredentials {
  getCurrentCluster(): { readonly server: string } | null;
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
}

export class KubeClient {
  private readonly server: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private options: Promise<https.RequestOptions> | undefined;

  constructor(
    private readonly kubeConfig: KubeCredentials,
    opts: KubeClientOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster: set 'current-context'");
    this.server = new URL(cluster.server);
    const maxSockets = opts.maxSockets ?? 32;
    this.agent =
      this.server.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets })
        : new http.Agent({ keepAlive: true, maxSockets });
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.userAgent = opts.userAgent ?? componentUserAgent('wharf');
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** GET that answers undefined for 404. */
  async getOptional<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (isStatus(e, 404)) return undefined;
      throw e;
    }
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

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const text = await this.requestText(method, path, body, contentType);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The body of a request as text (`/readyz?verbose`, `/metrics`); a non-2xx answer throws ApiError. */
  async requestText(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<string> {
    const opts = await this.requestOptions(method, path, this.agent);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload)
      opts.headers = { ...opts.headers, 'content-type': contentType, 'content-length': String(payload.length) };
    const text = await new Promise<string>((resolve, reject) => {
      const req = this.transport().request(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(text);
          else reject(new ApiError({ method, path, status, body: text }));
        });
      });
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(new Error(`${method} ${path}: no answer within ${this.timeoutMs / 1000} s`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
    return text;
  }

  /**
   * Streams the watch events of collection `path` to `onEvent`, in order, until the stream ends.
   * A stream silent for `idleTimeoutMs` (default: the server's timeoutSeconds + 30 s) is torn down.
   */
  watch<T>(
    path: string,
    query: Readonly<Record<string, string>>,
    onEvent: (e: WatchEvent<T>) => void,
    idleTimeoutMs?: number,
  ): WatchHandle {
    const qs = new URLSearchParams({ ...query, watch: 'true' }).toString();
    const idle = idleTimeoutMs ?? (query.timeoutSeconds ? (Number(query.timeoutSeconds) + 30) * 1000 : 0);
    let buf = '';
    return this.stream(
      `${path}?${qs}`,
      (chunk) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          let event: WatchEvent<T>;
          try {
            event = JSON.parse(line) as WatchEvent<T>;
          } catch {
            continue; // a malformed line: the next relist repairs any gap
          }
          onEvent(event);
        }
      },
      idle,
      'WATCH',
    );
  }

  /**
   * Streams the text body of a GET (a watch, pods/log?follow=true, an aggregated log) to
   * `onText` as it arrives, until the server ends it or `abort()`; a non-200 answer rejects
   * `done` with an ApiError. `idleTimeoutMs` > 0 tears down a stream silent that long.
   */
  stream(pathWithQuery: string, onText: (text: string) => void, idleTimeoutMs = 0, method = 'GET'): WatchHandle {
    let req: http.ClientRequest | undefined;
    let aborted = false;
    const path = pathWithQuery.split('?')[0] ?? pathWithQuery;
    const done = (async (): Promise<void> => {
      // agent false: a long-lived stream never holds one of the request pool's sockets.
      const opts = await this.requestOptions('GET', pathWithQuery, false);
      if (aborted) return;
      await new Promise<void>((resolve, reject) => {
        req = this.transport().request(opts, (res) => {
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              reject(new ApiError({ method, path, status, body: Buffer.concat(chunks).toString('utf8') })),
            );
            res.on('error', reject);
            return;
          }
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => onText(chunk));
          res.on('end', () => resolve());
          res.on('close', () => resolve());
          res.on('error', () => resolve());
        });
        if (idleTimeoutMs > 0) req.setTimeout(idleTimeoutMs, () => req?.destroy());
        req.on('error', (e) => (aborted ? resolve() : reject(e)));
        req.on('close', () => resolve());
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

  close(): void {
    this.agent.destroy();
  }

  private transport(): typeof https | typeof http {
    return this.server.protocol === 'https:' ? https : http;
  }

  private async requestOptions(method: string, path: string, agent: http.Agent | false): Promise<https.RequestOptions> {
    this.options ??= (async () => {
      const base: https.RequestOptions = {};
      await this.kubeConfig.applyToHTTPSOptions(base);
      return withSecureContext(base);
    })();
    const base = await this.options;
    return {
      ...base,
      headers: { ...base.headers, accept: 'application/json', 'user-agent': this.userAgent },
      agent,
      method,
      hostname: this.server.hostname,
      port: this.server.port,
      path: `${this.server.pathname.replace(/\/$/, '')}${path}`,
    };
  }
}

/**
 * The TLS material as one SecureContext, made once: given as ca/cert/key, Node parses it again for
 * every new connection (a burst of pod starts opens tens of them, each parsing CA, certificate and key).
 */
function withSecureContext(o: https.RequestOptions): https.RequestOptions {
  const { ca, cert, key, pfx, passphrase, ...rest } = o;
  if (!ca && !cert && !key && !pfx) return o;
  // https.request hands secureContext on to tls.connect; RequestOptions' type does not list it.
  const out: https.RequestOptions & Pick<tls.ConnectionOptions, 'secureContext'> = {
    ...rest,
    secureContext: tls.createSecureContext({ ca, cert, key, pfx, passphrase }),
  };
  return out;
}
