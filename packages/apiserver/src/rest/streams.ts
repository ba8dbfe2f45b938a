// pods/exec, pods/attach and pods/portforward: the API server checks the request, finds the pod's
// node agent (node.status.daemonEndpoints.kubeletEndpoint, as pods/log) and relays the HTTP upgrade
// to it byte for byte, as kube-apiserver proxies these streams to the kubelet. The WebSocket
// handshake and channel protocol are the agent's; this side never parses frames.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { isRecord } from '@wharf/api';
import { ApiError, badRequest, pathNotFound } from '../errors.js';
import type { ObjectApi } from '../objects/api.js';
import type { AgentDialer } from './agents.js';
import { requestInfo, type RequestInfo } from './request-info.js';
import type { ExternalSubresource } from './subresources.js';

const STREAMS = new Set(['exec', 'attach', 'portforward']);

/** How long a client may take to close its side once the agent closed the stream. */
const CLOSE_GRACE_MS = 10_000;

/** Request headers not passed to the agent: credentials, and what describes this hop only. */
const HOP_HEADERS = /^(host|authorization|impersonate-.*|proxy-.*|content-length|transfer-encoding|x-remote-.*)$/i;

/** Authenticates the request and authorizes `ri` for that user; throws an ApiError otherwise. */
export type StreamAccess = (ri: RequestInfo) => void;

interface Target {
  readonly port: number;
  /** Path and query on the agent. */
  readonly path: string;
}

export class PodStreams {
  private readonly open = new Set<Duplex>();

  constructor(
    private readonly api: ObjectApi,
    private readonly agents: AgentDialer,
  ) {}

  /**
   * The subresource handlers for requests that are not upgrades: checked like an upgrade (400
   * while the pod has no node), then refused as the kubelet refuses them.
   */
  subresources(): Record<string, ExternalSubresource> {
    const plain: ExternalSubresource = (r) => {
      if (r.ri.verb !== 'get' && r.ri.verb !== 'create')
        throw new ApiError(405, 'MethodNotAllowed', `pods/${r.ri.subresource} answers GET and POST only`);
      this.target(r.ri, r.query);
      throw badRequest('Upgrade request required');
    };
    return { exec: plain, attach: plain, portforward: plain };
  }

  /** For the HTTPS server's `upgrade` event. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, access: StreamAccess): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    socket.on('error', () => undefined);
    try {
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
      const ri = requestInfo(req.method ?? 'GET', q < 0 ? raw : raw.slice(0, q), query);
      access(ri);
      if (!(
        ri.resourceRequest &&
        ri.group === '' &&
        ri.resource === 'pods' &&
        ri.name &&
        STREAMS.has(ri.subresource)
      )) {
        throw badRequest(`${ri.path} cannot be upgraded: only pods/exec, pods/attach and pods/portforward stream`);
      }
      // kube-apiserver (1.31+) also asks for `create` on a WebSocket GET, so `get` alone cannot exec.
      if (ri.verb !== 'create') access({ ...ri, verb: 'create' });
      // The pod's own problems first: kubectl 1.32 retries a failed WebSocket upgrade over SPDY.
      const target = this.target(ri, query);
      const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
      if (upgrade !== 'websocket') {
        throw badRequest(
          `pods/${ri.subresource} is served over WebSocket only (kubectl 1.30 or later, @kubernetes/client-node); ${req.headers.upgrade ?? 'this upgrade'} is not supported`,
        );
      }
      this.relay(req, socket, head, target);
    } catch (e) {
      refuse(socket, e);
    }
  }

  /** Ends every relayed stream (the server stops). */
  closeAll(): void {
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  /** The pod's agent and the path there; throws the API's answer when the pod cannot stream. */
  private target(ri: RequestInfo, query: URLSearchParams): Target {
    const served = this.api.registry.lookup('', 'v1', 'pods');
    if (!served) throw pathNotFound(ri.path);
    const pod = this.api.get(served, ri.namespace, ri.name);
    const spec = isRecord(pod.spec) ? pod.spec : {};
    const sub = ri.subresource;
    const nodeName = typeof spec.nodeName === 'string' ? spec.nodeName : '';
    if (!nodeName) throw badRequest(`pod ${ri.name} does not have a host assigned`);
    const phase = isRecord(pod.status) ? pod.status.phase : undefined;
    const q = new URLSearchParams(query);
    let path = `/${sub}/${encodeURIComponent(ri.namespace)}/${encodeURIComponent(ri.name)}`;
    if (sub !== 'portforward') {
      if (phase === 'Succeeded' || phase === 'Failed') {
        throw badRequest(
          `cannot ${sub === 'exec' ? 'exec into' : 'attach to'} a container in a completed pod; current phase is ${String(phase)}`,
        );
      }
      const container = this.containerOf(ri.name, pod.metadata.annotations, spec, q.get('container') ?? '');
      q.delete('container');
      path += `/${encodeURIComponent(container)}`;
    }
    return { port: this.agents.port(nodeName, `pods/${sub}`), path: `${path}?${q.toString()}` };
  }

  /** The named container, or the pod's default one (its annotation, or its only container). */
  private containerOf(
    pod: string,
    annotations: Record<string, string> | undefined,
    spec: Record<string, unknown>,
    asked: string,
  ): string {
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter(isRecord).map((c) => String(c.name)) : []);
    const app = list(spec.containers);
    const all = [...app, ...list(spec.initContainers), ...list(spec.ephemeralContainers)];
    let name = asked || annotations?.['kubectl.kubernetes.io/default-container'] || '';
    if (!name) {
      if (app.length !== 1)
        throw badRequest(`a container name must be specified for pod ${pod}, choose one of: [${app.join(' ')}]`);
      name = app[0]!;
    }
    if (!all.includes(name)) throw badRequest(`container ${name} is not valid for pod ${pod}`);
    return name;
  }

  /** Sends the upgrade request to the agent and pipes both ways; the agent answers the handshake. */
  private relay(req: IncomingMessage, socket: Duplex, head: Buffer, t: Target): void {
    const lines = [
      `GET ${t.path} HTTP/1.1`,
      `Host: 127.0.0.1:${t.port}`,
      ...Object.entries(this.agents.headers()).map(([k, v]) => `${k}: ${v}`),
    ];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const k = req.rawHeaders[i]!;
      if (!HOP_HEADERS.test(k)) lines.push(`${k}: ${req.rawHeaders[i + 1]!}`);
    }
    const up = net.connect(t.port, '127.0.0.1');
    let connected = false;
    up.once('connect', () => {
      connected = true;
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', (e) => {
      if (!connected)
        refuse(
          socket,
          new ApiError(503, 'ServiceUnavailable', `the node agent did not answer on port ${t.port}: ${e.message}`),
        );
      else socket.destroy();
    });
    // The agent hung up after its last frames: close gently. Destroying the client's socket while its own last
    // bytes (a close frame) sit unread makes the kernel send a reset, and a reset discards what the client has
    // not read yet (the command's output and exit status): kubectl then reports success with no output.
    up.once('close', () => {
      socket.unpipe(up);
      socket.resume();
      socket.end();
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    });
    socket.once('close', () => up.destroy());
  }
}

/** Answers a refused upgrade with a JSON Status on the raw socket. */
function refuse(socket: Duplex, e: unknown): void {
  if (socket.destroyed) return;
  const err =
    e instanceof ApiError
      ? e
      : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
  const body = JSON.stringify(err.toStatus());
  const extra = err.code === 401 ? 'WWW-Authenticate: Bearer realm="kubernetes"\r\n' : '';
  socket.end(
    `HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
  );
}
