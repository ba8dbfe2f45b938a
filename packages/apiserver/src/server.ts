// The embedded API server: HTTPS only, bearer-token authentication, RBAC on every request, an
// audit line per write, and routing to discovery, OpenAPI, health and the resource handler.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError, forbidden, pathNotFound, unauthorized } from './errors.js';
import { AuditLog, createAuditor, type AuditedRequest, type Auditor } from './audit/index.js';
import { FRONT_PROXY_CLIENT_NAME, ensurePki, type Pki } from './auth/pki.js';
import { publishAuthenticationTrust } from './objects/authentication-trust.js';
import { CLUSTER_INFO_PATH, publishClusterInfo } from './auth/cluster-info.js';
import {
  AGENT_CLIENT_USER,
  ANONYMOUS,
  TokenAuthenticator,
  ensureAdminToken,
  ensureDataplaneToken,
  ensureNodeToken,
} from './auth/tokens.js';
import { NodeRestriction } from './auth/node-authorizer.js';
import { authenticateBootstrapToken, BOOTSTRAP_SECRET_PREFIX } from './auth/bootstrap-tokens.js';
import { clientCertificateUser } from './auth/client-certs.js';
import { RbacAuthorizer } from './auth/rbac.js';
import { rbacChanges } from './auth/rbac-changes.js';
import { answerReview } from './auth/reviews.js';
import { impersonatedUser } from './auth/impersonation.js';
import { EncryptingCodec, loadOrCreateKeys } from './crypto/encryption.js';
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregated,
} from './discovery.js';
import { OpenApiDocs } from './openapi.js';
import { GNOSTIC_V2_MEDIA_TYPE, OpenApiV2 } from './openapi-v2.js';
import { ResourceRegistry } from './registry.js';
import {
  DEFAULT_MINOR,
  chooseKubernetesVersion,
  minorOf,
  parseKubernetesVersion,
  pinKubernetesVersion,
  type KubernetesVersion,
} from './version-window.js';
import {
  EtcdStore,
  SqliteStore,
  type Store,
  type TimingCallback,
  namespacePrefix,
  objectKey,
  resourcePrefix,
} from './storage/index.js';
import { ObjectApi } from './objects/api.js';
import { namespaceLifecycle, protectSystemNamespaces } from './objects/admission.js';
import { limitRanger } from './objects/admission-limits.js';
import { resourceQuotaAdmission } from './objects/admission-quota.js';
import { serviceAccountTokenAdmission } from './objects/admission-serviceaccount.js';
import { nodeRestrictionAdmission } from './objects/admission-node.js';
import { defaultTolerationSeconds } from './objects/admission-tolerations.js';
import { ResourceQuotaController } from './objects/quota-controller.js';
import { serviceAllocation } from './objects/service-ips.js';
import { GarbageCollector } from './objects/gc.js';
import { csrRequester } from './certificates/admission.js';
import { TokenCleaner } from './objects/token-cleaner.js';
import { CsrController } from './certificates/controller.js';
import { CaSigner } from './certificates/signer.js';
import { NamespaceController } from './objects/namespaces.js';
import { CrdController } from './objects/crds.js';
import { NamespaceDefaultsController, bootstrapCluster } from './objects/bootstrap.js';
import { advertiseMaster, type Advertised } from './objects/master-service.js';
import { ENDPOINT_LEASE_SECONDS, reconcileMasterLeases } from './objects/master-leases.js';
import { OidcAuthenticator, unverifiedIssuer } from './auth/oidc.js';
import { signOut, SIGN_OUT_PATH } from './auth/session-signout.js';
import { RevokedSessions, SESSION_ISSUER, SessionTokens } from './auth/session-tokens.js';
import { checkLdapOptions, LdapSignIn, LDAP_SIGNIN_PATH } from './auth/ldap/index.js';
import { claimResizeAdmission, defaultStorageClassAdmission } from './objects/admission-storageclass.js';
import type { UserInfo } from './objects/context.js';
import { RestHandler, auditAnnotations, createdNames } from './rest/handler.js';
import { SubresourceHandlers } from './rest/subresources.js';
import { requestInfo, type RequestInfo } from './rest/request-info.js';
import { send, sendError } from './rest/respond.js';
import { tokenRequestHandler } from './auth/token-request.js';
import { AgentDialer } from './rest/agents.js';
import { podLogHandler } from './rest/logs.js';
import { nodeProxyHandler } from './rest/node-proxy.js';
import { PodStreams } from './rest/streams.js';
import { kubeconfigFor } from './kubeconfig.js';
import { MetricsApi } from './metrics-api/metrics-api.js';
import { ApiServiceController } from './aggregation/controller.js';
import { WebhookAdmission } from './webhooks/admission.js';
import { PolicyAdmission } from './webhooks/policies.js';
import { proxyToApiService } from './aggregation/proxy.js';
import type { ApiServiceTarget, ProxyIdentity } from './aggregation/client.js';
import { ApiServerMetrics } from './observability/metrics.js';
import { resolveApiServerOptions, type ApiServerOptions, type ResolvedApiServerOptions } from './options.js';

export type { ApiServerOptions } from './options.js';

/** The /version document of a served version. */
export function versionInfo(v: KubernetesVersion): Record<string, string> {
  return {
    major: v.major,
    minor: v.minor,
    gitVersion: `v${v.version}`,
    gitCommit: 'wharf',
    gitTreeState: 'clean',
    buildDate: '2026-11-25T00:00:00Z',
    goVersion: 'node',
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch}`,
  };
}

/** The /version of the default minor. */
export const KUBERNETES_VERSION = versionInfo(parseKubernetesVersion(DEFAULT_MINOR));

const HEALTH = new Set(['/livez', '/readyz', '/healthz']);

/**
 * The path exactly as sent, and the query. Not WHATWG URL parsing: it resolves `..` and `%2e%2e`
 * segments, so `DELETE …/configmaps/..` would reach the namespace instead of being rejected.
 */
function splitUrl(raw: string): { pathname: string; searchParams: URLSearchParams } {
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const pathname = /^[a-z]+:\/\//i.test(path) ? path.replace(/^[a-z]+:\/\/[^/]*/i, '') || '/' : path;
  return { pathname, searchParams: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/** Paths anyone may read without a token: health checks and the version. */
function isPublicPath(path: string): boolean {
  const p = path.replace(/\/+$/, '') || '/';
  return HEALTH.has(p) || p === '/version' || p === CLUSTER_INFO_PATH || /^\/(livez|readyz|healthz)\//.test(p);
}

export class ApiServer {
  readonly store: Store;
  /** Encrypts secrets at rest; tells which stored values a key rotation left stale. */
  private readonly codec: EncryptingCodec;
  /** The name of the key new secrets are encrypted with. */
  private readonly encryptionKey: string;
  readonly registry: ResourceRegistry;
  /** The Kubernetes version served (/version, API versions). */
  readonly kubernetesVersion: KubernetesVersion;
  readonly api: ObjectApi;
  readonly pki: Pki;
  readonly tokens: TokenAuthenticator;
  /** OpenID Connect ID tokens, when an issuer is configured. */
  private readonly oidc: OidcAuthenticator | undefined;
  /** Tokens Wharf issued after an LDAP sign-in. */
  private readonly sessions: SessionTokens;
  private readonly ldapSignIn: LdapSignIn | undefined;
  readonly authz: RbacAuthorizer;
  /** Runs before RBAC for node agents (system:nodes): only their own objects. */
  readonly nodeRestriction: NodeRestriction;
  readonly adminToken: string;
  private readonly openapi: OpenApiDocs;
  private readonly openapiV2: OpenApiV2;
  private readonly rest: RestHandler;
  private readonly streams: PodStreams;
  private readonly metricsApi: MetricsApi;
  /** APIServices: Local ones for the built-in groups, and the aggregated API servers requests are proxied to. */
  readonly apiServices: ApiServiceController;
  /** The front proxy's client certificate, presented to aggregated API servers. */
  private readonly frontProxy: ProxyIdentity;
  /** The flat log of writes, when no audit policy is given. */
  private readonly audit: AuditLog | undefined;
  /** Auditing by the --audit-policy-file Policy. */
  private readonly auditor: Auditor | undefined;
  /** kube-apiserver's metrics, served at /metrics to users allowed that non-resource URL. */
  readonly metrics: ApiServerMetrics;
  private readonly controllers: { start(): void | Promise<void>; stop(): void }[];
  private server: Server | undefined;
  private compactTimer: NodeJS.Timeout | undefined;
  /** As one of several API servers: where pods reach this one, and the timer renewing its endpoint Lease. */
  private member: { readonly self: Advertised; readonly timer: NodeJS.Timeout } | undefined;
  private ready = false;

  private readonly opts: ResolvedApiServerOptions;

  /** An API server on `options.dataDir`, whose PKI is made first where it is missing. */
  static async create(options: ApiServerOptions): Promise<ApiServer> {
    return new ApiServer(options, await ensurePki(options.dataDir));
  }

  private constructor(options: ApiServerOptions, pki: Pki) {
    const opts = resolveApiServerOptions(options);
    this.opts = opts;
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    this.kubernetesVersion = chooseKubernetesVersion(opts.dataDir, opts.kubernetesVersion);
    this.registry = new ResourceRegistry(minorOf(this.kubernetesVersion));
    this.pki = pki;
    this.frontProxy = { cert: this.pki.frontProxyClientCert, key: this.pki.frontProxyClientKey };
    this.adminToken = ensureAdminToken(join(opts.dataDir, 'tokens.csv'));
    const keys = loadOrCreateKeys(join(opts.dataDir, 'encryption-keys.json'));
    const codec = new EncryptingCodec(keys, [resourcePrefix('', 'secrets')]);
    this.metrics = new ApiServerMetrics(() => this.store.counts());
    const onTiming: TimingCallback = (op, key, s) => this.metrics.storageTiming(op, key, s);
    this.store = opts.etcdServers?.length
      ? new EtcdStore({
          endpoints: opts.etcdServers,
          codec,
          onTiming,
          onError: (err) => opts.logger.error({ err }, 'the etcd watch failed'),
        })
      : new SqliteStore({ path: join(opts.dataDir, 'wharf.db'), codec, onTiming });
    this.metrics.certificates({ 'apiserver-serving': this.pki.serverCert, ca: this.pki.caCert });
    this.codec = codec;
    this.encryptionKey = keys[0]?.name ?? '';
    // In kube-apiserver's order: LimitRanger defaults before quota counts; ResourceQuota last.
    this.api = new ObjectApi({
      store: this.store,
      registry: this.registry,
      admission: [
        namespaceLifecycle(this.store),
        nodeRestrictionAdmission(),
        limitRanger(this.store),
        serviceAccountTokenAdmission(this.store, { mountToken: opts.mountServiceAccountToken }),
        defaultTolerationSeconds(opts.defaultTolerationSeconds),
        serviceAllocation(this.store),
        csrRequester,
        defaultStorageClassAdmission(this.store),
        claimResizeAdmission(this.store),
        resourceQuotaAdmission(this.store),
      ],
    });
    this.openapi = new OpenApiDocs(this.registry);
    this.openapiV2 = new OpenApiV2(this.registry);
    this.registry.onChange = () => {
      this.openapi.invalidate();
      this.openapiV2.invalidate();
    };
    const store = this.store;
    this.nodeRestriction = new NodeRestriction({
      pods: (ns) => store.list(namespacePrefix('', 'pods', ns || undefined)).map((e) => e.object),
      pod: (ns, name) => store.get(objectKey('', 'pods', ns, name)),
      persistentVolumeClaim: (ns, name) => store.get(objectKey('', 'persistentvolumeclaims', ns, name)),
    });
    this.authz = new RbacAuthorizer({
      roles: (ns) => store.list(namespacePrefix('rbac.authorization.k8s.io', 'roles', ns)).map((e) => e.object),
      roleBindings: (ns) =>
        store.list(namespacePrefix('rbac.authorization.k8s.io', 'rolebindings', ns)).map((e) => e.object),
      clusterRoles: () => store.list(resourcePrefix('rbac.authorization.k8s.io', 'clusterroles')).map((e) => e.object),
      clusterRoleBindings: () =>
        store.list(resourcePrefix('rbac.authorization.k8s.io', 'clusterrolebindings')).map((e) => e.object),
    });
    this.tokens = new TokenAuthenticator(
      join(opts.dataDir, 'tokens.csv'),
      this.pki.saKey,
      this.pki.saPub,
      (sa) => store.get(objectKey('', 'serviceaccounts', sa.namespace, sa.name))?.metadata.uid === sa.uid,
    );
    // Agents that do not hold the agent token (joined with `wharf agent`) check it by a TokenReview.
    if (opts.agentToken) this.tokens.addBuiltin(opts.agentToken, AGENT_CLIENT_USER);
    this.oidc = options.oidc ? new OidcAuthenticator(options.oidc) : undefined;
    this.sessions = new SessionTokens(
      this.pki.saKey,
      this.pki.saPub,
      undefined,
      new RevokedSessions(join(opts.dataDir, 'revoked-sessions.json')),
    );
    if (options.ldap) checkLdapOptions(options.ldap);
    this.ldapSignIn = options.ldap
      ? new LdapSignIn({
          ldap: options.ldap,
          sessions: this.sessions,
          logger: opts.logger,
          audit: (req, res, user, code) => this.auditSignIn(req, res, user, code),
        })
      : undefined;
    this.auditor = options.audit
      ? createAuditor(options.audit, join(opts.dataDir, 'audit.log'), (m) => opts.logger.warn(m))
      : undefined;
    this.audit = this.auditor ? undefined : new AuditLog(join(opts.dataDir, 'audit.log'));
    const agents = new AgentDialer(this.api, opts.agentToken);
    this.streams = new PodStreams(this.api, agents);
    this.metricsApi = new MetricsApi(this.api, agents);
    this.rest = new RestHandler({
      api: this.api,
      subresources: new SubresourceHandlers(this.api, {
        token: tokenRequestHandler(this.api, this.tokens),
        log: podLogHandler(this.api, agents),
        proxy: nodeProxyHandler(agents),
        ...this.streams.subresources(),
        ...opts.externalSubresources,
      }),
      watch: { bookmarkMs: opts.bookmarkMs, maxSeconds: opts.watchTimeoutSeconds },
      reviews: (served, body, user) => answerReview(this.authz, this.tokens, served, body, user),
      webhooks: new WebhookAdmission(this.store),
      policies: new PolicyAdmission(this.store, this.api.registry),
      authorize: (user, ri) => this.authorize(user, ri),
    });
    this.apiServices = new ApiServiceController({ api: this.api, identity: this.frontProxy });
    this.controllers = [
      rbacChanges(this.store, this.authz),
      this.apiServices,
      new CrdController(this.api),
      new GarbageCollector(this.api),
      new NamespaceController(this.api),
      new NamespaceDefaultsController(this.api, this.pki.caCert),
      new ResourceQuotaController(this.api),
      new TokenCleaner(this.api),
      new CsrController(
        this.api,
        new CaSigner(this.pki.caCert, join(opts.dataDir, 'pki', 'ca.key')),
        (user, subresource) =>
          this.authz.authorize(user, {
            verb: 'create',
            apiGroup: 'certificates.k8s.io',
            resource: 'certificatesigningrequests',
            subresource,
            name: '',
            namespace: '',
            resourceRequest: true,
            path: '',
          }).allowed,
      ),
    ];
  }

  /** Starts serving; resolves with the bound port once the API is ready. */
  async start(): Promise<number> {
    await this.store.open();
    // After a key rotation (a new key listed first), every secret is rewritten with the new key.
    const codec = this.codec;
    const rewritten = await this.store.rewriteStale(resourcePrefix('', 'secrets'), (raw) => codec.isStale(raw));
    if (rewritten)
      this.opts.logger.info(
        { secrets: rewritten, key: this.encryptionKey },
        'secrets re-encrypted with the newest key',
      );
    await bootstrapCluster(this.api);
    await publishAuthenticationTrust(this.api, {
      clientCa: this.pki.caCert,
      requestHeaderCa: this.pki.frontProxyCaCert,
      allowedNames: [FRONT_PROXY_CLIENT_NAME],
    });
    await this.oidc?.start();
    for (const c of this.controllers) await c.start();
    this.server = this.httpsServer();
    const port = await new Promise<number>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.opts.port, this.opts.host, () => resolve((this.server?.address() as AddressInfo).port));
    });
    // Where joining nodes discover this cluster's CA (checked against their pin).
    await publishClusterInfo(this.api, `https://127.0.0.1:${this.opts.publicPort ?? port}`, this.pki.caCert);
    this.compactTimer = setInterval(() => void this.compactOnce(), this.opts.compactEveryMs);
    this.compactTimer.unref();
    // Serving started: from now on this data dir runs this version (a later start without a version keeps it).
    pinKubernetesVersion(this.opts.dataDir, this.kubernetesVersion);
    this.ready = true;
    return port;
  }

  /** One TLS server with the API's handlers; `start` binds one, `advertise` one per pod-reachable address. */
  private httpsServer(): Server {
    // Client certificates signed by the cluster CA authenticate too (--client-ca-file): asked
    // for, never required, so token and anonymous clients connect as before.
    const server = createServer(
      {
        cert: this.pki.serverCert,
        key: this.pki.serverKey,
        ca: this.pki.caCert,
        requestCert: true,
        rejectUnauthorized: false,
        requestTimeout: 0,
        keepAliveTimeout: 65_000,
      },
      (req, res) => {
        void this.dispatch(req, res);
      },
    );
    // exec, attach, port-forward: authenticated and authorized here, relayed by rest/streams.ts.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.streams.upgrade(req, socket, head, (ri) => {
        const user = impersonatedUser(
          req,
          this.authenticate(req, ri.path),
          (u, attrs) => this.authz.authorize(u, attrs).allowed,
        );
        this.authorize(user, ri);
      }),
    );
    return server;
  }

  private readonly advertised = new Map<string, Server>();

  /**
   * Serves the API also at `address:port` (an address of this host that pods reach, such as a node
   * bridge's gateway) and points the `kubernetes` Service there, as kube-apiserver's
   * --advertise-address. The loopback listener stays the one for the host's own clients.
   */
  async advertise(address: string, port: number): Promise<void> {
    await this.listenAlso(address, port);
    await advertiseMaster(this.api, { address, port });
  }

  /** Serves the API also on `address` (an address of this host that pods reach) at `port`. */
  async listenAlso(address: string, port: number): Promise<void> {
    const key = `${address}:${port}`;
    if (this.advertised.has(key)) return;
    const server = this.httpsServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve());
    });
    this.advertised.set(key, server);
  }

  /**
   * As one of several API servers: serves on `address`:`port` too and, while it runs, renews its
   * endpoint Lease and keeps the `kubernetes` Service's endpoints to the members whose Lease is live
   * (master-leases.ts). Its stop expires its Lease first, so pods stop being sent to it.
   */
  async advertiseMember(address: string, port: number): Promise<void> {
    await this.listenAlso(address, port);
    if (this.member) return;
    const self = { address, port };
    const round = (): Promise<void> =>
      reconcileMasterLeases(this.api, self, Date.now()).catch((e: unknown) =>
        this.opts.logger.debug({ err: e }, 'the kubernetes Service endpoints: trying again next round'),
      );
    await round();
    const timer = setInterval(() => void round(), (ENDPOINT_LEASE_SECONDS * 1000) / 3);
    timer.unref();
    this.member = { self, timer };
  }

  private readonly revisionSamples: { revision: number; at: number }[] = [];

  /**
   * Compacts history older than both the retention window and the newest `compactKeepRevisions`
   * revisions, so watch resumes within the window never see 410.
   */
  compactOnce(now = Date.now()): Promise<number> {
    this.revisionSamples.push({ revision: this.store.revision, at: now });
    const retention = this.opts.compactRetentionMs;
    let byTime = 0;
    while (this.revisionSamples.length > 1 && (this.revisionSamples[1]?.at ?? now) <= now - retention)
      this.revisionSamples.shift();
    const oldest = this.revisionSamples[0];
    if (oldest && oldest.at <= now - retention) byTime = oldest.revision;
    const target = Math.min(byTime, this.store.revision - this.opts.compactKeepRevisions);
    return target > 0 ? this.store.compact(target) : Promise.resolve(0);
  }

  /**
   * Writes `<dataDir>/nodes/<name>/kubeconfig` (0600) for node agent `name`: user system:node:<name>
   * in group system:nodes, its token created in tokens.csv on first use. Returns the path.
   */
  writeNodeKubeconfig(nodeName: string, port: number): string {
    const token = ensureNodeToken(join(this.opts.dataDir, 'tokens.csv'), nodeName);
    this.tokens.reload();
    return this.writePrivateKubeconfig(
      join(this.opts.dataDir, 'nodes', nodeName),
      port,
      token,
      `system:node:${nodeName}`,
    );
  }

  /**
   * Writes `<dataDir>/dataplane/kubeconfig` (0600) for the dataplane process: user
   * system:wharf:dataplane, whose ClusterRole (auth/bootstrap.ts) lets it read what DNS, the
   * Service and policy rules and the Ingress gateway route by, and write Ingress status. Returns the path.
   */
  writeDataplaneKubeconfig(port: number): string {
    const token = ensureDataplaneToken(join(this.opts.dataDir, 'tokens.csv'));
    this.tokens.reload();
    return this.writePrivateKubeconfig(join(this.opts.dataDir, 'dataplane'), port, token, 'system:wharf:dataplane');
  }

  private writePrivateKubeconfig(dir: string, port: number, token: string, user: string): string {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, kubeconfigFor(`https://127.0.0.1:${port}`, this.pki.caCert, token, 'wharf', user), {
      mode: 0o600,
    });
    chmodSync(path, 0o600);
    return path;
  }

  /** Writes `<dataDir>/kubeconfig` for the admin user. */
  writeKubeconfig(port: number): string {
    const path = join(this.opts.dataDir, 'kubeconfig');
    writeFileSync(path, kubeconfigFor(`https://127.0.0.1:${port}`, this.pki.caCert, this.adminToken), { mode: 0o600 });
    return path;
  }

  /**
   * Stops serving. `drain` (the default) keeps answering, /readyz 503, for the shutdown delay first, so a
   * balancer moves new connections to the other members; without it (the whole control plane stops, its
   * balancer already gone) the server closes at once.
   */
  async stop(opts: { drain?: boolean } = {}): Promise<void> {
    this.ready = false;
    if (this.member) {
      clearInterval(this.member.timer);
      await reconcileMasterLeases(this.api, this.member.self, Date.now(), true).catch(() => undefined);
      this.member = undefined;
    }
    if (opts.drain !== false && this.opts.shutdownDelayMs > 0)
      await new Promise((r) => setTimeout(r, this.opts.shutdownDelayMs));
    if (this.compactTimer) clearInterval(this.compactTimer);
    for (const c of this.controllers) c.stop();
    for (const extra of this.advertised.values()) {
      extra.closeAllConnections();
      extra.close();
    }
    this.advertised.clear();
    const server = this.server;
    if (server) {
      this.streams.closeAll();
      server.closeIdleConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await this.store.close(); // ends open watches, so their connections close
      setTimeout(() => server.closeAllConnections(), 2000).unref();
      await closed;
    } else {
      await this.store.close();
    }
    await this.audit?.close();
    await this.auditor?.close();
  }

  /** A sign-in attempt (or a sign-out: `path` /logout) in the audit log, as the username it tried. */
  private auditSignIn(
    req: IncomingMessage,
    res: ServerResponse,
    user: UserInfo,
    code: number,
    path = LDAP_SIGNIN_PATH,
  ): void {
    const ri = requestInfo('POST', path, new URLSearchParams());
    this.auditor?.begin(req, res, ri, user)?.complete(code);
    this.audit?.record({
      user: user.name,
      groups: user.groups,
      verb: path === SIGN_OUT_PATH ? 'delete' : 'create',
      group: 'wharf.dev',
      resource: 'signins',
      subresource: '',
      namespace: '',
      name: path === SIGN_OUT_PATH ? 'logout' : 'ldap',
      code,
      uri: req.url ?? '',
      sourceIP: req.socket.remoteAddress ?? '',
    });
  }

  /**
   * The user of a bearer token, as a request carrying it would be authenticated; undefined when
   * the token is not valid. For servers beside this one that take the same tokens (the registry).
   */
  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    if (this.oidc) await this.oidc.prepare(token);
    return this.userOfToken(token);
  }

  private userOfToken(token: string): UserInfo | undefined {
    // A JWT goes to the one authenticator of its issuer: no signature is checked twice.
    const iss = unverifiedIssuer(token);
    return this.oidc && iss === this.oidc.issuer
      ? this.oidc.authenticate(token)
      : iss === SESSION_ISSUER
        ? this.sessions.authenticate(token)
        : (this.tokens.authenticate(token) ??
          authenticateBootstrapToken(token, (id) =>
            this.store.get(objectKey('', 'secrets', 'kube-system', `${BOOTSTRAP_SECRET_PREFIX}${id}`)),
          ));
  }

  private authenticate(req: IncomingMessage, path: string): UserInfo {
    const auth = req.headers.authorization;
    // Anonymous requests are accepted only on the public endpoints (as kube-apiserver 1.32's
    // anonymous-auth endpoint list); anywhere else a missing token is 401, not 403.
    if (!auth) {
      const fromCert = clientCertificateUser(req.socket);
      if (fromCert) return fromCert;
      if (isPublicPath(path)) return ANONYMOUS;
      throw unauthorized();
    }
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    const user = m ? this.userOfToken((m[1] ?? '').trim()) : undefined;
    if (!user) throw unauthorized();
    return user;
  }

  private authorize(user: UserInfo, ri: RequestInfo): void {
    const attrs = {
      // As kube-apiserver: one path segment names the subresource (nodes/<n>/proxy/metrics is nodes/proxy).
      verb: ri.verb,
      apiGroup: ri.group,
      resource: ri.resource,
      subresource: ri.subresource.split('/')[0] ?? '',
      name: ri.name,
      namespace: ri.namespace,
      resourceRequest: ri.resourceRequest,
      path: ri.path,
    };
    // Node agents: the Node restriction may deny first, with its reason in the message.
    const restricted = this.nodeRestriction.check(user, attrs);
    const d = restricted ?? this.authz.authorize(user, attrs);
    if (d.allowed) return;
    if (!ri.resourceRequest) throw forbidden(`forbidden: User "${user.name}" cannot ${ri.verb} path "${ri.path}"`);
    const sub = ri.subresource.split('/')[0] ?? '';
    const res = `${ri.resource}${sub ? `/${sub}` : ''}`;
    const where = ri.namespace ? ` in the namespace "${ri.namespace}"` : ' at the cluster scope';
    const named = ri.name
      ? `${ri.resource}${ri.group ? `.${ri.group}` : ''} "${ri.name}" is forbidden: `
      : `${ri.resource}${ri.group ? `.${ri.group}` : ''} is forbidden: `;
    throw new ApiError(
      403,
      'Forbidden',
      `${named}User "${user.name}" cannot ${ri.verb} resource "${res}" in API group "${ri.group}"${where}${restricted ? `: ${restricted.reason}` : ''}`,
      {
        ...(ri.name ? { name: ri.name } : {}),
        group: ri.group,
        kind: ri.resource,
      },
    );
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let ri: RequestInfo | undefined;
    let user: UserInfo = ANONYMOUS;
    let authenticated: UserInfo = ANONYMOUS;
    let audited: AuditedRequest | undefined;
    let auditBegun = false;
    let code = 500;
    let recorded: ((code: number) => void) | undefined;
    try {
      const url = splitUrl(req.url ?? '/');
      ri = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      const done = this.metrics.begin(ri, req.headers['content-type'], url.searchParams.has('dryRun'));
      // Recorded when the response ends: a watch's handler returns once the stream is open.
      recorded = (c) => {
        if (res.writableFinished || res.destroyed) done(res.statusCode || c);
        else res.once('close', () => done(res.statusCode || c));
      };
      // The LDAP sign-in takes a password, not a token; it audits each attempt itself.
      if (this.ldapSignIn && url.pathname === LDAP_SIGNIN_PATH) {
        auditBegun = true;
        code = await this.ldapSignIn.handle(req, res);
        return;
      }
      // Sign-out names its session by the token it ends; it audits itself, as whose session ended.
      if (url.pathname === SIGN_OUT_PATH) {
        auditBegun = true;
        const out = signOut(req, res, this.sessions);
        code = out.code;
        this.auditSignIn(req, res, out.user, code, SIGN_OUT_PATH);
        return;
      }
      // An ID token signed with a key not seen yet: the issuer's keys are re-read first (rotation).
      if (this.oidc)
        await this.oidc.prepare(/^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '');
      user = authenticated = this.authenticate(req, url.pathname);
      user = impersonatedUser(req, user, (u, attrs) => this.authz.authorize(u, attrs).allowed);
      // RequestReceived once the user is known, before authorization (as upstream's WithAudit).
      audited = this.auditor?.begin(req, res, ri, authenticated, user === authenticated ? undefined : user);
      auditBegun = true;
      this.authorize(user, ri);
      if (
        ri.resourceRequest &&
        ri.verb === 'delete' &&
        ri.resource === 'namespaces' &&
        ri.group === '' &&
        !ri.subresource
      )
        protectSystemNamespaces(ri.name);
      const aggregated = this.aggregatedTarget(ri);
      if (aggregated) code = await proxyToApiService(this.store, aggregated, req, res, user, this.frontProxy);
      else if (ri.resourceRequest && this.metricsApi.serves(ri))
        code = await this.metricsApi.handle(req, res, ri, url.searchParams);
      else
        code = ri.resourceRequest
          ? await this.rest.handle(req, res, ri, url.searchParams, user)
          : await this.nonResource(req, res, ri);
    } catch (e) {
      code = sendError(res, e).code;
      if (!(e instanceof ApiError))
        this.opts.logger.error(
          { err: e, method: req.method, path: splitUrl(req.url ?? '/').pathname },
          'internal error serving a request',
        );
    } finally {
      recorded?.(code);
      // A request refused before its user was known is audited as who it claimed to be: nobody.
      if (ri && this.auditor && !auditBegun)
        audited = this.auditor.begin(req, res, ri, authenticated, user === authenticated ? undefined : user);
      audited?.complete(code, createdNames.get(req), auditAnnotations.get(req));
      if (this.audit && ri?.resourceRequest && AuditLog.isMutating(ri.verb)) {
        this.audit.record({
          user: user.name,
          groups: user.groups,
          verb: ri.verb,
          group: ri.group,
          resource: ri.resource,
          subresource: ri.subresource,
          namespace: ri.namespace,
          name: ri.name || (createdNames.get(req) ?? ''),
          code,
          uri: req.url ?? '',
          sourceIP: req.socket.remoteAddress ?? '',
        });
      }
    }
  }

  /** The backend of an aggregated group/version this request is for: its resources or its discovery document. */
  private aggregatedTarget(ri: RequestInfo): ApiServiceTarget | undefined {
    if (ri.resourceRequest) return ri.apiPrefix === 'apis' ? this.apiServices.target(ri.group, ri.version) : undefined;
    const parts = ri.path.split('/').filter(Boolean);
    return parts[0] === 'apis' && parts.length === 3
      ? this.apiServices.target(parts[1] ?? '', parts[2] ?? '')
      : undefined;
  }

  private async nonResource(req: IncomingMessage, res: ServerResponse, ri: RequestInfo): Promise<number> {
    const p = ri.path.replace(/\/+$/, '') || '/';
    if (p === '/metrics') {
      const { contentType, body } = await this.metrics.render();
      res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return 200;
    }
    if (HEALTH.has(p) || /^\/(livez|readyz|healthz)\//.test(p)) {
      const ok = this.ready;
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(ok ? 'ok' : 'not ready');
      return ok ? 200 : 503;
    }
    if (p === '/version') {
      send(res, 200, versionInfo(this.kubernetesVersion));
      return 200;
    }
    const agg = wantsAggregated(req.headers.accept);
    if (p === '/api' || p === '/apis') {
      if (agg) {
        const body = JSON.stringify(aggregatedDiscovery(this.registry, p === '/api', agg));
        res.writeHead(200, {
          'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`,
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
        return 200;
      }
      send(
        res,
        200,
        p === '/api'
          ? apiVersions(`${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? ''}`)
          : apiGroupList(this.registry),
      );
      return 200;
    }
    const parts = p.split('/').filter(Boolean);
    if (parts[0] === 'api' && parts.length === 2)
      return this.sendOr404(res, p, apiResourceList(this.registry, '', parts[1] ?? ''));
    if (parts[0] === 'apis' && parts.length === 2)
      return this.sendOr404(res, p, apiGroup(this.registry, parts[1] ?? ''));
    if (parts[0] === 'apis' && parts.length === 3)
      return this.sendOr404(res, p, apiResourceList(this.registry, parts[1] ?? '', parts[2] ?? ''));
    if (p === '/openapi/v2') return this.sendOpenApiV2(req, res);
    if (p === '/openapi/v3') {
      send(res, 200, this.openapi.index());
      return 200;
    }
    if (parts[0] === 'openapi' && parts[1] === 'v3') {
      const doc = this.openapi.document(parts.slice(2).join('/'));
      if (!doc) throw pathNotFound(p);
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(doc),
        'Cache-Control': 'public, immutable',
      });
      res.end(doc);
      return 200;
    }
    throw pathNotFound(p);
  }

  /** Swagger 2.0: gnostic protobuf to clients that ask for it (kubectl before 1.27), JSON otherwise. */
  private sendOpenApiV2(req: IncomingMessage, res: ServerResponse): number {
    const proto = (req.headers.accept ?? '').includes(GNOSTIC_V2_MEDIA_TYPE.split('@')[0]!);
    const etag = this.openapiV2.etag(proto ? 'protobuf' : 'json');
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag });
      res.end();
      return 304;
    }
    const body = proto ? Buffer.from(this.openapiV2.protobuf()) : Buffer.from(this.openapiV2.json());
    // Upstream answers the protobuf as octet-stream: the media type asked for is not valid MIME.
    res.writeHead(200, {
      'Content-Type': proto ? 'application/octet-stream' : 'application/json',
      'Content-Length': body.length,
      ETag: etag,
      Vary: 'Accept',
    });
    res.end(body);
    return 200;
  }

  private sendOr404(res: ServerResponse, path: string, body: unknown): number {
    if (body === undefined) throw pathNotFound(path);
    send(res, 200, body);
    return 200;
  }
}
