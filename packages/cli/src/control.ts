// The control socket of a running `wharf up` (DIR/wharf.sock, root-only): how `wharf node fail`,
// `restore` and `upgrade` reach the process that owns the node agents, and how `wharf cluster
// upgrade` restarts one API server member of three, or has the next stop leave the other two serving.
import { createServer, request, type Server } from 'node:http';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** What a control request asks of `wharf up`. */
export type ControlRequest =
  | { readonly kind: 'node'; readonly action: 'fail' | 'restore' | 'upgrade'; readonly node: string }
  /** Restart API server member 1 or 2 (at the version the data dir is pinned to). */
  | { readonly kind: 'member'; readonly member: number }
  /** The next stop leaves members 1 and 2, the etcd members and the balancer running: member 0 alone restarts. */
  | { readonly kind: 'handover' };

export type ControlHandler = (request: ControlRequest) => Promise<void>;

/** The request a control path names, or undefined. */
export function parseControl(path: string): ControlRequest | undefined {
  const node = /^\/nodes\/([a-z0-9-]+)\/(fail|restore|upgrade)$/.exec(path);
  if (node) return { kind: 'node', action: node[2] as 'fail' | 'restore' | 'upgrade', node: node[1] as string };
  const member = /^\/members\/([12])\/restart$/.exec(path);
  if (member) return { kind: 'member', member: Number(member[1]) };
  return path === '/handover' ? { kind: 'handover' } : undefined;
}

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, 'wharf.sock');
}

export async function serveControl(dataDir: string, handle: ControlHandler): Promise<Server> {
  const path = controlSocketPath(dataDir);
  if (existsSync(path)) rmSync(path);
  const server = createServer((req, res) => {
    const r = parseControl(req.url ?? '');
    if (req.method !== 'POST' || !r) {
      res.writeHead(404).end('unknown control request\n');
      return;
    }
    handle(r).then(
      () => res.writeHead(200).end('ok\n'),
      (e: unknown) => res.writeHead(400).end(`${(e as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  chmodSync(path, 0o600);
  return server;
}

/** Whether a `wharf up` of `dataDir` is running (its control socket accepts a connection). */
export function isRunning(dataDir: string): Promise<boolean> {
  const socketPath = controlSocketPath(dataDir);
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const s = connect(socketPath);
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Sends a control request to the running Wharf of `dataDir`. */
export function sendControl(dataDir: string, path: string): Promise<string> {
  const socketPath = controlSocketPath(dataDir);
  if (!existsSync(socketPath)) return Promise.reject(new Error(`no running Wharf found in ${dataDir}`));
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'POST' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(body.trim()))));
    });
    req.on('error', reject);
    req.end();
  });
}
