// The flags of `wharf up`, resolved once: each parsed and checked before anything starts (a bad
// one is a one-line error and exit 1), defaults applied here, so up() reads a resolved config.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkLogLevel, chooseLogFormat, type LogFormat } from './log.js';

/** The flags as commander hands them over (strings). */
export interface UpOptions {
  dataDir?: string;
  apiPort?: string;
  nodes?: string;
  runtime?: string;
  compactInterval?: string;
  compactKeep?: string;
  compactRetention?: string;
  watchTimeout?: string;
  registryPort?: string;
  ingressPort?: string;
  defaultTolerationSeconds?: string;
  nodeMonitorGracePeriod?: string;
  nodeEvictionRate?: string;
  ingressHttpsPort?: string;
  simulatedNodes?: string;
  registryAnonymousPull?: boolean;
  logFormat?: string;
  logLevel?: string;
  /** false with --no-platform. */
  platform?: boolean;
  artifactDelivery?: string;
  oidcIssuerUrl?: string;
  oidcClientId?: string;
  oidcUsernameClaim?: string;
  oidcUsernamePrefix?: string;
  oidcGroupsClaim?: string;
  oidcGroupsPrefix?: string;
  oidcCaFile?: string;
}

/** The API server's OIDC settings, as kube-apiserver's --oidc-* flags. */
export interface OidcConfig {
  readonly issuerURL: string;
  readonly clientID: string;
  readonly usernameClaim?: string;
  readonly usernamePrefix?: string;
  readonly groupsClaim?: string;
  readonly groupsPrefix?: string;
  readonly caFile?: string;
}

export interface UpConfig {
  readonly dataDir: string;
  readonly apiPort: number;
  readonly registryPort: number;
  readonly ingressPort: number;
  readonly ingressHttpsPort: number;
  readonly nodes: number;
  /** The --runtime flag as given; chooseRuntime decides. */
  readonly runtime: string | undefined;
  readonly simulatedNodes: number;
  readonly registryAnonymousPull: boolean;
  readonly logFormat: LogFormat;
  readonly logLevel: string;
  /** Install the platform CRDs and run its controllers in this process. */
  readonly platform: boolean;
  readonly artifactDelivery: 'auto' | 'imageVolume' | 'initCopy';
  /** Undefined: the component's own default applies. */
  readonly compactEveryMs: number | undefined;
  readonly compactKeepRevisions: number | undefined;
  readonly compactRetentionMs: number | undefined;
  readonly watchTimeoutSeconds: number | undefined;
  readonly defaultTolerationSeconds: number | undefined;
  readonly nodeMonitorGracePeriodSeconds: number | undefined;
  readonly nodeEvictionRate: number | undefined;
  /** Set with --oidc-issuer-url: ID tokens of that issuer are accepted. */
  readonly oidc: OidcConfig | undefined;
}

function optionalInteger(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, got "${v}"`);
  return n;
}

function portOf(flag: string, v: string | undefined, fallback: number): number {
  const n = optionalInteger(flag, v) ?? fallback;
  if (n > 65535) throw new Error(`${flag} must be a port number (0-65535), got "${v}"`);
  return n;
}

export function resolveUpOptions(o: UpOptions, stdoutIsTTY: boolean): UpConfig {
  const rate = o.nodeEvictionRate !== undefined ? Number(o.nodeEvictionRate) : undefined;
  if (rate !== undefined && !(rate >= 0 && Number.isFinite(rate))) throw new Error(`--node-eviction-rate must be a non-negative number, got "${o.nodeEvictionRate}"`);
  return {
    dataDir: resolve(o.dataDir ?? join(homedir(), '.wharf')),
    apiPort: portOf('--api-port', o.apiPort, 6443),
    registryPort: portOf('--registry-port', o.registryPort, 5000),
    ingressPort: portOf('--ingress-port', o.ingressPort, 8080),
    ingressHttpsPort: portOf('--ingress-https-port', o.ingressHttpsPort, 8443),
    nodes: optionalInteger('--nodes', o.nodes) ?? 0,
    runtime: o.runtime,
    simulatedNodes: optionalInteger('--simulated-nodes', o.simulatedNodes) ?? 0,
    registryAnonymousPull: o.registryAnonymousPull === true,
    logFormat: chooseLogFormat(o.logFormat, stdoutIsTTY),
    logLevel: checkLogLevel(o.logLevel),
    platform: o.platform !== false,
    artifactDelivery: artifactDeliveryOption(o.artifactDelivery),
    compactEveryMs: optionalInteger('--compact-interval', o.compactInterval),
    compactKeepRevisions: optionalInteger('--compact-keep', o.compactKeep),
    compactRetentionMs: optionalInteger('--compact-retention', o.compactRetention),
    // 0: no limit asked for, so the API server's default applies.
    watchTimeoutSeconds: optionalInteger('--watch-timeout', o.watchTimeout) || undefined,
    defaultTolerationSeconds: optionalInteger('--default-toleration-seconds', o.defaultTolerationSeconds),
    nodeMonitorGracePeriodSeconds: optionalInteger('--node-monitor-grace-period', o.nodeMonitorGracePeriod),
    nodeEvictionRate: rate,
    oidc: oidcOptions(o),
  };
}

function oidcOptions(o: UpOptions): OidcConfig | undefined {
  const others = [o.oidcClientId, o.oidcUsernameClaim, o.oidcUsernamePrefix, o.oidcGroupsClaim, o.oidcGroupsPrefix, o.oidcCaFile];
  if (!o.oidcIssuerUrl) {
    if (others.some((v) => v !== undefined)) throw new Error('the --oidc-* flags need --oidc-issuer-url');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(o.oidcIssuerUrl);
  } catch {
    throw new Error(`--oidc-issuer-url must be a URL, got "${o.oidcIssuerUrl}"`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))) {
    throw new Error(`--oidc-issuer-url must be an https URL (http only on loopback), got "${o.oidcIssuerUrl}"`);
  }
  if (!o.oidcClientId) throw new Error('--oidc-client-id is required with --oidc-issuer-url');
  return {
    issuerURL: o.oidcIssuerUrl, clientID: o.oidcClientId,
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
