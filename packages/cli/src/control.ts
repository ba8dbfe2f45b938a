// The control socket of a running `wharf up` (DIR/wharf.sock, root-only): how `wharf node fail`,
// `restore` and `upgrade` reach the process that owns the node agents.
import { createServer, request, type Server } from 'node:http';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export type ControlHandler = (action: string, target: string) => Promise<void>;

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, 'wharf.sock');
}

export async function serveControl(dataDir: string, handle: ControlHandler): Promise<Server> {
  const path = controlSocketPath(dataDir);
  if (existsSync(path)) rmSync(path);
  const server = createServer((req, res) => {
    const m = /^\/nodes\/([a-z0-9-]+)\/(fail|restore|upgrade)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) {
      res.writeHead(404).end('unknown control request\n');
      return;
    }
    handle(m[2] as string, m[1] as string).then(
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
