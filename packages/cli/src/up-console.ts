// The web console as `wharf up` serves it: on loopback, --console-port (8070). The default port may
// be taken (another Wharf on this machine): then any free port, said in a warning; a port asked for
// explicitly must be free. The app not built is a warning, not a failed start. With
// --console-address, also over HTTPS there (--console-https-port, 8071) with a certificate of the
// cluster CA for this host's name and addresses, for browsers on other hosts.
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, type Logger } from '@wharf/client';
import type { AlertmanagerUrl } from './console/alertmanager.js';
import type { ConsoleOidcOptions } from './console/oidc.js';
import { serveConsole, type ConsoleServer, type ConsoleTls } from './console/serve.js';
import { ensureServingCert } from './node-serving.js';
import type { ApiTarget } from './console/proxy.js';
import type { UpConfig } from './up-options.js';

export interface UpConsoleTargets {
  readonly api: ApiTarget;
  /** The built-in registry (the Images page). */
  readonly registry: ApiTarget;
  /** Silences on the Monitoring page. */
  readonly alertmanager: AlertmanagerUrl;
  /** This Wharf's data dir: the upgrade plan on the Cluster page reads its store and audit log. */
  readonly dataDir: string;
  /** The issuer the API server trusts: the console's sign-in page offers it. */
  readonly oidc: ConsoleOidcOptions | undefined;
  /** Shared with the API server: failed directory sign-ins count per browser (LdapOptions.consoleProof). */
  readonly ldapProof: string | undefined;
  /** The console through the Ingress gateway (`http://console.localhost:PORT`), when there is one. */
  readonly servedAt: readonly string[];
}

export async function startUpConsole(c: UpConfig, to: UpConsoleTargets, log: Logger): Promise<ConsoleServer> {
  const logger = log.child({ component: 'console' });
  let served: ConsoleServer;
  const tls = c.consoleHttps ? await consoleTls(to.dataDir, c.consoleHttps) : undefined;
  try {
    served = await serveConsole({ port: c.consolePort, ...to, tls });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' || c.consolePortGiven)
      throw new Error(`console: ${code ? `port ${c.consolePort}: ` : ''}${(e as Error).message}`);
    logger.warn(
      { port: c.consolePort },
      'the default console port is taken: serving the console on another free port (pass --console-port to choose)',
    );
    served = await serveConsole({ port: 0, ...to, tls });
  }
  if (!served.built) logger.warn('the console is not built (packages/console/dist): run "npm run build"');
  return served;
}

/**
 * The HTTPS listener's certificate: for the address asked for (every interface's for 0.0.0.0 or ::), this host's
 * name, and loopback; the first name is the one `wharf up` prints.
 */
async function consoleTls(dataDir: string, at: { address: string; port: number }): Promise<ConsoleTls> {
  const wildcard = at.address === '0.0.0.0' || at.address === '::';
  const interfaces = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => at.address === '::' || i.family === 'IPv4')
    .map((i) => i.address);
  const ips = [...new Set([...(wildcard ? interfaces : [at.address]), '127.0.0.1'])];
  const dns = [...new Set([hostname(), 'localhost'])];
  const pki = join(dataDir, 'pki');
  const cert = await ensureServingCert({
    pkiDir: pki,
    dir: pki,
    name: 'console',
    subject: 'CN=wharf-console',
    altNames: { ips, dns },
  });
  return {
    address: at.address,
    port: at.port,
    cert: cert.cert,
    key: cert.key,
    hosts: wildcard ? [...dns, ...ips] : [...ips, ...dns],
  };
}

/**
 * Where Alertmanager answers: --alertmanager-url, else the `alertmanager` Service of the monitoring
 * stack `wharf up --nodes` runs in pods (its cluster IP, which this host reaches), else none.
 */
export function upAlertmanager(c: UpConfig, kc: KubeConfig, inPods: boolean): AlertmanagerUrl {
  const given = c.monitoring?.alertmanagerUrl;
  if (given) return () => Promise.resolve(given);
  if (!c.monitoring || c.monitoring.prometheusUrl || !inPods) return () => Promise.resolve(undefined);
  let found: string | undefined;
  return async () => {
    found ??= await new KubeClient(kc)
      .getOptional<{ spec?: { clusterIP?: string } }>('/api/v1/namespaces/wharf-monitoring/services/alertmanager')
      .then(
        (s) => (s?.spec?.clusterIP ? `http://${s.spec.clusterIP}:9093` : undefined),
        () => undefined,
      );
    return found;
  };
}

/** The API group and resource RBAC names registry repositories by (no such API serves them). */
export const REGISTRY_RBAC = { apiGroup: 'registry.wharf.dev', resource: 'repositories' } as const;

/**
 * The RBAC question "may this user delete from this repository": the registry asks it of the authorizer, the console's
 * Images page as a SelfSubjectAccessReview.
 */
export function registryDelete(repository: string | undefined) {
  return {
    verb: 'delete',
    ...REGISTRY_RBAC,
    subresource: '',
    name: repository ?? '',
    namespace: '',
    resourceRequest: true,
    path: '',
  };
}
