// One conversation with a registry for one repository: requests carry what the registry asked
// for in its last challenge (Basic credentials, or a Bearer token fetched from the realm of a
// Docker token challenge), follow blob redirects, and fall back from HTTPS to plain HTTP where
// the endpoint allows it (docker's rule for localhost registries).
import { STATUS_CODES, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A user name and password (or token) for a registry, as a pull secret or `docker login` holds them. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export interface RegistryEndpoint {
  /** e.g. https://127.0.0.1:5000 */
  readonly url: string;
  /** Bearer token sent with every request (a cluster token for the built-in registry). @default none */
  readonly token?: string;
  /**
   * Sent as Basic auth when the registry challenges with Basic, and to the token realm of a Bearer challenge. @default
   * anonymous
   */
  readonly credentials?: RegistryCredentials;
  /** CA certificates (PEM) the registry's certificate may chain to. @default Node's bundled CAs */
  readonly ca?: string;
  /** PEM client certificate and key shown over HTTPS (a node agent's, for the built-in registry). @default none */
  readonly clientCert?: { readonly cert: string; readonly key: string };
  /** When the HTTPS handshake fails, talk plain HTTP (only for registries on loopback). @default false */
  readonly plainHttpFallback?: boolean;
}

/** A registry answered with an error. */
export class RegistryClientError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_REGISTRY_CLIENT';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

const MAX_REDIRECTS = 5;

/** `Bearer realm="…",service="…"` → { scheme: 'bearer', params }. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^\s*(\S+)\s*(.*)$/.exec(header);
  const params: Record<string, string> = {};
  for (const p of (m?.[2] ?? '').matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[(p[1] ?? '').toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: (m?.[1] ?? '').toLowerCase(), params };
}

function basic(c: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** "401 Unauthorized" */
export function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

/**
 * The request went out on a kept-alive socket that the registry had closed meanwhile (its idle
 * timeout passed while we were busy, e.g. reading a large blob): nothing reached the registry, so
 * sending it again on a new connection is safe (Node's documented `reusedSocket` retry).
 */
function isStaleSocket(e: unknown): boolean {
  const code = String((e as NodeJS.ErrnoException)?.code ?? '');
  return (e as { reusedSocket?: boolean })?.reusedSocket === true && (code === 'ECONNRESET' || code === 'EPIPE');
}

function isTlsHandshakeFailure(e: unknown): boolean {
  const code = String((e as NodeJS.ErrnoException)?.code ?? '');
  return code === 'EPROTO' || code.startsWith('ERR_SSL_') || code === 'ECONNRESET';
}

export class RegistrySession {
  private base: URL;
  private auth: string | undefined;
  private fellBack = false;

  /** `scope` is asked of a token service: `repository:<name>:pull` or `…:pull,push`. */
  constructor(
    private readonly ep: RegistryEndpoint,
    private readonly scope: string,
  ) {
    this.base = new URL(ep.url);
    this.auth = ep.token ? `Bearer ${ep.token}` : undefined;
  }

  /** A request to the registry, answering a 401 challenge once with what it asks for. */
  async call(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
    let a = await this.send(method, new URL(path, this.base), body, headers);
    if (a.status !== 401) return a;
    const challenge = a.headers['www-authenticate'];
    const next = challenge ? await this.answer(String(challenge)) : undefined;
    if (next === undefined || next === this.auth) return a;
    this.auth = next;
    a = await this.send(method, new URL(path, this.base), body, headers);
    return a;
  }

  /** The Authorization value a challenge asks for, or undefined when there is nothing to offer. */
  private async answer(header: string): Promise<string | undefined> {
    const { scheme, params } = parseChallenge(header);
    const creds = this.ep.credentials;
    if (scheme === 'basic') return creds ? basic(creds) : undefined;
    if (scheme !== 'bearer' || !params['realm']) return undefined;
    const realm = new URL(params['realm'], this.base);
    if (params['service']) realm.searchParams.set('service', params['service']);
    realm.searchParams.set('scope', this.scope);
    const a = await this.exchange('GET', realm, undefined, creds ? { Authorization: basic(creds) } : {});
    if (a.status !== 200) {
      throw new RegistryClientError(
        a.status,
        `token service ${realm.origin}${realm.pathname} answered ${statusText(a.status)}: ${a.body.toString('utf8').slice(0, 300)}`,
      );
    }
    const t = JSON.parse(a.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = t.token ?? t.access_token;
    if (!token) throw new RegistryClientError(502, `token service ${realm.origin}${realm.pathname} answered no token`);
    return `Bearer ${token}`;
  }

  /** One request with this session's credentials, following redirects (credentials stay on the registry's host). */
  private async send(
    method: string,
    url: URL,
    body: Buffer | undefined,
    headers: Record<string, string>,
  ): Promise<Answer> {
    let target = url;
    for (let hops = 0; ; hops++) {
      const sameHost = target.host === this.base.host;
      const a = await this.exchange(method, target, body, {
        ...(this.auth && sameHost ? { Authorization: this.auth } : {}),
        ...headers,
      });
      const location = a.headers.location;
      if (
        ![301, 302, 303, 307, 308].includes(a.status) ||
        !location ||
        hops >= MAX_REDIRECTS ||
        (method !== 'GET' && method !== 'HEAD')
      )
        return a;
      target = new URL(location, target);
    }
  }

  private async exchange(
    method: string,
    url: URL,
    body: Buffer | undefined,
    headers: Record<string, string>,
  ): Promise<Answer> {
    try {
      return await this.once(method, url, body, headers).catch((e: unknown) => {
        if (isStaleSocket(e)) return this.once(method, url, body, headers);
        throw e;
      });
    } catch (e) {
      if (
        !this.ep.plainHttpFallback ||
        this.fellBack ||
        url.protocol !== 'https:' ||
        url.host !== this.base.host ||
        !isTlsHandshakeFailure(e)
      )
        throw e;
      this.fellBack = true;
      this.base = new URL(this.base.href.replace(/^https:/, 'http:'));
      return this.once(method, new URL(url.href.replace(/^https:/, 'http:')), body, headers);
    }
  }

  private once(method: string, url: URL, body: Buffer | undefined, headers: Record<string, string>): Promise<Answer> {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method,
      ...(this.ep.ca && url.protocol === 'https:' ? { ca: this.ep.ca } : {}),
      // Only to the registry the endpoint names, not to hosts it redirects blobs to.
      ...(this.ep.clientCert && url.protocol === 'https:' && url.host === this.base.host ? this.ep.clientCert : {}),
      headers: { ...(body ? { 'Content-Length': String(body.length) } : {}), ...headers },
    });
    return new Promise((resolve, reject) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      });
      req.setTimeout(60_000, () =>
        req.destroy(new Error(`${method} ${url.origin}${url.pathname}: no answer within 60 s`)),
      );
      req.on('error', (e) => reject(Object.assign(e, { reusedSocket: req.reusedSocket })));
      req.end(body);
    });
  }
}
