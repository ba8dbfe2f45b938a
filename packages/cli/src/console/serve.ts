// The console's HTTP server in `wharf up`: the built app, the same-origin API proxy (WebSocket
// upgrades for exec included), the sign-in code broker (POST /console-auth/codes with a bearer
// token → a one-time code; POST /console-auth/redeem {code} → that token), and the directory
// sign-in (POST /console-auth/ldap → an httpOnly session cookie; POST /console-auth/sign-out revokes it), the
// OpenID sign-in by redirect (/console-auth/oidc/..., oidc.ts), the
// built-in registry's /v2 API for the Images page, Alertmanager's silences (alertmanager.ts), and
// the Cluster page's upgrade plan (upgrade-plan.ts) and the upgrade run from it (upgrade-run.ts),
// and the logs of a component's pods as one stream (logs.ts). It listens on loopback over HTTP,
// which browsers treat as a secure context there; with `tls`, also over HTTPS on another address,
// for browsers on other hosts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ALERTMANAGER_PREFIX, alertmanagerGateway, type AlertmanagerUrl } from './alertmanager.js';
import { readBodyText } from './body.js';
import { SignInCodes } from './codes.js';
import { ldapSignIn, ldapSignOut } from './ldap.js';
import { LOGS_PATH, podLogs } from './logs.js';
import { clearedRefresh, ConsoleOidc, OIDC_PREFIX, type ConsoleOidcOptions } from './oidc.js';
import { isApiPath, isRegistryPath, proxyToApi, type ApiTarget } from './proxy.js';
import { CLEARED_COOKIE, cookieValue, REFRESH_COOKIE } from './session.js';
import { loadStatic, type StaticFile } from './static.js';
import { upgradePlan, UPGRADE_PLAN_PATH } from './upgrade-plan.js';
import { UPGRADE_PATH, UPGRADE_PROGRESS_PATH, upgradeRequest } from './upgrade-run.js';
import { proxyUpgrade } from './upgrade.js';

export interface ConsoleServerOptions {
  readonly port: number;
  readonly api: ApiTarget;
  /** The built-in registry, for the Images page (/v2 is proxied to it); undefined: /v2 is 404. */
  readonly registry?: ApiTarget | undefined;
  /** Where Alertmanager answers, for silences from the Monitoring page (see alertmanager.ts). */
  readonly alertmanager?: AlertmanagerUrl | undefined;
  /** The built app; undefined: a page that says how to build it. @default loadStatic() */
  readonly files?: Map<string, StaticFile> | undefined;
  readonly codes?: SignInCodes;
  /** The data dir of the Wharf behind `api`, for the Cluster page's upgrade plan; undefined: 404. */
  readonly dataDir?: string | undefined;
  /** The issuer the API server trusts (--oidc-*): the sign-in page offers it; undefined: not offered. */
  readonly oidc?: ConsoleOidcOptions | undefined;
  /** The secret the API server takes as this server's word for which browser signs in (LdapOptions.consoleProof). */
  readonly ldapProof?: string | undefined;
  /** Also serve the console over HTTPS, for browsers on other hosts; undefined: loopback HTTP only. */
  readonly tls?: ConsoleTls | undefined;
  /**
   * Origins that pass requests on to this server as they came (the Ingress gateway's
   * `http://console.localhost:PORT`): an OpenID sign-in may start there and come back there.
   * @default none
   */
  readonly servedAt?: readonly string[] | undefined;
}

export interface ConsoleTls {
  /** The address the HTTPS listener binds (0.0.0.0: every IPv4 interface). */
  readonly address: string;
  readonly port: number;
  readonly cert: string;
  readonly key: string;
  /** The names and addresses the certificate is for: a request naming another host is refused. */
  readonly hosts: readonly string[];
}

export interface ConsoleServer {
  readonly url: string;
  readonly port: number;
  /** The HTTPS listener's URL (its first certificate name), when `tls` was given. */
  readonly httpsUrl?: string | undefined;
  /** Whether the app was built (packages/console/dist). */
  readonly built: boolean;
  close(): Promise<void>;
}

/** GET: the sign-in ways the page may offer beyond tokens and links (the OpenID issuer, if any). */
const METHODS_PATH = '/console-auth/methods';

const LOOPBACK_HOST = /^(localhost|(?:[a-z0-9-]+\.)*localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

export async function serveConsole(o: ConsoleServerOptions): Promise<ConsoleServer> {
  const files = 'files' in o ? o.files : loadStatic();
  const codes = o.codes ?? new SignInCodes();
  // Known once the listeners are bound (the port may be 0).
  let origins: ReadonlySet<string> = new Set();
  const oidc = o.oidc ? new ConsoleOidc(o.oidc, () => origins) : undefined;
  // Only loopback names over HTTP: a page elsewhere that rebinds its name to 127.0.0.1 gets nothing. Over HTTPS
  // also the certificate's names (a rebound name would fail the browser's certificate check anyway).
  const certified = new Set((o.tls?.hosts ?? []).map((h) => h.toLowerCase()));
  const overHttps = (host: string): boolean =>
    LOOPBACK_HOST.test(host) ||
    certified.has(
      host
        .replace(/:\d+$/, '')
        .replace(/^\[(.*)\]$/, '$1')
        .toLowerCase(),
    );
  const refusal = o.tls
    ? `the console answers on loopback names and the names of its certificate only (${o.tls.hosts.join(', ')})\n`
    : 'the console answers on loopback names only (localhost, 127.0.0.1)\n';
  const handler = (allowed: (host: string) => boolean) => (req: IncomingMessage, res: ServerResponse) => {
    if (!allowed(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end(refusal);
      return;
    }
    const path = req.url ?? '/';
    if (isApiPath(path)) proxyToApi(o.api, req, res);
    else if (isRegistryPath(path)) {
      if (o.registry) proxyToApi(o.registry, req, res);
      else
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'this console serves no registry' }] }));
    } else if (path.startsWith(ALERTMANAGER_PREFIX))
      void alertmanagerGateway(o.api, o.alertmanager ?? (() => Promise.resolve(undefined)), req, res);
    else if (path === METHODS_PATH && req.method === 'GET')
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ oidcIssuer: oidc?.issuer }));
    else if (path.startsWith(OIDC_PREFIX) && oidc) void oidc.handle(req, res);
    else if (path.startsWith('/console-auth/')) void signIn(codes, o, oidc, req, res);
    else if (path === UPGRADE_PLAN_PATH && req.method === 'GET' && o.dataDir)
      void upgradePlan(o.api, o.dataDir, req.headers, res);
    else if (
      o.dataDir &&
      ((path === UPGRADE_PATH && req.method === 'POST' && req.headers['x-wharf-console'] === '1') ||
        (path === UPGRADE_PROGRESS_PATH && req.method === 'GET'))
    )
      void upgradeRequest(o.api, o.dataDir, req, res);
    else if (path.startsWith(`${LOGS_PATH}?`) && req.method === 'GET') podLogs(o.api, req, res);
    else serveFile(files, path, req, res);
  };
  // Exec and attach: WebSocket upgrades to the API, with the same host check.
  const upgrade = (allowed: (host: string) => boolean) => (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (allowed(req.headers.host ?? '') && isApiPath(req.url ?? '')) proxyUpgrade(o.api, req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
  };
  const loopback = (host: string): boolean => LOOPBACK_HOST.test(host);
  const server = await listen(createServer(handler(loopback)), upgrade(loopback), o.port, '127.0.0.1');
  const tls = o.tls;
  const secure = tls
    ? await listen(
        createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, handler(overHttps)),
        upgrade(overHttps),
        tls.port,
        tls.address,
      ).catch((e: unknown) => {
        server.close();
        // Without the errno code: the caller's fallback for a taken loopback port must not apply here.
        throw new Error(`HTTPS on ${urlHost(tls.address)}:${tls.port}: ${(e as Error).message}`);
      })
    : undefined;
  const port = (server.address() as AddressInfo).port;
  const httpsPort = secure ? (secure.address() as AddressInfo).port : undefined;
  origins = new Set(
    [
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
      ...(o.servedAt ?? []),
      ...(o.tls ? o.tls.hosts.map((h) => `https://${urlHost(h)}:${httpsPort}`) : []),
    ].map((u) => new URL(u).origin), // as the browser writes it: lower case, no default port
  );
  const stop = (s: Server): Promise<void> =>
    new Promise((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  return {
    url: `http://localhost:${port}`,
    port,
    ...(o.tls ? { httpsUrl: `https://${urlHost(o.tls.hosts[0] ?? 'localhost')}:${httpsPort}` } : {}),
    built: files !== undefined,
    close: async () => {
      await Promise.all([stop(server), ...(secure ? [stop(secure)] : [])]);
    },
  };
}

/** Starts `server` with the console's keep-alive and upgrade handling on `address:port`. */
async function listen(
  server: Server,
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  port: number,
  address: string,
): Promise<Server> {
  // Longer than a browser keeps an idle connection (Chromium: 5 min): Node's 5 s default closes
  // sockets the browser then reuses for a POST, which fails ("Failed to fetch") without a retry.
  server.keepAliveTimeout = 6 * 60_000;
  server.on('upgrade', onUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  return server;
}

/** An address as a URL's host: IPv6 in brackets. */
const urlHost = (h: string): string => (h.includes(':') ? `[${h}]` : h);

function serveFile(
  files: Map<string, StaticFile> | undefined,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (!files) {
    res
      .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
      .end('The console is not built: run "npm run build" in the Wharf checkout, then restart wharf up.\n');
    return;
  }
  const pathname = path.split('?')[0] ?? '/';
  // Any other path is a route of the app: index.html, whose router shows it.
  const f = files.get(pathname) ?? (pathname.startsWith('/assets/') ? undefined : files.get('/index.html'));
  if (!f) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  res.writeHead(200, {
    'content-type': f.type,
    'cache-control': f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(f.type.startsWith('text/html') ? { 'x-frame-options': 'DENY' } : {}),
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    vary: 'accept-encoding',
  });
  res.end(req.method === 'HEAD' ? undefined : gzip ? f.gzip : f.body);
}

async function signIn(
  codes: SignInCodes,
  { api, ldapProof }: ConsoleServerOptions,
  oidc: ConsoleOidc | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const json = (status: number, body: unknown): void => {
    res
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body));
  };
  // JSON bodies only: a cross-site form cannot send one without a preflight, which we never grant.
  if (req.method !== 'POST' || !String(req.headers['content-type'] ?? '').startsWith('application/json')) {
    json(405, { message: 'POST application/json only' });
    return;
  }
  if (req.url === '/console-auth/codes') {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!m) return json(401, { message: 'send the token to trade as "Authorization: Bearer <token>"' });
    return json(201, codes.issue(m[1] as string));
  }
  if (req.url === '/console-auth/sign-out') {
    // An OpenID session has a refresh token to revoke at the issuer; its ID token just expires.
    if (!oidc || !cookieValue(req.headers, REFRESH_COOKIE)) return ldapSignOut(api, req.headers, res);
    await oidc.signOut(req);
    res.writeHead(204, { 'set-cookie': [CLEARED_COOKIE, clearedRefresh()], 'cache-control': 'no-store' }).end();
    return;
  }
  const body = await readBodyText(req, 4096);
  if (body === undefined) return json(413, { message: 'body too large' });
  if (req.url === '/console-auth/ldap') return ldapSignIn(api, body, req, res, ldapProof);
  if (req.url === '/console-auth/redeem') {
    let code: unknown;
    try {
      code = (JSON.parse(body) as { code?: unknown }).code;
    } catch {
      return json(400, { message: 'the body must be JSON: {"code": "..."}' });
    }
    const token = typeof code === 'string' ? codes.redeem(code) : undefined;
    if (!token)
      return json(410, {
        message: 'this sign-in link was used already or has expired: run "wharf console" for a new one',
      });
    return json(200, { token });
  }
  json(404, { message: 'unknown sign-in request' });
}
