// The issuer as openid-client sees it: discovery with the client's ID (and secret, for
// confidential clients), through the CA bundle when one is given.
import type { Configuration } from 'openid-client';
import { fetchWithCa } from './https-fetch.js';

export interface IssuerOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly caFile?: string;
}

export async function discoverIssuer(o: IssuerOptions): Promise<Configuration> {
  const client = await import('openid-client');
  let url: URL;
  try {
    url = new URL(o.issuer);
  } catch {
    throw new Error(`--issuer must be a URL, got "${o.issuer}"`);
  }
  const fetch = o.caFile ? fetchWithCa(o.caFile) : undefined;
  const auth = o.clientSecret ? client.ClientSecretBasic(o.clientSecret) : client.None();
  let config: Configuration;
  try {
    config = await client.discovery(
      url,
      o.clientId,
      undefined,
      auth,
      fetch ? { [client.customFetch]: fetch } : undefined,
    );
  } catch (e) {
    throw new Error(`cannot read the discovery document of ${o.issuer}: ${describe(e)}`);
  }
  if (fetch) config[client.customFetch] = fetch;
  return config;
}

/** openid-client's errors carry the OAuth error and its description, and the network cause. */
export function describe(e: unknown): string {
  const err = e as {
    message?: string;
    error?: string;
    error_description?: string;
    cause?: { message?: string; error?: string; error_description?: string };
  };
  const oauth = err.error ?? err.cause?.error;
  const desc = err.error_description ?? err.cause?.error_description;
  if (oauth) return `${oauth}${desc ? `: ${desc}` : ''}`;
  return [err.message, err.cause?.message].filter(Boolean).join(': ') || String(e);
}
