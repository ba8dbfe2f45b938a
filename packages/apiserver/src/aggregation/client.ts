// HTTPS to an aggregated API server: the Service's serving certificate is checked against the
// APIService's caBundle and the name <service>.<namespace>.svc, as kube-aggregator does, unless
// the APIService says insecureSkipTLSVerify. The API server presents the front proxy's client
// certificate, so the backend can tell its X-Remote-* headers from anyone else's.
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { ServiceRef } from './endpoint.js';

/** One aggregated group/version: where its requests go and how the backend is trusted. */
export interface ApiServiceTarget {
  /** The APIService's name, `<version>.<group>`. */
  readonly name: string;
  readonly group: string;
  readonly version: string;
  readonly service: ServiceRef;
  /** PEM of the CA that signed the backend's serving certificate (spec.caBundle). */
  readonly ca: string | undefined;
  readonly insecureSkipTLSVerify: boolean;
}

/** The client certificate and key the API server proxies with (CN front-proxy-client). */
export interface ProxyIdentity {
  readonly cert: string;
  readonly key: string;
}

/** Connection options for a request to `target` at host:port. */
export function backendOptions(
  target: ApiServiceTarget,
  host: string,
  port: number,
  identity: ProxyIdentity,
): RequestOptions {
  return {
    host,
    port,
    cert: identity.cert,
    key: identity.key,
    servername: `${target.service.name}.${target.service.namespace}.svc`,
    ...(target.ca ? { ca: target.ca } : {}),
    rejectUnauthorized: !target.insecureSkipTLSVerify,
  };
}

/**
 * GET `path` from the backend as kube-aggregator's availability check does: on the front-proxy connection, as
 * `system:kube-aggregator` in `system:masters` (a backend with delegated authentication refuses a request that
 * names no user). Resolves with status and body, rejects on network or TLS errors.
 */
export function getFromBackend(
  target: ApiServiceTarget,
  host: string,
  port: number,
  identity: ProxyIdentity,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...backendOptions(target, host, port, identity),
        method: 'GET',
        path,
        headers: {
          accept: 'application/json',
          'x-remote-user': 'system:kube-aggregator',
          'x-remote-group': 'system:masters',
        },
        timeout: timeoutMs,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
