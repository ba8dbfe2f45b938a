// Where a running Wharf serves its APIs, written to DIR/endpoints.json by `wharf up` so that the
// other commands (`wharf image ...`) find it; credentials come from DIR/kubeconfig.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface Endpoints {
  apiServer: string;
  registry: string;
  /** host:port that image references use for the built-in registry. */
  registryHost: string;
  /** The built-in git server (`wharf up` with the platform). */
  git?: string;
  /** The registry as pods reach it (`wharf up --nodes`, plain HTTP): where pipeline steps push. */
  registryForPods?: string;
  /** The web console (loopback HTTP). */
  console?: string;
  /** The same console through the Ingress gateway, `http://console.localhost:<port>` (`wharf up --nodes`). */
  consoleByName?: string;
  /** The console over HTTPS for other hosts (--console-address), when asked for. */
  consoleHttps?: string;
}

export function writeEndpoints(dataDir: string, e: Endpoints): void {
  writeFileSync(join(dataDir, 'endpoints.json'), `${JSON.stringify(e, null, 2)}\n`);
}

/**
 * The port of the console the last `wharf up` of this data dir serves (DIR/endpoints.json), read
 * anew on each call: the Ingress gateway outlives `wharf up`, whose console may move to another
 * port. Undefined before the first start.
 */
export function consolePort(dataDir: string): number | undefined {
  try {
    const url = (JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as Endpoints).console;
    return url ? Number(new URL(url).port) || undefined : undefined;
  } catch {
    return undefined;
  }
}

/** The name browsers reach the console by through the Ingress gateway (`*.localhost` is loopback, RFC 6761). */
export const CONSOLE_HOST = 'console.localhost';

export function defaultDataDir(dir: string | undefined): string {
  return resolve(dir ?? join(homedir(), '.wharf'));
}

/** Endpoints, admin token and CA of the Wharf whose state is in `dataDir`. */
export function connection(dataDir: string): Endpoints & { token: string; ca: string } {
  const ep = join(dataDir, 'endpoints.json');
  const kc = join(dataDir, 'kubeconfig');
  if (!existsSync(ep) || !existsSync(kc))
    throw new Error(`no running Wharf found in ${dataDir}: start it with "wharf up --data-dir ${dataDir}"`);
  const endpoints = JSON.parse(readFileSync(ep, 'utf8')) as Endpoints;
  const config = parse(readFileSync(kc, 'utf8')) as { users?: { user?: { token?: string } }[] };
  return {
    ...endpoints,
    token: config.users?.[0]?.user?.token ?? '',
    ca: readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8'),
  };
}
