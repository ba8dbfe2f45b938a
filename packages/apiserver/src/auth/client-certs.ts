// X.509 client certificate authentication, as kube-apiserver's --client-ca-file: a certificate
// that verified against the cluster CA during the TLS handshake names the user (CN) and its
// groups (each O). Node agents that joined with a bootstrap token use theirs this way.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '../objects/context.js';

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The user of each connection's certificate: a TLS connection's peer certificate cannot change, and
 * reading it builds a large object, once per request of a node agent before.
 */
const users = new WeakMap<Socket, UserInfo | undefined>();

/** The user of a verified client certificate on `socket`, or undefined. */
export function clientCertificateUser(socket: Socket): UserInfo | undefined {
  if (!users.has(socket)) users.set(socket, certificateUser(socket));
  const user = users.get(socket);
  return user && { name: user.name, groups: [...user.groups] };
}

function certificateUser(socket: Socket): UserInfo | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (!tls.authorized || typeof tls.getPeerCertificate !== 'function') return undefined;
  const cert = tls.getPeerCertificate();
  const name = list(cert?.subject?.CN)[0];
  if (!name) return undefined;
  return { name, groups: [...list(cert.subject.O), 'system:authenticated'] };
}
