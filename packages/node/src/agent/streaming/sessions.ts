// What runs on an accepted stream WebSocket: an exec (a runc exec process), an attach (the
// container's output, followed from its CRI log), or a port-forward (TCP to the pod's IP).
import { open, stat } from 'node:fs/promises';
import net from 'node:net';
import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ExecStream } from '../../runtime/exec-stream.js';
import type { StdinSink } from '../../runtime/monitor.js';
import { parseCriLogLine } from '../../runtime/cri-log.js';
import {
  CLOSE,
  ERROR,
  RESIZE,
  STDERR,
  STDIN,
  STDOUT,
  errorStatus,
  exitStatus,
  frame,
  parseResize,
  portFrame,
  type Status,
} from './protocol.js';

/** Output above this is held back (the stream paused) until the client has read it. */
const HIGH_WATER = 1 << 20;

/** Sends a Status on the error channel and closes the connection normally. */
export function finish(ws: WebSocket, status: Status): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(frame(ERROR, JSON.stringify(status)), () => ws.close(1000));
}

/** Copies a stream to a channel, pausing it while the client is behind. */
function pump(ws: WebSocket, from: Readable, channel: number): void {
  from.on('data', (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame(channel, chunk), () => {
      if (from.isPaused() && ws.bufferedAmount < HIGH_WATER) from.resume();
    });
    if (ws.bufferedAmount >= HIGH_WATER) from.pause();
  });
  from.on('error', () => undefined);
}

function asBuffer(data: RawMessage): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

type RawMessage = Buffer | ArrayBuffer | Buffer[];

/**
 * Holds a TTY exec's messages until the client's first resize (clients send it as soon as the
 * stream opens) or `waitMs`, so the command can start on a terminal of the right size.
 */
export function awaitFirstResize(
  ws: WebSocket,
  waitMs: number,
): Promise<{ size: { width: number; height: number } | undefined; held: RawMessage[] }> {
  return new Promise((resolve) => {
    const held: RawMessage[] = [];
    const done = (size: { width: number; height: number } | undefined): void => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve({ size, held });
    };
    const onMessage = (raw: RawMessage): void => {
      held.push(raw);
      const data = asBuffer(raw);
      if (data[0] === RESIZE) {
        const size = parseResize(data.subarray(1));
        if (size) done(size);
      }
    };
    const onClose = (): void => done(undefined);
    const timer = setTimeout(() => done(undefined), waitMs);
    ws.on('message', onMessage);
    ws.once('close', onClose);
  });
}

/** Connects an exec'd process to the socket; ends with its exit Status. `held`: messages that came first. */
export function execSession(
  ws: WebSocket,
  proc: ExecStream,
  command: readonly string[],
  held: readonly RawMessage[] = [],
): void {
  let done = false;
  pump(ws, proc.stdout, STDOUT);
  if (proc.stderr) pump(ws, proc.stderr, STDERR);
  const onMessage = (raw: RawMessage): void => {
    const data = asBuffer(raw);
    if (data.length === 0) return;
    const body = data.subarray(1);
    switch (data[0]) {
      case STDIN:
        if (proc.stdin?.writable && body.length) proc.stdin.write(body);
        break;
      case RESIZE: {
        const size = parseResize(body);
        if (size) proc.resize(size.width, size.height);
        break;
      }
      case CLOSE:
        if (body[0] === STDIN) proc.stdin?.end();
        break;
      default:
        break;
    }
  };
  for (const m of held) onMessage(m);
  ws.on('message', onMessage);
  if (ws.readyState !== ws.OPEN) proc.kill();
  ws.on('close', () => {
    if (!done) proc.kill();
  });
  void proc.done.then((exit) => {
    done = true;
    finish(
      ws,
      exit.error
        ? errorStatus(`error executing command in container: ${exit.error}`)
        : exitStatus(exit.exitCode, command),
    );
  });
}

export interface AttachSource {
  readonly logPath: string;
  /** Connected to the container's stdin when the client sends stdin. */
  readonly stdin?: StdinSink;
  /** Whether the container still runs (more output can come). */
  running(): Promise<boolean>;
  /** Sets the container's terminal size (TTY containers). @default resize messages are dropped */
  resize?(width: number, height: number): Promise<void>;
}

/**
 * Streams what the container writes from now on, read from its CRI log (the container's monitor
 * owns its stdio, so there is no live pipe to join). Ends with Success when it exits.
 */
export async function attachSession(
  ws: WebSocket,
  src: AttachSource,
  want: { stdout: boolean; stderr: boolean; tty: boolean },
  pollMs = 100,
): Promise<void> {
  let closed = false;
  ws.on('close', () => {
    closed = true;
    src.stdin?.end();
  });
  let resizing = Promise.resolve();
  ws.on('message', (raw: RawMessage) => {
    const data = asBuffer(raw);
    const body = data.subarray(1);
    const size = data[0] === RESIZE && src.resize ? parseResize(body) : undefined;
    if (size) resizing = resizing.then(() => src.resize?.(size.width, size.height)).catch(() => undefined);
    if (!src.stdin || src.stdin.destroyed) return; // no stdin: nothing to deliver input to
    if (data[0] === STDIN && body.length) src.stdin.write(body);
    else if (data[0] === CLOSE && body[0] === STDIN) src.stdin.end();
  });
  let offset = (await stat(src.logPath).catch(() => undefined))?.size ?? 0;
  let pending = '';
  const readMore = async (): Promise<boolean> => {
    const size = (await stat(src.logPath).catch(() => undefined))?.size ?? 0;
    if (size <= offset) return false;
    const fh = await open(src.logPath, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      const text = pending + buf.subarray(0, bytesRead).toString('utf8');
      const cut = text.lastIndexOf('\n');
      pending = cut < 0 ? text : text.slice(cut + 1);
      for (const line of cut < 0 ? [] : text.slice(0, cut).split('\n')) {
        const r = parseCriLogLine(line);
        if (!r) continue;
        const channel = r.stream === 'stderr' && !want.tty ? STDERR : STDOUT;
        if ((channel === STDOUT && want.stdout) || (channel === STDERR && want.stderr))
          ws.send(frame(channel, `${r.content}${r.partial ? '' : '\n'}`));
      }
    } finally {
      await fh.close();
    }
    return true;
  };
  while (!closed) {
    const running = await src.running();
    const more = await readMore();
    if (!running && !more) {
      src.stdin?.destroy();
      return finish(ws, { metadata: {}, status: 'Success' });
    }
    if (!more) await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Forwards each port to `ip:port` (one TCP connection per port, as client-node expects); closes once they all end. */
export function portForwardSession(
  ws: WebSocket,
  ip: string,
  ports: readonly number[],
  connect: (port: number, host: string) => net.Socket = (p, h) => net.connect(p, h),
): void {
  let open = ports.length;
  const sockets = ports.map((port, i) => {
    ws.send(portFrame(2 * i, port));
    ws.send(portFrame(2 * i + 1, port));
    const s = connect(port, ip);
    s.on('data', (d: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(frame(2 * i, d), () => s.isPaused() && ws.bufferedAmount < HIGH_WATER && s.resume());
      if (ws.bufferedAmount >= HIGH_WATER) s.pause();
    });
    s.on('error', (e) => {
      if (ws.readyState === ws.OPEN)
        ws.send(frame(2 * i + 1, `error forwarding port ${port} to pod at ${ip}: ${e.message}`));
    });
    s.on('close', () => {
      if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
    });
    return s;
  });
  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    const data = asBuffer(raw);
    const ch = data[0];
    if (ch === undefined || ch % 2 !== 0) return;
    const s = sockets[ch / 2];
    if (s && !s.destroyed && data.length > 1) s.write(data.subarray(1));
  });
  ws.on('close', () => {
    for (const s of sockets) s.destroy();
  });
}
