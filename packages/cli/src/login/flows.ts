// The two ways `wharf login` gets tokens. The authorization-code flow with PKCE (RFC 7636) sends
// the browser to the issuer and takes the answer on a loopback redirect (RFC 8252: a native app
// listens on 127.0.0.1 for one request); the device flow (RFC 8628) shows a code to type on any
// other machine's browser and polls the token endpoint, for hosts without one.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, TokenEndpointResponse, TokenEndpointResponseHelpers } from 'openid-client';

type Tokens = TokenEndpointResponse & TokenEndpointResponseHelpers;
import { describe } from './issuer.js';

export interface FlowOptions {
  /** Space-separated scopes. */
  readonly scope: string;
  /** Where to tell the user what to do (stderr: stdout stays for scripts). */
  readonly say: (line: string) => void;
  /** Try to open the URL in a browser (xdg-open) as well as printing it. */
  readonly openBrowser: boolean;
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Loopback port of the redirect; 0 for any free one. */
  readonly listenPort: number;
}

export async function authorizationCodeFlow(config: Configuration, o: FlowOptions): Promise<Tokens> {
  const client = await import('openid-client');
  const verifier = client.randomPKCECodeVerifier();
  const challenge = await client.calculatePKCECodeChallenge(verifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  let answer: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  const callback = new Promise<URL>((resolve, reject) => {
    answer = (req, res) => {
      const url = new URL(req.url ?? '/', redirectBase);
      if (url.pathname !== '/callback') {
        res.writeHead(404).end();
        return;
      }
      const error = url.searchParams.get('error');
      res.writeHead(error ? 400 : 200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        error ? `Sign-in failed: ${error}. You may close this tab.\n` : 'Signed in to Wharf. You may close this tab.\n',
      );
      if (error)
        reject(
          new Error(
            `the issuer refused the sign-in: ${error}${url.searchParams.get('error_description') ? `: ${url.searchParams.get('error_description')}` : ''}`,
          ),
        );
      else resolve(url);
    };
  });
  const server = createServer((req, res) => answer(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(new Error(`cannot listen on 127.0.0.1:${o.listenPort} for the sign-in redirect: ${e.message}`)),
    );
    server.listen(o.listenPort, '127.0.0.1', () => resolve());
  });
  const redirectBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const redirectUri = `${redirectBase}/callback`;
  try {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: o.scope,
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      // Refresh tokens need consent with offline_access at most issuers.
      ...(o.scope.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}),
    });
    o.say(`Open this URL in a browser to sign in:\n${url.href}`);
    if (o.openBrowser) openInBrowser(url.href);
    const back = await withTimeout(callback, o.timeoutMs, 'the sign-in');
    try {
      return await client.authorizationCodeGrant(config, back, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      throw new Error(`the issuer did not give tokens for the sign-in: ${describe(e)}`);
    }
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

export async function deviceFlow(config: Configuration, o: FlowOptions): Promise<Tokens> {
  const client = await import('openid-client');
  let start;
  try {
    start = await client.initiateDeviceAuthorization(config, { scope: o.scope });
  } catch (e) {
    throw new Error(`the issuer refused the device flow: ${describe(e)}`);
  }
  o.say(`To sign in, visit ${start.verification_uri} and enter the code ${start.user_code}`);
  if (start.verification_uri_complete) o.say(`or open ${start.verification_uri_complete}`);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), o.timeoutMs);
  try {
    return await client.pollDeviceAuthorizationGrant(config, start, undefined, { signal: controller.signal });
  } catch (e) {
    if (controller.signal.aborted) throw new Error(`the sign-in did not finish in ${Math.round(o.timeoutMs / 1000)} s`);
    throw new Error(`the device sign-in failed: ${describe(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

function openInBrowser(url: string): void {
  // Best effort: a desktop session has xdg-open; elsewhere the printed URL is enough.
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  const child = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
