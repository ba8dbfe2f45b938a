// The built-in Ingress gateway: an HTTP (and optionally HTTPS) reverse proxy on the host for the
// Ingresses of class `wharf` (the default IngressClass, created at start), routing by host and
// path to the ready endpoints of each backend Service, round robin, straight to pod IPs. It
// watches Ingresses, Services, EndpointSlices and TLS Secrets, and writes each Ingress's
// status.loadBalancer so `kubectl get ingress` shows an ADDRESS. `<app>.localhost` resolves to
// loopback in browsers and curl (RFC 6761), so `http://<app>.localhost:<httpPort>` reaches a rule
// with host `<app>.localhost`.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type {
  KubeConfig,
  KubernetesObject,
  V1EndpointSlice,
  V1Ingress,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import { withDefaults, type Resolved } from '@wharf/api';
import { Informer, isStatus, KubeClient, silentLogger, type Logger } from '@wharf/client';
import { errorPage } from './pages.js';
import { forward, forwardUpgrade, type ForwardContext } from './proxy.js';
import { GatewayMetrics } from './metrics.js';
import {
  backendEndpoints,
  buildRoutes,
  DEFAULT_CLASS_ANNOTATION,
  hostName,
  isOurs,
  matchRoute,
  type Backend,
  type Endpoint,
  type RouteTable,
} from './routes.js';
import { CertificateStore } from './tls.js';
import type { InheritedListeners } from '../util/inherited.js';

export interface IngressGatewayOptions {
  readonly kubeConfig: KubeConfig;
  /** HTTP port; 0 picks a free one (see `httpPort` after start). @default 8080 */
  readonly httpPort?: number;
  /** HTTPS port (SNI from the Ingresses' TLS Secrets); 0 picks a free one. @default no HTTPS listener */
  readonly httpsPort?: number;
  /** Listen address. @default '127.0.0.1' */
  readonly host?: string;
  /** The IngressClass served (created at start, marked default unless `defaultClass` is false). @default 'wharf' */
  readonly className?: string;
  /** @default true */
  readonly defaultClass?: boolean;
  /** Address written to status.loadBalancer.ingress. @default host, or 127.0.0.1 for a wildcard host */
  readonly statusAddress?: string;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** Port of the /metrics listener (as ingress-nginx's 10254); 0 picks a free one. @default no metrics listener */
  readonly metricsPort?: number;
  /** Address of the /metrics listener (where Prometheus reaches it, e.g. from pods). @default host */
  readonly metricsHost?: string;
  /**
   * Serve HTTP and HTTPS on the sockets a previous gateway handed over (`http`, `https`) instead of
   * binding their ports, so no connection is refused while one gateway replaces another. @default bind
   */
  readonly inherited?: InheritedListeners;
  /**
   * A host name a server on this host answers instead of an Ingress (`wharf up`'s console as
   * `console.localhost`), for clients on loopback only: elsewhere the name routes as any other.
   * @default none
   */
  readonly hostRoute?: HostRoute;
}

/** See IngressGatewayOptions.hostRoute. */
export interface HostRoute {
  /** Lower case, without port. */
  readonly host: string;
  /** Its port on 127.0.0.1, asked per request (the server may move between its starts); undefined: not running. */
  readonly port: () => number | undefined;
  /** Its name on the 503 page while it is not running. */
  readonly what: string;
}

/** Without httpsPort the gateway serves no HTTPS; without metricsPort no /metrics; without inherited it binds. */
export type ResolvedIngressGatewayOptions = Resolved<
  IngressGatewayOptions,
  Exclude<keyof IngressGatewayOptions, 'httpsPort' | 'metricsPort' | 'inherited' | 'hostRoute'>
>;

export function resolveIngressGatewayOptions(o: IngressGatewayOptions): ResolvedIngressGatewayOptions {
  const host = o.host ?? '127.0.0.1';
  // A wildcard listen address is no address a client can use: status shows loopback instead.
  const statusAddress = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return withDefaults(
    {
      httpPort: 8080,
      host,
      className: 'wharf',
      defaultClass: true,
      statusAddress,
      metricsHost: host,
      logger: silentLogger,
    },
    o,
  );
}

/** A client on this machine: 127.0.0.0/8 or ::1, also as an IPv4-mapped IPv6 address. */
function isLoopback(address: string | undefined): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address ?? '');
}

/** spec.controller of the IngressClass this gateway creates. */
export const INGRESS_CONTROLLER = 'wharf.dev/ingress-gateway';

export class IngressGateway {
  private readonly o: ResolvedIngressGatewayOptions;
  private readonly logger: Logger;
  private readonly certs: CertificateStore;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
  private readonly turns = new Map<string, number>();
  private readonly statusWrites = new Set<string>();
  private client: KubeClient | undefined;
  private ingresses: Informer<V1Ingress> | undefined;
  private services: Informer<V1Service> | undefined;
  private slices: Informer<V1EndpointSlice> | undefined;
  private secrets: Informer<V1Secret> | undefined;
  private table: RouteTable = buildRoutes([]);
  private rebuildPending = false;
  private stopped = true;
  private http: http.Server | undefined;
  private https: https.Server | undefined;
  private metricsServer: http.Server | undefined;
  readonly metrics: GatewayMetrics;
  private readonly sockets = new Set<net.Socket>();

  constructor(options: IngressGatewayOptions) {
    this.o = resolveIngressGatewayOptions(options);
    this.logger = this.o.logger;
    this.certs = new CertificateStore(this.logger);
    this.metrics = new GatewayMetrics(this.o.className);
  }

  /** The /metrics port (after start), 0 without a metrics listener. */
  get metricsPort(): number {
    return (this.metricsServer?.address() as net.AddressInfo | null)?.port ?? 0;
  }

  /** The HTTP port (after start). */
  get httpPort(): number {
    return (this.http?.address() as net.AddressInfo | null)?.port ?? 0;
  }

  /** The HTTPS port (after start), 0 without an HTTPS listener. */
  get httpsPort(): number {
    return (this.https?.address() as net.AddressInfo | null)?.port ?? 0;
  }

  /** The current routing table (for diagnostics and tests). */
  get routes(): RouteTable {
    return this.table;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.client = new KubeClient(this.o.kubeConfig);
    await this.ensureIngressClass();
    const onChange = (): void => this.scheduleRebuild();
    const cache = <T extends KubernetesObject>(path: string, fieldSelector?: string): Informer<T> => {
      const informer = new Informer<T>({
        client: this.client!,
        path,
        ...(fieldSelector ? { fieldSelector } : {}),
        onError: (e) => this.logger.warn({ err: e, path }, 'watch failed; resuming'),
      });
      informer.on(onChange);
      return informer;
    };
    this.ingresses = cache('/apis/networking.k8s.io/v1/ingresses');
    this.services = cache('/api/v1/services');
    this.slices = cache('/apis/discovery.k8s.io/v1/endpointslices');
    this.secrets = cache('/api/v1/secrets', 'type=kubernetes.io/tls');
    await Promise.all([
      this.ingresses.startSynced(),
      this.services.startSynced(),
      this.slices.startSynced(),
      this.secrets.startSynced(),
    ]);
    this.rebuild();

    this.http = http.createServer((req, res) => this.handle(req, res, { scheme: 'http', port: this.httpPort }));
    this.http.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head, { scheme: 'http', port: this.httpPort }),
    );
    await this.listen(this.http, this.o.httpPort, this.o.host, 'http');
    if (this.o.httpsPort !== undefined) {
      this.https = https.createServer({
        SNICallback: (name, cb) => {
          const ctx = this.certs.lookup(name);
          if (ctx) cb(null, ctx);
          else cb(new Error(`no TLS certificate for ${JSON.stringify(name)}`));
        },
      });
      this.https.on('request', (req: http.IncomingMessage, res: http.ServerResponse) =>
        this.handle(req, res, { scheme: 'https', port: this.httpsPort }),
      );
      this.https.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) =>
        this.upgrade(req, socket, head, { scheme: 'https', port: this.httpsPort }),
      );
      this.https.on('tlsClientError', () => undefined); // a client without SNI or with an unknown name: nothing to log
      await this.listen(this.https, this.o.httpsPort, this.o.host, 'https');
    }
    if (this.o.metricsPort !== undefined) {
      this.metricsServer = http.createServer((req, res) => {
        if ((req.url ?? '').split('?')[0] !== '/metrics') {
          res.writeHead(404).end();
          return;
        }
        void this.metrics.registry
          .metrics()
          .then((body) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(body));
      });
      await this.listen(this.metricsServer, this.o.metricsPort, this.o.metricsHost);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const close = (s: http.Server | undefined): Promise<void> => new Promise((r) => (s ? s.close(() => r()) : r()));
    const closing = Promise.all([close(this.http), close(this.https), close(this.metricsServer)]);
    for (const s of this.sockets) s.destroy();
    await closing;
    this.agent.destroy();
    await Promise.all([this.ingresses?.stop(), this.services?.stop(), this.slices?.stop(), this.secrets?.stop()]);
    this.client?.close();
  }

  /** The HTTP and HTTPS listeners, for a successor to serve on (see `inherited`). */
  get listeners(): Record<string, net.Server> {
    return { ...(this.http ? { http: this.http } : {}), ...(this.https ? { https: this.https } : {}) };
  }

  /**
   * After a hand-over: accepts nothing more here, lets the requests in flight finish (up to
   * `graceMs`), then stops. The sockets stay open in the successor.
   */
  async drain(graceMs: number): Promise<void> {
    for (const s of [this.http, this.https]) {
      s?.close();
      s?.closeIdleConnections();
    }
    const deadline = Date.now() + graceMs;
    while (this.sockets.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await this.stop();
  }

  private listen(server: http.Server, port: number, host = this.o.host, inherit?: string): Promise<void> {
    server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    if (inherit && this.o.inherited) {
      let listening: Promise<void> = Promise.resolve();
      return this.o.inherited
        .take(inherit, (h) => {
          listening = new Promise((resolve) => server.listen(h as net.Server, () => resolve()));
        })
        .then(() => listening);
    }
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  private async ensureIngressClass(): Promise<void> {
    const path = '/apis/networking.k8s.io/v1/ingressclasses';
    const existing = await this.client!.getOptional(`${path}/${this.o.className}`);
    if (existing) return;
    const annotations = this.o.defaultClass ? { [DEFAULT_CLASS_ANNOTATION]: 'true' } : {};
    try {
      await this.client!.create(path, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: this.o.className, annotations },
        spec: { controller: INGRESS_CONTROLLER },
      });
    } catch (e) {
      if (!isStatus(e, 409)) throw e;
    }
  }

  // --- state -------------------------------------------------------------------------------

  private scheduleRebuild(): void {
    if (this.rebuildPending) return;
    this.rebuildPending = true;
    setImmediate(() => {
      this.rebuildPending = false;
      if (!this.stopped) this.rebuild();
    });
  }

  private rebuild(): void {
    const ours = (this.ingresses?.list() ?? []).filter(
      (i) => isOurs(i, this.o.className, this.o.defaultClass) && !i.metadata?.deletionTimestamp,
    );
    this.table = buildRoutes(ours);
    this.certs.update(this.table.tls, (ns, name) => this.secrets?.get(ns, name));
    for (const ing of ours) void this.writeStatus(ing);
  }

  private async writeStatus(ing: V1Ingress): Promise<void> {
    const current = ing.status?.loadBalancer?.ingress ?? [];
    if (current.length === 1 && current[0]?.ip === this.o.statusAddress && !current[0].hostname) return;
    const ns = ing.metadata?.namespace ?? '';
    const name = ing.metadata?.name ?? '';
    const id = `${ns}/${name}`;
    if (this.statusWrites.has(id)) return;
    this.statusWrites.add(id);
    try {
      await this.client!.patch(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/${name}/status`, {
        status: { loadBalancer: { ingress: [{ ip: this.o.statusAddress }] } },
      });
    } catch (e) {
      if (!isStatus(e, 404) && !this.stopped)
        this.logger.warn({ err: e, ingress: id }, 'writing the ingress status failed');
    } finally {
      this.statusWrites.delete(id);
    }
  }

  private endpointsOf(b: Backend): Endpoint[] {
    return backendEndpoints(b, (ns, name) => this.services?.get(ns, name), this.slices?.list() ?? []);
  }

  private pick(b: Backend, eps: readonly Endpoint[]): Endpoint {
    const k = `${b.namespace}/${b.service}:${b.port}`;
    const turn = this.turns.get(k) ?? 0;
    this.turns.set(k, (turn + 1) % 1_000_000);
    return eps[turn % eps.length]!;
  }

  // --- requests ----------------------------------------------------------------------------

  private route(
    req: http.IncomingMessage,
  ):
    | { ok: true; backend?: Backend; endpoint: Endpoint }
    | { ok: false; status: number; why: string; backend?: Backend } {
    const host = req.headers.host ?? '';
    const fixed = this.o.hostRoute;
    if (fixed && hostName(host) === fixed.host && isLoopback(req.socket.remoteAddress)) {
      const port = fixed.port();
      return port
        ? { ok: true, endpoint: { ip: '127.0.0.1', port } }
        : { ok: false, status: 503, why: `${fixed.what} is not running on this host.` };
    }
    const backend = matchRoute(this.table, host, req.url ?? '/');
    if (!backend)
      return {
        ok: false,
        status: 404,
        why: `No Ingress rule matches host ${JSON.stringify(host)} and path ${JSON.stringify((req.url ?? '/').split('?')[0])}.`,
      };
    const eps = this.endpointsOf(backend);
    if (eps.length === 0)
      return {
        ok: false,
        status: 503,
        backend,
        why: `Service ${backend.namespace}/${backend.service} (port ${backend.port}, ingress ${backend.ingress}) has no ready endpoints.`,
      };
    return { ok: true, backend, endpoint: this.pick(backend, eps) };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, ctx: ForwardContext): void {
    const r = this.route(req);
    this.metrics.track(req.method ?? 'GET', req.headers.host ?? '', r.backend, res);
    const fail = (status: number, why: string): void => {
      const body = errorPage(status, why);
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!r.ok) {
      req.resume();
      fail(r.status, r.why);
      return;
    }
    forward(req, res, r.endpoint, this.agent, ctx, (status, why) => {
      this.logger.warn(
        { method: req.method, host: req.headers.host ?? '', path: (req.url ?? '/').split('?')[0], reason: why },
        'forwarding a request failed',
      );
      fail(status, why);
    });
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, ctx: ForwardContext): void {
    const r = this.route(req);
    if (!r.ok) {
      const body = errorPage(r.status, r.why);
      socket.end(
        `HTTP/1.1 ${r.status} ${http.STATUS_CODES[r.status]}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    forwardUpgrade(req, socket, head, r.endpoint, ctx);
  }
}
