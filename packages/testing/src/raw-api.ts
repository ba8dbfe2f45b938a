// A raw HTTPS client for the Kubernetes API built from a Wharf kubeconfig (server, CA, bearer
// token), for suites that must send exact bytes: malformed bodies, odd paths, missing tokens.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { parse } from 'yaml';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export interface RawRequestOptions {
  /** A string or Buffer is sent as is; anything else as JSON. */
  readonly body?: unknown;
  /** @default 'application/json' when there is a body */
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

interface KubeconfigShape {
  clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
  users?: { user?: { token?: string } }[];
}

/** Parses a response body as JSON (tests assert on its fields). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers, asserted field by field
export function json<T = Record<string, any>>(r: RawResponse): T {
  return JSON.parse(r.text) as T;
}

export class RawApi {
  private readonly agent: Agent;

  private constructor(
    readonly server: string,
    readonly ca: string,
    readonly token: string | undefined,
    agent?: Agent,
  ) {
    this.agent = agent ?? new Agent({ ca, keepAlive: true, maxSockets: 64 });
  }

  /** A client of `server` (https://host:port) trusting `ca`, with a bearer token. */
  static connect(server: string, ca: string, token: string | undefined): RawApi {
    return new RawApi(server, ca, token);
  }

  /** Reads the server URL, CA and admin token from a kubeconfig file. */
  static fromKubeconfig(path: string): RawApi {
    const cfg = parse(readFileSync(path, 'utf8')) as KubeconfigShape;
    const cluster = cfg.clusters?.[0]?.cluster;
    if (!cluster?.server || !cluster['certificate-authority-data']) throw new Error(`${path}: no cluster server or CA`);
    return new RawApi(
      cluster.server,
      Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'),
      cfg.users?.[0]?.user?.token,
    );
  }

  /** The same server and connection pool with another bearer token (undefined: no token). */
  as(token: string | undefined): RawApi {
    return new RawApi(this.server, this.ca, token, this.agent);
  }

  request(method: string, path: string, opts: RawRequestOptions = {}): Promise<RawResponse> {
    const url = new URL(this.server);
    let body: Buffer | undefined;
    if (opts.body !== undefined) {
      body = Buffer.isBuffer(opts.body)
        ? opts.body
        : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
    if (this.token && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization'))
      headers.authorization = `Bearer ${this.token}`;
    if (body) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(body.length);
    }
    return new Promise((resolve, reject) => {
      // `path` goes on the wire exactly as given (no normalisation of `..` or percent-escapes).
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent: this.agent,
          headers,
          timeout: opts.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${opts.timeoutMs ?? 30_000} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  get(path: string, opts?: RawRequestOptions): Promise<RawResponse> {
    return this.request('GET', path, opts);
  }

  post(path: string, body: unknown, opts: Omit<RawRequestOptions, 'body'> = {}): Promise<RawResponse> {
    return this.request('POST', path, { ...opts, body });
  }

  put(path: string, body: unknown, opts: Omit<RawRequestOptions, 'body'> = {}): Promise<RawResponse> {
    return this.request('PUT', path, { ...opts, body });
  }

  patch(path: string, body: unknown, contentType: string): Promise<RawResponse> {
    return this.request('PATCH', path, { body, contentType });
  }

  /** Closes pooled connections (call in afterAll). */
  close(): void {
    this.agent.destroy();
  }
}
