// The Kubernetes channel WebSocket protocols, as the kubelet serves them: every binary message
// starts with a channel byte. remotecommand (exec, attach): 0 stdin, 1 stdout, 2 stderr, 3 error
// (a Status, then the connection closes), 4 resize (JSON {Width, Height}); v5 adds 255 "close
// channel N" so a client can end stdin. Port-forward: channel 2i carries port i's data, 2i+1 its
// errors, and each channel's first message from the server is the port, 2 bytes little-endian.

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export const V5 = 'v5.channel.k8s.io';
export const V4 = 'v4.channel.k8s.io';

/** Sub-protocols this agent speaks, best first. */
export const REMOTE_COMMAND_PROTOCOLS: readonly string[] = [V5, V4];
/** kubectl 1.31+ port-forward: SPDY/3.1 tunnelled in the WebSocket's binary messages (spdy-portforward.ts). */
export const SPDY_PORT_FORWARD = 'SPDY/3.1+portforward.k8s.io';
/** kubelet answers client-node's port-forward with the v4 channel protocol; the next two frame the same way. */
export const PORT_FORWARD_PROTOCOLS: readonly string[] = [
  V4,
  'portforward.k8s.io',
  'channel.k8s.io',
  SPDY_PORT_FORWARD,
];

/** The protocol to answer with: the first of ours the client offered, or undefined. */
export function chooseProtocol(offered: Iterable<string>, ours: readonly string[]): string | undefined {
  const set = new Set([...offered].map((p) => p.trim()));
  return ours.find((p) => set.has(p));
}

/** Parses a `Sec-WebSocket-Protocol` header. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  return (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
}

/** The port as the first message of a port-forward channel. */
export function portFrame(channel: number, port: number): Buffer {
  const b = Buffer.alloc(3);
  b[0] = channel;
  b.writeUInt16LE(port, 1);
  return b;
}

export interface Status {
  readonly metadata: Record<string, never>;
  readonly status: 'Success' | 'Failure';
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly causes: readonly { readonly reason?: string; readonly message: string }[] };
}

/** The Status that ends a remotecommand stream, as the kubelet writes it on the error channel. */
export function exitStatus(exitCode: number, command: readonly string[]): Status {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** A failure that is not the command's exit code (runc could not start it, the container stopped…). */
export function errorStatus(message: string, reason = 'InternalError', code = 500): Status {
  return {
    metadata: {},
    status: 'Failure',
    message: reason === 'InternalError' ? `Internal error occurred: ${message}` : message,
    reason,
    code,
    details: { causes: [{ message }] },
  };
}

/**
 * A resize message: `{"Width":80,"Height":24}`. Keys match case-insensitively, as Go's JSON decoding
 * in the kubelet does: client-node sends `{"width":…,"height":…}`.
 */
export function parseResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const o = JSON.parse(data.toString('utf8')) as unknown;
    if (typeof o !== 'object' || o === null) return undefined;
    const get = (k: string): unknown => Object.entries(o).find(([key]) => key.toLowerCase() === k)?.[1];
    const width = get('width');
    const height = get('height');
    if (typeof width === 'number' && typeof height === 'number') return { width, height };
  } catch {
    // a malformed resize is ignored, as the kubelet does
  }
  return undefined;
}

/** Flags of an exec/attach request (`stdin=true&stdout=1…`). */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1' || v === 'True';
}
