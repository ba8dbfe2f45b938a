// The API server's options, resolved once: every default applied here, so the server reads a
// fully resolved object and no `?? default` is repeated where an option is used.
import { withDefaults, type Resolved } from '@wharf/api';
import { pino, type Logger } from 'pino';
import { DEFAULT_TOLERATION_SECONDS } from './objects/admission-tolerations.js';
import type { ExternalSubresource } from './rest/subresources.js';
import type { OidcOptions } from './auth/oidc.js';
import type { AuditOptions } from './audit/options.js';
import type { LdapOptions } from './auth/ldap/options.js';

export interface ApiServerOptions {
  /** Directory for the database, PKI, keys, audit log and kubeconfig. */
  readonly dataDir: string;
  /** @default 6443 */
  readonly port?: number;
  /**
   * The Kubernetes version served ("1.31", "1.32.4"...; version-window.ts): /version and the API
   * versions served. @default the version the data dir last ran, else DEFAULT_MINOR
   */
  readonly kubernetesVersion?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * The loopback port clients reach the API at when it is not `port`: the load balancer in front of
   * several API servers (`wharf up --control-plane-members 3`). The cluster-info ConfigMap names it.
   * @default the port bound
   */
  readonly publicPort?: number;
  /**
   * Client URLs of the etcd members to keep objects in, as kube-apiserver's --etcd-servers.
   * @default none: the SQLite store in the data dir
   */
  readonly etcdServers?: readonly string[];
  /** Compaction keeps at least this many recent revisions. @default 10000 */
  readonly compactKeepRevisions?: number;
  /** Compaction keeps at least this much recent history (ms), as etcd's retention window. @default 300000 */
  readonly compactRetentionMs?: number;
  /** How often compaction runs. @default 60000 */
  readonly compactEveryMs?: number;
  /** Interval between watch bookmarks. @default 30000 */
  readonly bookmarkMs?: number;
  /**
   * A watch without timeoutSeconds ends after this long and the client resumes from its last
   * resourceVersion, as kube-apiserver's --min-request-timeout. @default 1800
   */
  readonly watchTimeoutSeconds?: number;
  /** Subresources served elsewhere (pod logs, exec: the node agents). */
  readonly externalSubresources?: Record<string, ExternalSubresource>;
  /**
   * tolerationSeconds of the not-ready and unreachable NoExecute tolerations every pod gets
   * (DefaultTolerationSeconds admission): how long pods stay on a failed node. @default 300
   */
  readonly defaultTolerationSeconds?: number;
  /** Mount the projected service-account token volume into new pods. @default true */
  readonly mountServiceAccountToken?: boolean;
  /** Bearer token the node agents require of the API server (logs, exec, proxy, metrics). @default none */
  readonly agentToken?: string;
  /** Accept OpenID Connect ID tokens (kube-apiserver's --oidc-* flags). @default none */
  readonly oidc?: OidcOptions;
  /**
   * Audit by an audit.k8s.io/v1 Policy (kube-apiserver's --audit-* flags). @default none: mutating requests at Metadata
   * in DIR/audit.log, one flat line each
   */
  readonly audit?: AuditOptions;
  /** Sign-in with an LDAP directory at POST /login/ldap, answering Wharf-issued tokens. @default none */
  readonly ldap?: LdapOptions;
  /**
   * On stop, how long the server answers /readyz with 503 while it still serves, before it stops
   * accepting: a load balancer in front of several API servers sees it leave and sends new
   * connections elsewhere first, as kube-apiserver's --shutdown-delay-duration. @default 0
   */
  readonly shutdownDelayMs?: number;
  /** Internal errors (500s) at error, secret re-encryption at info. @default silent */
  readonly logger?: Logger;
}

/**
 * Every option but agentToken (none: the agents accept any caller), oidc (none: no OIDC), audit (none: the flat log)
 * and ldap (none: no LDAP sign-in) is set.
 */
export type ResolvedApiServerOptions = Resolved<
  ApiServerOptions,
  Exclude<
    keyof ApiServerOptions,
    'agentToken' | 'oidc' | 'audit' | 'ldap' | 'kubernetesVersion' | 'etcdServers' | 'publicPort'
  >
>;

/** Writes nothing: the default for library users and tests that do not read the server's log. */
const silent = pino({ level: 'silent' });

export function resolveApiServerOptions(o: ApiServerOptions): ResolvedApiServerOptions {
  return withDefaults(
    {
      port: 6443,
      host: '127.0.0.1',
      compactKeepRevisions: 10_000,
      compactRetentionMs: 300_000,
      compactEveryMs: 60_000,
      bookmarkMs: 30_000,
      watchTimeoutSeconds: 1800,
      externalSubresources: {},
      defaultTolerationSeconds: DEFAULT_TOLERATION_SECONDS,
      mountServiceAccountToken: true,
      shutdownDelayMs: 0,
      logger: silent,
    },
    o,
  );
}
