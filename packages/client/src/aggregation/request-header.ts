// The requestheader authenticator of an aggregated API server, as k8s.io/apiserver's is: the
// API server proxies a caller's request with the front proxy's client certificate and names the
// caller in X-Remote-User / X-Remote-Group. A backend takes those headers only on a TLS connection
// whose client certificate chains to the requestheader CA and whose common name is allowed; any
// other request is anonymous (refused). The settings come from the ConfigMap
// kube-system/extension-apiserver-authentication, which every Kubernetes API server publishes.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { KubeClient } from '../client.js';

export const AUTHENTICATION_CONFIGMAP_PATH =
  '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication';

/** Who the front proxy says is asking. */
export interface RemoteUser {
  readonly name: string;
  readonly groups: readonly string[];
}

export interface RequestHeaderConfig {
  /** PEM of the CA the front proxy's client certificate must chain to. */
  readonly clientCa: string;
  /** Allowed common names; empty allows any certificate the CA signed. */
  readonly allowedNames: readonly string[];
  readonly usernameHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
}

const list = (raw: string | undefined, fallback: string[]): string[] => {
  if (!raw) return fallback;
  const parsed = JSON.parse(raw) as unknown;
  return Array.isArray(parsed) ? parsed.map(String) : fallback;
};

/** The requestheader settings in the ConfigMap's data; throws when it names no CA. */
export function requestHeaderConfig(data: Readonly<Record<string, string>>): RequestHeaderConfig {
  const clientCa = data['requestheader-client-ca-file'];
  if (!clientCa)
    throw new Error(
      'extension-apiserver-authentication has no requestheader-client-ca-file: the API server does not proxy with a client certificate',
    );
  return {
    clientCa,
    allowedNames: list(data['requestheader-allowed-names'], []),
    usernameHeaders: list(data['requestheader-username-headers'], ['X-Remote-User']).map((h) => h.toLowerCase()),
    groupHeaders: list(data['requestheader-group-headers'], ['X-Remote-Group']).map((h) => h.toLowerCase()),
  };
}

export class RequestHeaderAuth {
  constructor(readonly config: RequestHeaderConfig) {}

  /** Reads the settings the API server published (needs the extension-apiserver-authentication-reader role). */
  static async load(client: KubeClient): Promise<RequestHeaderAuth> {
    const cm = await client.get<{ data?: Record<string, string> }>(AUTHENTICATION_CONFIGMAP_PATH);
    return new RequestHeaderAuth(requestHeaderConfig(cm.data ?? {}));
  }

  /** Options for `https.createServer`: ask for a client certificate, check it against the CA, decide per request. */
  get tlsOptions(): { ca: string; requestCert: true; rejectUnauthorized: false } {
    return { ca: this.config.clientCa, requestCert: true, rejectUnauthorized: false };
  }

  /**
   * The caller named by a verified front proxy, or undefined (no, an unknown or a disallowed certificate; no user
   * header).
   */
  authenticate(req: IncomingMessage): RemoteUser | undefined {
    const socket = req.socket as TLSSocket;
    if (!socket.authorized) return undefined;
    const cn = socket.getPeerCertificate().subject?.CN;
    const names = Array.isArray(cn) ? cn : [cn];
    if (this.config.allowedNames.length && !names.some((n) => n !== undefined && this.config.allowedNames.includes(n)))
      return undefined;
    const values = (headers: readonly string[]): string[] => headers.flatMap((h) => req.headersDistinct[h] ?? []);
    const name = values(this.config.usernameHeaders)[0];
    if (!name) return undefined;
    return { name, groups: values(this.config.groupHeaders) };
  }
}
