// A real OpenID provider on loopback for tests: the `oidc-provider` package (certified OpenID
// Connect), served over https with a CA made for the test (the API server, like kube-apiserver,
// wants https issuers), with the users and groups a test names. Its development sign-in pages
// take any password for a known user; `browse` plays the user's browser through them with plain
// HTTP requests (cookies, redirects, forms), so a test signs in headlessly.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Provider from 'oidc-provider';
import { servingCertificate } from './certs.js';
import { freePort } from './wharf-process.js';

export interface OidcUser {
  /** What the user types as login; also the `sub` and `preferred_username`. */
  readonly login: string;
  readonly email: string;
  readonly groups: readonly string[];
}

export interface OidcProviderOptions {
  readonly users: readonly OidcUser[];
  /** The public (PKCE) client kubectl users sign in with. @default 'wharf' */
  readonly clientId?: string;
  /**
   * Redirect URIs the client may use besides wharf login's; loopback ones match any port, as RFC 8252
   * asks of native clients (e.g. the console's `http://localhost/console-auth/oidc/callback`).
   */
  readonly redirectUris?: readonly string[];
  /**
   * 'web': a client whose redirect URIs match exactly and may name any host over http (a console at
   * `http://console.localhost:PORT`); 'native' allows loopback addresses only, on any port. @default 'native'
   */
  readonly applicationType?: 'native' | 'web';
  /** ID token lifetime. @default 3600 */
  readonly idTokenTtlSeconds?: number;
}

export interface BrowseResult {
  /** The last URL the browser was sent to (e.g. wharf login's loopback redirect). */
  readonly url: string;
  readonly status: number;
  readonly body: string;
}

export class OidcTestProvider {
  private constructor(
    private readonly server: Server,
    private readonly dir: string,
    readonly issuer: string,
    /** File with the PEM CA the provider's certificate is signed by. */
    readonly caFile: string,
    readonly ca: string,
    readonly clientId: string,
  ) {}

  static async start(o: OidcProviderOptions): Promise<OidcTestProvider> {
    const tls = servingCertificate(['localhost'], ['127.0.0.1']);
    const dir = mkdtempSync(join(tmpdir(), 'wharf-oidc-'));
    const caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, tls.ca);
    let handler: (req: never, res: never) => void = () => undefined;
    const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => handler(req as never, res as never));
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clientId = o.clientId ?? 'wharf';
    const users = new Map(o.users.map((u) => [u.login, u]));
    const jwk = {
      ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
      kid: 'test-1',
      use: 'sig',
      alg: 'RS256',
    };
    // Loaded here: suites that import @wharf/testing without an OpenID provider do not pay for it.
    const { default: OidcProvider } = await import('oidc-provider');
    const provider: Provider = new OidcProvider(issuer, {
      clients: [
        {
          client_id: clientId,
          application_type: o.applicationType ?? 'native',
          token_endpoint_auth_method: 'none',
          redirect_uris: ['http://127.0.0.1/callback', ...(o.redirectUris ?? [])],
          response_types: ['code'],
          grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        },
      ],
      jwks: { keys: [jwk as never] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
      claims: { email: ['email', 'email_verified'], profile: ['preferred_username'], groups: ['groups'] },
      // The groups go into the ID token (the API server reads them there), not only userinfo.
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: true }, deviceFlow: { enabled: true }, revocation: { enabled: true } },
      ttl: {
        IdToken: o.idTokenTtlSeconds ?? 3600,
        AccessToken: o.idTokenTtlSeconds ?? 3600,
        RefreshToken: 86_400,
        Interaction: 600,
        Session: 86_400,
        Grant: 86_400,
        DeviceCode: 600,
      },
      findAccount: (_ctx, id) => {
        const u = users.get(id);
        return u
          ? {
              accountId: id,
              claims: () => ({
                sub: id,
                preferred_username: id,
                email: u.email,
                email_verified: true,
                groups: [...u.groups],
              }),
            }
          : undefined;
      },
    });
    handler = provider.callback() as never;
    return new OidcTestProvider(server, dir, issuer, caFile, tls.ca, clientId);
  }

  /**
   * Plays a browser from `url`: follows redirects, keeps cookies, and submits each page's first
   * form with its hidden fields plus `fill` (e.g. login, password, user_code), until a page
   * without a form or a URL off the provider (the client's redirect), whose answer it returns.
   */
  async browse(url: string, fill: Readonly<Record<string, string>>): Promise<BrowseResult> {
    const cookies = new Map<string, string>();
    let next: { url: string; method: 'GET' | 'POST'; body?: string } = { url, method: 'GET' };
    for (let step = 0; step < 30; step++) {
      const r = await this.send(next.url, next.method, next.body, cookies);
      if (!next.url.startsWith(this.issuer)) return { url: next.url, status: r.status, body: r.body };
      const location = r.headers.location;
      if (r.status >= 300 && r.status < 400 && location) {
        next = { url: new URL(location, next.url).href, method: 'GET' };
        continue;
      }
      const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(r.body);
      if (!form) return { url: next.url, status: r.status, body: r.body };
      const action = /action="([^"]*)"/i.exec(form[1] ?? '')?.[1] ?? next.url;
      const fields = new URLSearchParams();
      for (const m of (form[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
        const attr = (n: string): string | undefined => new RegExp(`\\b${n}="([^"]*)"`, 'i').exec(m[1] ?? '')?.[1];
        const name = attr('name');
        if (!name) continue;
        if (fill[name] !== undefined) fields.set(name, fill[name]);
        else if (attr('type') === 'hidden') fields.set(name, unescapeHtml(attr('value') ?? ''));
      }
      next = { url: new URL(unescapeHtml(action), next.url).href, method: 'POST', body: fields.toString() };
    }
    throw new Error(`browsing from ${url} did not end in 30 steps`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private send(
    url: string,
    method: string,
    body: string | undefined,
    cookies: Map<string, string>,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    const u = new URL(url);
    const headers: Record<string, string> = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return new Promise((resolve, reject) => {
      const done = (res: IncomingMessage): void => {
        for (const c of res.headers['set-cookie'] ?? []) {
          const [pair = '', ...attrs] = c.split(';');
          const eq = pair.indexOf('=');
          const name = pair.slice(0, eq).trim();
          const gone = attrs.some(
            (a) =>
              /^\s*max-age=0/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now()),
          );
          if (gone) cookies.delete(name);
          else cookies.set(name, pair.slice(eq + 1).trim());
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      };
      const req =
        u.protocol === 'https:'
          ? httpsRequest(u, { method, headers, ca: this.ca }, done)
          : httpRequest(u, { method, headers }, done);
      req.on('error', reject);
      req.end(body);
    });
  }
}

function unescapeHtml(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x2F;/g, '/');
}
