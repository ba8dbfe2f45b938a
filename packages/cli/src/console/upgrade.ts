// WebSocket upgrades (exec, attach) from the browser to the API server. A browser cannot set an
// Authorization header on a WebSocket, so it offers its token as the sub-protocol
// `base64url.bearer.authorization.k8s.io.<token>`, as kube-apiserver accepts; this moves that token
// into the Authorization header and drops it from the offered protocols. A directory user's
// session cookie serves instead when the upgrade comes from the console's own origin. The token is the user's
// own; nothing of ours is added.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect } from 'node:tls';
import type { ApiTarget } from './proxy.js';
import { upgradeSessionToken } from './session.js';

const BEARER_PROTOCOL = 'base64url.bearer.authorization.k8s.io.';
const PASSED = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'user-agent', 'origin'];

/** The request head to send upstream: the user's token (header or sub-protocol) as Authorization. */
export function upstreamHead(
  req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  target: Pick<ApiTarget, 'host' | 'port'>,
): string {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bearer = offered.find((p) => p.startsWith(BEARER_PROTOCOL));
  const protocols = offered.filter((p) => !p.startsWith(BEARER_PROTOCOL));
  const token = bearer ? Buffer.from(bearer.slice(BEARER_PROTOCOL.length), 'base64url').toString('utf8') : undefined;
  const lines = [
    `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`,
    `Host: ${target.host}:${target.port}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
  ];
  for (const h of PASSED) {
    const v = req.headers[h];
    if (typeof v === 'string') lines.push(`${h}: ${v}`);
  }
  if (protocols.length) lines.push(`Sec-WebSocket-Protocol: ${protocols.join(', ')}`);
  const session = upgradeSessionToken(req.headers);
  const auth = token ? `Bearer ${token}` : (req.headers.authorization ?? (session ? `Bearer ${session}` : undefined));
  if (auth && !/[\r\n]/.test(auth)) lines.push(`Authorization: ${auth}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export function proxyUpgrade(target: ApiTarget, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const upstream = connect({ host: target.host, port: target.port, ca: target.ca }, () => {
    upstream.write(upstreamHead(req, target));
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const end = (): void => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', end);
  socket.on('error', end);
  upstream.on('close', end);
  socket.on('close', end);
}
