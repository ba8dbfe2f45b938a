// The agent's streaming endpoints, as the kubelet's /exec, /attach and /portforward: HTTP upgrade
// requests to WebSocket on the agent's loopback HTTP server (the API server proxies pods/exec,
// pods/attach and pods/portforward here). Errors before the upgrade are answered as a JSON Status.
import { silentLogger, type Logger } from '@wharf/client';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ContainerRuntime } from '../../runtime/runtime.js';
import type { ContainerStatus, PodSandbox } from '../../runtime/types.js';
import {
  PORT_FORWARD_PROTOCOLS,
  REMOTE_COMMAND_PROTOCOLS,
  SPDY_PORT_FORWARD,
  boolParam,
  chooseProtocol,
  errorStatus,
  offeredProtocols,
} from './protocol.js';
import { attachSession, awaitFirstResize, execSession, finish, portForwardSession } from './sessions.js';
import { spdyPortForwardSession } from './spdy-portforward.js';

/** How long a TTY exec waits for the client's first resize before starting. */
const TTY_SIZE_WAIT_MS = 1000;

/** What the streaming endpoints need of the pod runtime. */
export type StreamingRuntime = Pick<
  ContainerRuntime,
  'listPodSandboxes' | 'listContainers' | 'containerStatus' | 'execStream' | 'openStdin'
> &
  Partial<Pick<ContainerRuntime, 'resizeContainerTerminal'>>;

export interface StreamingServerOptions {
  readonly runtime: StreamingRuntime;
  /** @default silentLogger */
  readonly logger?: Logger;
}

/** A request refused before the upgrade, answered with that HTTP code. */
class StreamRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'StreamRequestError';
  }
}

type Route =
  | { kind: 'exec' | 'attach'; namespace: string; pod: string; container: string }
  | { kind: 'portforward'; namespace: string; pod: string };

function route(pathname: string): Route | undefined {
  const parts = pathname
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  const [kind, namespace, pod, container] = parts;
  if ((kind === 'exec' || kind === 'attach') && parts.length === 4)
    return { kind, namespace: namespace!, pod: pod!, container: container! };
  if (kind === 'portforward' && parts.length === 3) return { kind, namespace: namespace!, pod: pod! };
  return undefined;
}

/** Parses `ports=80&ports=8080` (also comma-separated) into port numbers. */
export function parsePorts(q: URLSearchParams): number[] {
  const raw = q
    .getAll('ports')
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (raw.length === 0) throw new StreamRequestError(400, 'at least one port must be given in "ports"');
  return raw.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new StreamRequestError(400, `invalid port "${s}": must be 1-65535`);
    return n;
  });
}

export class StreamingServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (_p, req) => this.chosen.get(req) ?? false,
  });
  private readonly chosen = new WeakMap<IncomingMessage, string>();
  private readonly open = new Set<WebSocket | Duplex>();
  private readonly logger: Logger;

  constructor(private readonly o: StreamingServerOptions) {
    this.logger = o.logger ?? silentLogger;
  }

  /** For the agent's HTTP server's `upgrade` event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    socket.on('error', () => undefined);
    this.upgrade(req, socket, head).catch((e: unknown) => {
      if (!(e instanceof StreamRequestError))
        this.logger.warn({ err: e, path: (req.url ?? '').split('?')[0] }, 'stream request failed');
      const code = e instanceof StreamRequestError ? e.code : 500;
      refuse(socket, code, (e as Error).message);
    });
  }

  /** Ends every open stream (the agent stops). */
  closeAll(): void {
    for (const s of this.open) {
      if ('terminate' in s) s.terminate();
      else s.destroy();
    }
    this.open.clear();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    const r = route(url.pathname);
    if (!r || req.method !== 'GET') throw new StreamRequestError(404, `not found: ${req.method ?? ''} ${url.pathname}`);
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      throw new StreamRequestError(
        400,
        `Upgrade request required: wharf serves ${r.kind} over WebSocket only (kubectl 1.30 or later); ${req.headers.upgrade ?? 'a plain request'} is not supported`,
      );
    }
    const ours = r.kind === 'portforward' ? PORT_FORWARD_PROTOCOLS : REMOTE_COMMAND_PROTOCOLS;
    const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
    const protocol = chooseProtocol(offered, ours);
    if (!protocol) {
      throw new StreamRequestError(
        400,
        `unable to upgrade connection: none of the offered sub-protocols [${offered.join(', ')}] is supported; wharf speaks ${ours.join(', ')} for ${r.kind}`,
      );
    }
    this.chosen.set(req, protocol);
    const q = url.searchParams;
    const sandbox = await this.sandbox(r.namespace, r.pod);
    let start: (ws: WebSocket) => void | Promise<void>;
    if (r.kind === 'portforward') {
      if (!sandbox.ip) throw new StreamRequestError(400, `pod "${r.pod}" has no IP to forward to`);
      if (protocol === SPDY_PORT_FORWARD) {
        // kubectl names the ports in each stream's headers, not in the query.
        const pod = `${r.namespace}/${r.pod}, uid ${sandbox.config.uid}`;
        start = (ws) => void spdyPortForwardSession(ws, { ip: sandbox.ip, pod, logger: this.logger });
      } else {
        const ports = parsePorts(q);
        start = (ws) => portForwardSession(ws, sandbox.ip, ports);
      }
    } else {
      const c = await this.container(sandbox, r.container);
      const tty = boolParam(q, 'tty');
      const want = {
        stdin: boolParam(q, 'stdin'),
        stdout: boolParam(q, 'stdout'),
        stderr: boolParam(q, 'stderr') && !tty,
        tty,
      };
      if (!want.stdin && !want.stdout && !boolParam(q, 'stderr'))
        throw new StreamRequestError(400, 'you must specify at least 1 of stdin, stdout, stderr');
      if (r.kind === 'exec') {
        const command = q.getAll('command');
        if (command.length === 0)
          throw new StreamRequestError(400, 'you must specify at least one command for the container');
        const rt = this.o.runtime;
        if (tty) {
          // Started once the client's terminal size is known (see awaitFirstResize).
          start = async (ws) => {
            const { size, held } = await awaitFirstResize(ws, TTY_SIZE_WAIT_MS);
            const proc = await rt.execStream(c.id, command, {
              tty,
              stdin: want.stdin,
              ...(size ? { initialSize: size } : {}),
            });
            execSession(ws, proc, command, held);
          };
        } else {
          const proc = await rt.execStream(c.id, command, { tty, stdin: want.stdin });
          start = (ws) => execSession(ws, proc, command);
          socket.once('close', () => proc.kill());
        }
      } else {
        const rt = this.o.runtime;
        // Connected before the upgrade, so the client's first input (sent at once) has somewhere to go.
        const stdin = want.stdin && c.stdinSocket ? await rt.openStdin(c.id) : undefined;
        // Ended, not destroyed: a stdinOnce TTY's end types ^D (see the runtime's openStdin), whichever of the
        // socket's and the WebSocket's close comes first.
        if (stdin) socket.once('close', () => stdin.end());
        start = async (ws) => {
          // The monitor keeps stdin open only for containers with `stdin: true`, as the kubelet does.
          if (want.stdin && !c.stdinSocket) {
            return finish(
              ws,
              errorStatus(
                `container "${c.name}" in pod "${r.pod}" does not take stdin: set stdin: true in its spec to attach with -i`,
                'BadRequest',
                400,
              ),
            );
          }
          const running = async (): Promise<boolean> =>
            (await rt.containerStatus(c.id).catch(() => undefined))?.state === 'running';
          const resize = async (width: number, height: number): Promise<void> =>
            rt.resizeContainerTerminal?.(c.id, width, height);
          await attachSession(ws, { logPath: c.logPath, running, resize, ...(stdin ? { stdin } : {}) }, want);
        };
      }
    }
    // ws refuses sub-protocol names with '/' (SPDY/3.1+…); the answer is `protocol` all the same (handleProtocols).
    req.headers['sec-websocket-protocol'] = 'chosen';
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.open.delete(socket);
      this.open.add(ws);
      ws.once('close', () => this.open.delete(ws));
      ws.on('error', (e) =>
        this.logger.warn({ err: e, pod: `${r.namespace}/${r.pod}`, stream: r.kind }, 'stream failed'),
      );
      Promise.resolve(start(ws)).catch((e: unknown) => {
        this.logger.warn({ err: e, pod: `${r.namespace}/${r.pod}`, stream: r.kind }, 'stream failed');
        finish(ws, errorStatus((e as Error).message));
      });
    });
  }

  private async sandbox(namespace: string, pod: string): Promise<PodSandbox> {
    const ready = (await this.o.runtime.listPodSandboxes())
      .filter((s) => s.config.namespace === namespace && s.config.name === pod && s.state === 'ready')
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    if (!ready[0])
      throw new StreamRequestError(404, `pod "${pod}" in namespace "${namespace}" is not running on this node`);
    return ready[0];
  }

  private async container(sandbox: PodSandbox, name: string): Promise<ContainerStatus> {
    const all = (await this.o.runtime.listContainers({ sandboxId: sandbox.id })).filter((c) => c.name === name);
    const newest = all.reduce<ContainerStatus | undefined>((a, c) => (!a || c.attempt > a.attempt ? c : a), undefined);
    if (!newest) throw new StreamRequestError(404, `container "${name}" not found in pod "${sandbox.config.name}"`);
    if (newest.state !== 'running')
      throw new StreamRequestError(400, `container "${name}" in pod "${sandbox.config.name}" is not running`);
    return newest;
  }
}

/** Answers a refused upgrade on the raw socket with a JSON Status, as the API server relays it. */
function refuse(socket: Duplex, code: number, message: string): void {
  if (socket.destroyed) return;
  const reason = code === 404 ? 'NotFound' : code === 400 ? 'BadRequest' : 'InternalError';
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
