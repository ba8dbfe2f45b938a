// The flags of `wharf up`, resolved once: each parsed and checked before anything starts (a bad
// one is a one-line error and exit 1), defaults applied here, so up() reads a resolved config.
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  checkLdapOptions,
  checkOidcOptions,
  type AuditOptions,
  type LdapOptions,
  type OidcOptions,
} from '@wharf/apiserver';
import { optionalInteger, portOf, positiveInteger } from './int-options.js';
import { checkLogLevel, chooseLogFormat, type LogFormat } from './log.js';

/** The flags as commander hands them over (strings). */
export interface UpOptions {
  dataDir?: string;
  apiPort?: string;
  nodes?: string;
  nodeProcesses?: boolean;
  runtime?: string;
  compactInterval?: string;
  compactKeep?: string;
  compactRetention?: string;
  watchTimeout?: string;
  registryPort?: string;
  ingressPort?: string;
  defaultTolerationSeconds?: string;
  nodeMonitorGracePeriod?: string;
  nodeMonitorPeriod?: string;
  horizontalPodAutoscalerSyncPeriod?: string;
  nodeEvictionRate?: string;
  podGcQuarantine?: string;
  ingressHttpsPort?: string;
  simulatedNodes?: string;
  registryAnonymousPull?: boolean;
  logFormat?: string;
  logLevel?: string;
  /** false with --no-platform. */
  platform?: boolean;
  artifactDelivery?: string;
  /** false with --no-monitoring. */
  monitoring?: boolean;
  prometheusUrl?: string;
  alertmanagerUrl?: string;
  alertmanagerConfig?: string;
  alertFor?: string;
  scrapeInterval?: string;
  retention?: string;
  oidcIssuerUrl?: string;
  oidcClientId?: string;
  oidcUsernameClaim?: string;
  oidcUsernamePrefix?: string;
  oidcGroupsClaim?: string;
  oidcGroupsPrefix?: string;
  oidcCaFile?: string;
  ldapUrl?: string;
  ldapUserDnTemplate?: string;
  ldapGroupSearchBase?: string;
  ldapGroupFilter?: string;
  ldapGroupNameAttribute?: string;
  ldapStartTls?: boolean;
  ldapCaFile?: string;
  ldapGroupsPrefix?: string;
  ldapTokenTtl?: string;
  auditPolicyFile?: string;
  auditLogPath?: string;
  auditLogMaxsize?: string;
  auditLogMaxbackup?: string;
  auditWebhookConfigFile?: string;
  auditWebhookBatchMaxSize?: string;
  auditWebhookBatchMaxWait?: string;
  gitPort?: string;
  consolePort?: string;
  consoleAddress?: string;
  consoleHttpsPort?: string;
  maxConcurrentBuilds?: string;
  store?: string;
  etcdServers?: string;
  controlPlaneMembers?: string;
}

/** The API server's OIDC settings, as kube-apiserver's --oidc-* flags. */
export type OidcConfig = OidcOptions;

export interface UpConfig {
  readonly dataDir: string;
  readonly apiPort: number;
  readonly registryPort: number;
  readonly ingressPort: number;
  readonly ingressHttpsPort: number;
  readonly nodes: number;
  /** Run each node agent as a `wharf agent` process of its own, supervised (the default; --no-node-processes). */
  readonly nodeProcesses: boolean;
  /** The --runtime flag as given; chooseRuntime decides. */
  readonly runtime: string | undefined;
  readonly simulatedNodes: number;
  readonly registryAnonymousPull: boolean;
  readonly logFormat: LogFormat;
  readonly logLevel: string;
  /** Install the platform CRDs and run its controllers in this process. */
  readonly platform: boolean;
  readonly artifactDelivery: 'auto' | 'imageVolume' | 'initCopy';
  /** The git server's port; `gitPortGiven` false: the default, another port if it is taken. */
  readonly gitPort: number;
  readonly gitPortGiven: boolean;
  readonly maxConcurrentBuilds: number;
  /** The web console's loopback port; `consolePortGiven` false: the default, another port if it is taken. */
  readonly consolePort: number;
  readonly consolePortGiven: boolean;
  /** Where the console is also served over HTTPS (--console-address, --console-https-port); undefined: not. */
  readonly consoleHttps: { readonly address: string; readonly port: number } | undefined;
  /** Run kube-state-metrics, the monitoring operator and its service discovery in this process. */
  readonly monitoring: MonitoringConfig | undefined;
  /** Undefined: the component's own default applies. */
  readonly compactEveryMs: number | undefined;
  readonly compactKeepRevisions: number | undefined;
  readonly compactRetentionMs: number | undefined;
  readonly watchTimeoutSeconds: number | undefined;
  readonly defaultTolerationSeconds: number | undefined;
  readonly nodeMonitorGracePeriodSeconds: number | undefined;
  readonly nodeMonitorPeriodSeconds: number;
  readonly hpaSyncPeriodSeconds: number;
  readonly nodeEvictionRate: number | undefined;
  readonly podGcQuarantineSeconds: number | undefined;
  /** Set with --oidc-issuer-url: ID tokens of that issuer are accepted. */
  readonly oidc: OidcConfig | undefined;
  /** Set with --audit-policy-file: requests are audited by that Policy. */
  readonly audit: AuditOptions | undefined;
  /** Set with --ldap-url: POST /login/ldap signs users in against that directory. */
  readonly ldap: LdapOptions | undefined;
  /** The store chosen with --store or implied by --etcd-servers; undefined: as the data dir last ran. */
  readonly store: StoreConfig | undefined;
  /** --control-plane-members (1 or 3); undefined: as the data dir last ran. */
  readonly controlPlaneMembers: number | undefined;
}

/** Where the API server keeps objects: SQLite in the data dir, or etcd (servers given, or a member Wharf runs). */
export type StoreConfig = { readonly kind: 'sqlite' } | { readonly kind: 'etcd'; readonly servers: readonly string[] };

export function resolveUpOptions(o: UpOptions, stdoutIsTTY: boolean): UpConfig {
  const rate = o.nodeEvictionRate !== undefined ? Number(o.nodeEvictionRate) : undefined;
  if (rate !== undefined && !(rate >= 0 && Number.isFinite(rate)))
    throw new Error(`--node-eviction-rate must be a non-negative number, got "${o.nodeEvictionRate}"`);
  return {
    dataDir: resolve(o.dataDir ?? join(homedir(), '.wharf')),
    apiPort: portOf('--api-port', o.apiPort, 6443),
    registryPort: portOf('--registry-port', o.registryPort, 5000),
    ingressPort: portOf('--ingress-port', o.ingressPort, 8080),
    ingressHttpsPort: portOf('--ingress-https-port', o.ingressHttpsPort, 8443),
    nodes: optionalInteger('--nodes', o.nodes) ?? 0,
    nodeProcesses: o.nodeProcesses !== false,
    runtime: o.runtime,
    simulatedNodes: optionalInteger('--simulated-nodes', o.simulatedNodes) ?? 0,
    registryAnonymousPull: o.registryAnonymousPull === true,
    logFormat: chooseLogFormat(o.logFormat, stdoutIsTTY),
    logLevel: checkLogLevel(o.logLevel),
    platform: o.platform !== false,
    artifactDelivery: artifactDeliveryOption(o.artifactDelivery),
    gitPort: portOf('--git-port', o.gitPort, 8090),
    gitPortGiven: o.gitPort !== undefined && o.gitPort !== '8090',
    consolePort: portOf('--console-port', o.consolePort, 8070),
    consolePortGiven: o.consolePort !== undefined && o.consolePort !== '8070',
    consoleHttps: consoleHttpsOption(o.consoleAddress, o.consoleHttpsPort),
    maxConcurrentBuilds: positiveInteger('--max-concurrent-builds', o.maxConcurrentBuilds, 2),
    monitoring: monitoringOptions(o),
    compactEveryMs: optionalInteger('--compact-interval', o.compactInterval),
    compactKeepRevisions: optionalInteger('--compact-keep', o.compactKeep),
    compactRetentionMs: optionalInteger('--compact-retention', o.compactRetention),
    // 0: no limit asked for, so the API server's default applies.
    watchTimeoutSeconds: optionalInteger('--watch-timeout', o.watchTimeout) || undefined,
    defaultTolerationSeconds: optionalInteger('--default-toleration-seconds', o.defaultTolerationSeconds),
    nodeMonitorGracePeriodSeconds: optionalInteger('--node-monitor-grace-period', o.nodeMonitorGracePeriod),
    nodeMonitorPeriodSeconds: positiveInteger('--node-monitor-period', o.nodeMonitorPeriod, 5),
    hpaSyncPeriodSeconds: positiveInteger(
      '--horizontal-pod-autoscaler-sync-period',
      o.horizontalPodAutoscalerSyncPeriod,
      15,
    ),
    nodeEvictionRate: rate,
    podGcQuarantineSeconds: optionalInteger('--pod-gc-quarantine', o.podGcQuarantine),
    oidc: oidcOptions(o),
    audit: auditOptions(o),
    ldap: ldapOptions(o),
    store: storeOptions(o),
    controlPlaneMembers: optionalInteger('--control-plane-members', o.controlPlaneMembers),
  };
}

function storeOptions(o: UpOptions): StoreConfig | undefined {
  if (o.store !== undefined && o.store !== 'sqlite' && o.store !== 'etcd')
    throw new Error(`--store must be sqlite or etcd, got "${o.store}"`);
  const servers = (o.etcdServers ?? '').split(',').filter((s) => s !== '');
  for (const s of servers) urlOption('--etcd-servers', s);
  if (o.store === 'sqlite' && servers.length) throw new Error('--etcd-servers needs --store etcd');
  if (o.store === 'sqlite') return { kind: 'sqlite' };
  return o.store === 'etcd' || servers.length ? { kind: 'etcd', servers } : undefined;
}

function ldapOptions(o: UpOptions): LdapOptions | undefined {
  const others = [
    o.ldapUserDnTemplate,
    o.ldapGroupSearchBase,
    o.ldapGroupFilter,
    o.ldapGroupNameAttribute,
    o.ldapStartTls,
    o.ldapCaFile,
    o.ldapGroupsPrefix,
    o.ldapTokenTtl,
  ];
  if (!o.ldapUrl) {
    if (others.some((v) => v !== undefined)) throw new Error('the --ldap-* flags need --ldap-url');
    return undefined;
  }
  if (!o.ldapUserDnTemplate)
    throw new Error(
      '--ldap-user-dn-template is required with --ldap-url (e.g. uid={username},ou=people,dc=example,dc=org)',
    );
  const ldap: LdapOptions = {
    url: o.ldapUrl,
    userDNTemplate: o.ldapUserDnTemplate,
    groupSearchBase: o.ldapGroupSearchBase ?? '',
    ...(o.ldapGroupFilter ? { groupFilter: o.ldapGroupFilter } : {}),
    ...(o.ldapGroupNameAttribute ? { groupNameAttribute: o.ldapGroupNameAttribute } : {}),
    ...(o.ldapStartTls ? { startTLS: true } : {}),
    ...(o.ldapCaFile ? { caFile: resolve(o.ldapCaFile) } : {}),
    ...(o.ldapGroupsPrefix !== undefined ? { groupsPrefix: o.ldapGroupsPrefix } : {}),
    ...(o.ldapTokenTtl !== undefined
      ? { tokenTtlSeconds: positiveInteger('--ldap-token-ttl', o.ldapTokenTtl, 28_800) }
      : {}),
  };
  checkLdapOptions(ldap);
  return ldap;
}

function auditOptions(o: UpOptions): AuditOptions | undefined {
  const others = [
    o.auditLogPath,
    o.auditLogMaxsize,
    o.auditLogMaxbackup,
    o.auditWebhookConfigFile,
    o.auditWebhookBatchMaxSize,
    o.auditWebhookBatchMaxWait,
  ];
  if (!o.auditPolicyFile) {
    if (others.some((v) => v !== undefined)) throw new Error('the --audit-* flags need --audit-policy-file');
    return undefined;
  }
  const waitS = optionalInteger('--audit-webhook-batch-max-wait', o.auditWebhookBatchMaxWait);
  return {
    policyFile: resolve(o.auditPolicyFile),
    ...(o.auditLogPath ? { logPath: o.auditLogPath === '-' ? '-' : resolve(o.auditLogPath) } : {}),
    ...(o.auditLogMaxsize !== undefined
      ? { logMaxSizeMB: optionalInteger('--audit-log-maxsize', o.auditLogMaxsize) }
      : {}),
    ...(o.auditLogMaxbackup !== undefined
      ? { logMaxBackups: optionalInteger('--audit-log-maxbackup', o.auditLogMaxbackup) }
      : {}),
    ...(o.auditWebhookConfigFile ? { webhookConfigFile: resolve(o.auditWebhookConfigFile) } : {}),
    ...(o.auditWebhookBatchMaxSize !== undefined
      ? { webhookBatchMaxSize: positiveInteger('--audit-webhook-batch-max-size', o.auditWebhookBatchMaxSize, 400) }
      : {}),
    ...(waitS !== undefined ? { webhookBatchMaxWaitMs: waitS * 1000 } : {}),
  };
}

function oidcOptions(o: UpOptions): OidcConfig | undefined {
  const others = [
    o.oidcClientId,
    o.oidcUsernameClaim,
    o.oidcUsernamePrefix,
    o.oidcGroupsClaim,
    o.oidcGroupsPrefix,
    o.oidcCaFile,
  ];
  if (!o.oidcIssuerUrl) {
    if (others.some((v) => v !== undefined)) throw new Error('the --oidc-* flags need --oidc-issuer-url');
    return undefined;
  }
  checkOidcOptions({ issuerURL: o.oidcIssuerUrl, clientID: o.oidcClientId ?? '' });
  return {
    issuerURL: o.oidcIssuerUrl,
    clientID: o.oidcClientId ?? '',
    ...(o.oidcUsernameClaim ? { usernameClaim: o.oidcUsernameClaim } : {}),
    ...(o.oidcUsernamePrefix !== undefined ? { usernamePrefix: o.oidcUsernamePrefix } : {}),
    ...(o.oidcGroupsClaim ? { groupsClaim: o.oidcGroupsClaim } : {}),
    ...(o.oidcGroupsPrefix !== undefined ? { groupsPrefix: o.oidcGroupsPrefix } : {}),
    ...(o.oidcCaFile ? { caFile: resolve(o.oidcCaFile) } : {}),
  };
}

/** `--artifact-delivery auto|image-volume|init-copy` as the platform's option. */
export function artifactDeliveryOption(v: string | undefined): 'auto' | 'imageVolume' | 'initCopy' {
  const map = { auto: 'auto', 'image-volume': 'imageVolume', 'init-copy': 'initCopy' } as const;
  const got = map[(v ?? 'auto') as keyof typeof map];
  if (!got) throw new Error(`--artifact-delivery must be auto, image-volume or init-copy, got "${v}"`);
  return got;
}

export interface MonitoringConfig {
  readonly prometheusUrl: string | undefined;
  readonly alertmanagerUrl: string | undefined;
  readonly alertmanagerConfigFile: string | undefined;
  readonly alertFor: string | undefined;
  readonly scrapeInterval: string;
  /** How long Prometheus keeps samples. */
  readonly retention: string;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

function urlOption(flag: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return v;
  } catch {
    // reported below
  }
  throw new Error(`${flag} must be an http(s) URL, got "${v}"`);
}

function durationOption(flag: string, v: string | undefined): string | undefined {
  if (v !== undefined && !DURATION.test(v))
    throw new Error(`${flag} must be a Prometheus duration such as 30s or 5m, got "${v}"`);
  return v;
}

/** The monitoring flags; undefined with --no-monitoring. */
export function monitoringOptions(o: UpOptions): MonitoringConfig | undefined {
  if (o.monitoring === false) return undefined;
  return {
    prometheusUrl: urlOption('--prometheus-url', o.prometheusUrl),
    alertmanagerUrl: urlOption('--alertmanager-url', o.alertmanagerUrl),
    alertmanagerConfigFile: o.alertmanagerConfig ? resolve(o.alertmanagerConfig) : undefined,
    alertFor: durationOption('--alert-for', o.alertFor),
    scrapeInterval: durationOption('--scrape-interval', o.scrapeInterval) ?? '30s',
    retention: durationOption('--retention', o.retention) ?? '15d',
  };
}

/** --console-address as an IP address (a name would need resolving and could change), with its HTTPS port. */
function consoleHttpsOption(
  address: string | undefined,
  port: string | undefined,
): { address: string; port: number } | undefined {
  if (address === undefined) return undefined;
  if (isIP(address) === 0) throw new Error(`--console-address must be an IP address, got "${address}"`);
  return { address, port: portOf('--console-https-port', port, 8071) };
}
