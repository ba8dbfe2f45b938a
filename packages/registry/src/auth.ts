// Who may do what: credentials come as `Authorization: Bearer <token>` or Basic auth whose
// password is the token (skopeo/podman `--creds user:token`). Empty Basic credentials count as
// anonymous, because clients that learned the Basic challenge send them on anonymous pulls.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { RegistryError } from './errors.js';

/** What a request wants to do. */
export interface Access {
  readonly action: 'pull' | 'push' | 'delete';
  /** The repository, absent for `/v2/` and the catalog. */
  readonly repository?: string;
}

/**
 * Decides whether a token may perform an access: true allows, false rejects the token (401),
 * `'denied'` accepts the token but refuses the action (403).
 */
export type Authenticator = (token: string, access: Access) => boolean | 'denied' | Promise<boolean | 'denied'>;

/** The subject of a verified client certificate: CN the user, O the groups (as kube-apiserver reads it). */
export interface CertificateSubject {
  readonly name: string;
  readonly groups: readonly string[];
}

/** Decides, like Authenticator, for a request that signed in with a client certificate. */
export type CertificateAuthenticator = (subject: CertificateSubject, access: Access) => boolean | 'denied';

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The subject of the request's client certificate when the TLS layer verified it against the client CA. */
function certificateSubject(req: IncomingMessage): CertificateSubject | undefined {
  const tls = req.socket as Partial<TLSSocket>;
  if (!tls.authorized || typeof tls.getPeerCertificate !== 'function') return undefined;
  const cert = tls.getPeerCertificate();
  const name = list(cert?.subject?.CN)[0];
  return name ? { name, groups: list(cert.subject.O) } : undefined;
}

export const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="wharf"' };

/** The token a request carries, or undefined for anonymous requests. */
export function requestToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const [scheme, value = ''] = h.split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer') return value || undefined;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    return password || undefined;
  }
  throw unauthorized(`unsupported authorization scheme "${scheme ?? ''}"`);
}

function unauthorized(message: string): RegistryError {
  return new RegistryError('UNAUTHORIZED', message, undefined, 401, CHALLENGE);
}

/** Throws UNAUTHORIZED / DENIED unless the request may perform `access`. */
export async function authorize(
  req: IncomingMessage,
  access: Access,
  opts: {
    authenticate?: Authenticator;
    authenticateCertificate?: CertificateAuthenticator;
    anonymousPull: boolean;
    base?: boolean;
  },
): Promise<void> {
  if (!opts.authenticate) return;
  const token = requestToken(req);
  const subject = token === undefined && opts.authenticateCertificate ? certificateSubject(req) : undefined;
  if (subject && opts.authenticateCertificate) return verdictOf(opts.authenticateCertificate(subject, access), access);
  if (token === undefined) {
    if (access.action === 'pull' && opts.anonymousPull && !opts.base) return;
    throw unauthorized('authentication required');
  }
  verdictOf(await opts.authenticate(token, access), access);
}

function verdictOf(verdict: boolean | 'denied', access: Access): void {
  if (verdict === 'denied')
    throw new RegistryError('DENIED', `access to ${access.action} ${access.repository ?? 'the registry'} denied`);
  if (!verdict) throw unauthorized('invalid credentials');
}
