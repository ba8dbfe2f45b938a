// kubectl port-forward (1.31+): a SPDY/3.1 session tunnelled in the WebSocket's binary messages
// (sub-protocol `SPDY/3.1+portforward.k8s.io`), served as the kubelet serves portforward.k8s.io.
// For each local connection kubectl opens an error stream and a data stream with the same
// `requestid` and `port`; once both are there the agent connects to the pod's IP:port, copies
// bytes both ways on the data stream, writes a failure as text on the error stream, and ends both.
import type { Logger } from '@wharf/client';
import net from 'node:net';
import type { WebSocket } from 'ws';
import { GoAwayStatus, RstStatus } from './spdy-frames.js';
import { SpdySession, type SpdyStream } from './spdy.js';

/** How long the first stream of a pair waits for the other, as the kubelet's stream creation timeout. */
const PAIR_TIMEOUT_MS = 30_000;

export interface SpdyPortForwardOptions {
  /** The pod's IP. */
  readonly ip: string;
  /** Names the pod in error messages (`namespace/name, uid …`). */
  readonly pod: string;
  /** @default net.connect */
  readonly connect?: (port: number, host: string) => net.Socket;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** @default 30000 */
  readonly pairTimeoutMs?: number;
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  readonly timer: NodeJS.Timeout;
}

/** Serves one kubectl port-forward connection on an accepted WebSocket. */
export function spdyPortForwardSession(ws: WebSocket, o: SpdyPortForwardOptions): SpdySession {
  const connect = o.connect ?? ((port: number, host: string) => net.connect(port, host));
  const pairs = new Map<string, Pair>();
  // A pod socket that cannot take more stops reading the WebSocket until it drains.
  let blocked = 0;
  const block = (sock: net.Socket): void => {
    if (blocked++ === 0) ws.pause();
    sock.once('drain', unblock).once('close', unblock);
    function unblock(): void {
      sock.off('drain', unblock).off('close', unblock);
      if (--blocked === 0) ws.resume();
    }
  };

  const forward = (port: number, data: SpdyStream, error: SpdyStream): void => {
    const sock = connect(port, o.ip);
    data.on('data', (d) => {
      if (!sock.destroyed && !sock.write(d)) block(sock);
    });
    data.on('end', () => sock.end());
    data.on('close', () => sock.destroy());
    error.on('close', () => sock.destroy());
    sock.on('data', (d: Buffer) => {
      if (!data.write(d) && !sock.isPaused()) {
        sock.pause();
        data.once('drain', () => sock.resume());
      }
    });
    sock.on('end', () => data.end());
    sock.on('error', (e) => {
      error.write(Buffer.from(`error forwarding port ${port} to pod ${o.pod}: ${e.message}`));
    });
    sock.on('close', () => {
      data.end();
      error.end();
    });
  };

  const onStream = (s: SpdyStream): void => {
    const type = s.header('streamtype');
    const port = Number(s.header('port'));
    if ((type !== 'data' && type !== 'error') || !Number.isInteger(port) || port < 1 || port > 65535) {
      o.logger?.debug(
        { pod: o.pod, stream: s.id, streamtype: type ?? '', port: s.header('port') ?? '' },
        'port-forward: refused a stream',
      );
      return s.reset(RstStatus.PROTOCOL_ERROR);
    }
    s.reply();
    // Clients before requestid paired the error stream with the data stream opened next (id + 2).
    const id = s.header('requestid') ?? String(type === 'error' ? s.id : s.id - 2);
    let pair = pairs.get(id);
    if (!pair) {
      const timer = setTimeout(() => {
        pairs.delete(id);
        pair?.error?.write(
          Buffer.from(`timed out waiting for the ${pair.data ? 'error' : 'data'} stream of request ${id}`),
        );
        pair?.error?.end();
        pair?.data?.reset();
      }, o.pairTimeoutMs ?? PAIR_TIMEOUT_MS);
      pair = { timer };
      pairs.set(id, pair);
    }
    if (pair[type]) {
      o.logger?.debug(
        { pod: o.pod, request: id, streamtype: type },
        'port-forward: a second stream of one type for a request',
      );
      return s.reset(RstStatus.PROTOCOL_ERROR);
    }
    pair[type] = s;
    s.once('close', () => {
      if (pairs.get(id) === pair && !(pair.data && pair.error)) {
        clearTimeout(pair.timer);
        pairs.delete(id);
      }
    });
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(id);
      forward(port, pair.data, pair.error);
    }
  };

  const session = new SpdySession({
    onStream,
    logger: o.logger,
    transport: {
      send: (frame, done) => (ws.readyState === ws.OPEN ? ws.send(frame, { binary: true }, () => done()) : done()),
      close: () => ws.close(1000),
    },
  });
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    if (!isBinary) return session.close(GoAwayStatus.PROTOCOL_ERROR);
    session.receive(Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw));
  });
  ws.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
    session.transportClosed();
  });
  return session;
}
