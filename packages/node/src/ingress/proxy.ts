// Reverse proxying one request to one endpoint: streaming both ways over keep-alive connections,
// hop-by-hop headers dropped, X-Forwarded-* added; upgrades (WebSocket) as a raw TCP splice after
// the request head is replayed to the endpoint.
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Endpoint } from './routes.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** An idle upstream connection is closed after this long; a silent endpoint gets a 504. */
const UPSTREAM_TIMEOUT_MS = 60_000;
/** How long a client may take to close its side of an upgraded connection once the upstream closed it. */
const CLOSE_GRACE_MS = 10_000;

export interface ForwardContext {
  readonly scheme: 'http' | 'https';
  /** The listener's port (X-Forwarded-Port). */
  readonly port: number;
}

function forwardedHeaders(req: http.IncomingMessage, ctx: ForwardContext): Record<string, string> {
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  return {
    'x-forwarded-for': prior ? `${String(prior)}, ${client}` : client,
    'x-forwarded-host': req.headers.host ?? '',
    'x-forwarded-proto': ctx.scheme,
    'x-forwarded-port': String(ctx.port),
    'x-real-ip': client,
  };
}

/** Request headers for the endpoint, without hop-by-hop ones (and those Connection names). */
function upstreamHeaders(
  req: http.IncomingMessage,
  ctx: ForwardContext,
  keepUpgrade: boolean,
): Record<string, string | string[]> {
  const named = new Set(
    String(req.headers.connection ?? '')
      .toLowerCase()
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || named.has(k) || k.startsWith('x-forwarded-') || k === 'x-real-ip')
      continue;
    out[k] = v;
  }
  Object.assign(out, forwardedHeaders(req, ctx));
  if (keepUpgrade && req.headers.upgrade) {
    out['connection'] = 'Upgrade';
    out['upgrade'] = req.headers.upgrade;
  }
  return out;
}

/** Sends `req` to `ep` and streams the answer into `res`; `onError` answers when nothing was sent yet. */
export function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ep: Endpoint,
  agent: http.Agent,
  ctx: ForwardContext,
  onError: (status: number, why: string) => void,
): void {
  const upReq = http.request({
    host: ep.ip,
    port: ep.port,
    method: req.method,
    path: req.url,
    headers: upstreamHeaders(req, ctx, false),
    agent,
  });
  upReq.setTimeout(UPSTREAM_TIMEOUT_MS, () =>
    upReq.destroy(Object.assign(new Error('upstream timed out'), { code: 'ETIMEDOUT' })),
  );
  upReq.on('response', (upRes) => {
    const named = new Set(
      String(upRes.headers.connection ?? '')
        .toLowerCase()
        .split(',')
        .map((s) => s.trim()),
    );
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(upRes.headers))
      if (v !== undefined && !HOP_BY_HOP.has(k) && !named.has(k)) headers[k] = v;
    res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, headers);
    // Now, not with the first body bytes: a watch, an event stream or a long poll may send none for
    // minutes, and its client waits for the status line to know the stream is open.
    res.flushHeaders();
    upRes.pipe(res);
    upRes.on('error', () => res.destroy());
  });
  upReq.on('error', (e: NodeJS.ErrnoException) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e.code === 'ETIMEDOUT') onError(504, `endpoint ${ep.ip}:${ep.port} did not answer in time`);
    else onError(502, `endpoint ${ep.ip}:${ep.port} failed: ${e.code ?? e.message}`);
  });
  res.on('close', () => {
    if (!res.writableFinished) upReq.destroy();
  });
  req.pipe(upReq);
}

/** Replays the upgrade request to `ep` and splices the two connections. */
export function forwardUpgrade(
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  ep: Endpoint,
  ctx: ForwardContext,
): void {
  const up = net.connect(ep.port, ep.ip);
  const fail = (): void => {
    up.destroy();
    // Ended, not destroyed right after: a destroy would discard the 502 before it is written.
    if (!socket.writable) socket.destroy();
    else {
      socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    }
  };
  up.setTimeout(UPSTREAM_TIMEOUT_MS, () => (up.connecting ? fail() : undefined));
  up.once('error', fail);
  socket.on('error', () => up.destroy());
  up.once('connect', () => {
    up.setTimeout(0);
    up.off('error', fail);
    up.on('error', () => socket.destroy());
    const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
    for (const [k, v] of Object.entries(upstreamHeaders(req, ctx, true)))
      for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
    up.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) up.write(head);
    socket.pipe(up);
    up.pipe(socket);
    socket.on('close', () => up.destroy());
    // Ended, not destroyed: a reset while the client's last bytes sit unread would discard what it has not read.
    up.on('close', () => {
      socket.unpipe(up);
      socket.resume();
      socket.end();
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    });
  });
}
