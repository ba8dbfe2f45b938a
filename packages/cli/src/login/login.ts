// `wharf login`: signs in at an OpenID provider (authorization code with PKCE in a browser, or
// the device flow), keeps the tokens in the user's cache and adds a kubeconfig user whose token
// comes from `wharf credential oidc`, so kubectl acts as the signed-in user.
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigPath } from '../kube/context.js';
import { cacheDirOf, writeLogin } from './cache.js';
import { authorizationCodeFlow, deviceFlow } from './flows.js';
import { discoverIssuer } from './issuer.js';
import { addExecUser } from './kubeconfig.js';

export interface LoginOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  certificateAuthority?: string;
  scope: string;
  device?: boolean;
  browser: boolean;
  listenPort: string;
  timeout: string;
  cacheDir?: string;
  kubeconfig?: string;
  user?: string;
  namespace?: string;
}

export async function login(o: LoginOptions): Promise<void> {
  const timeoutS = Number(o.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0)
    throw new Error(`--timeout must be a positive number of seconds, got "${o.timeout}"`);
  const listenPort = Number(o.listenPort);
  if (!Number.isInteger(listenPort) || listenPort < 0 || listenPort > 65535)
    throw new Error(`--listen-port must be a port number, got "${o.listenPort}"`);
  const scope = o.scope.split(/[\s,]+/).filter(Boolean);
  if (!scope.includes('openid')) scope.unshift('openid');
  const caFile = o.certificateAuthority ? realpathSync(o.certificateAuthority) : undefined;
  const issuer = {
    issuer: o.issuer,
    clientId: o.clientId,
    ...(o.clientSecret ? { clientSecret: o.clientSecret } : {}),
    ...(caFile ? { caFile } : {}),
  };
  const config = await discoverIssuer(issuer);
  const flow = {
    scope: scope.join(' '),
    say: (l: string) => void process.stderr.write(`${l}\n`),
    openBrowser: o.browser,
    timeoutMs: timeoutS * 1000,
    listenPort,
  };
  const tokens = o.device ? await deviceFlow(config, flow) : await authorizationCodeFlow(config, flow);
  if (!tokens.id_token) throw new Error(`${o.issuer} gave no ID token (is "openid" among the client's scopes?)`);
  const cacheDir = cacheDirOf(o.cacheDir);
  writeLogin(cacheDir, {
    ...issuer,
    idToken: tokens.id_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
  });
  const claims: Record<string, unknown> = tokens.claims() ?? {};
  const who =
    [claims.email, claims.preferred_username, claims.sub].find((v): v is string => typeof v === 'string' && v !== '') ??
    'user';
  const name = o.user ?? `oidc-${who}`;
  const file =
    kubeconfigPath(o.kubeconfig) ?? (process.env.KUBECONFIG?.split(':')[0] || join(homedir(), '.kube', 'config'));
  const cluster = addExecUser(file, {
    name,
    command: process.execPath,
    // The CLI's own script, absolute: kubectl may run with another PATH or working directory.
    args: [
      realpathSync(process.argv[1] ?? ''),
      'credential',
      'oidc',
      '--issuer',
      o.issuer,
      '--client-id',
      o.clientId,
      '--cache-dir',
      cacheDir,
    ],
    ...(o.namespace ? { namespace: o.namespace } : {}),
  });
  const refresh = tokens.refresh_token ? '' : ' (no refresh token: sign in again when it expires)';
  process.stdout.write(
    `signed in as ${who}; kubeconfig ${file}: context ${name} on cluster ${cluster} is current${refresh}\n`,
  );
}
