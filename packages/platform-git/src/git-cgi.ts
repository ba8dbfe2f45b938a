// One smart-HTTP request served by Debian's `git http-backend` as a CGI program (RFC 3875): the
// request's method, path and headers as environment variables, its body on stdin, and the
// program's "Status:"/header block then body relayed as the HTTP response. The body is counted
// on the way in: past `maxBodyBytes` the program is killed and the client gets 413.
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CgiOptions {
  /** GIT_PROJECT_ROOT: the directory the repositories are under. */
  readonly projectRoot: string;
  /** The path below the project root, e.g. /team-a/shop.git/info/refs. */
  readonly pathInfo: string;
  readonly remoteUser?: string;
  readonly maxBodyBytes: number;
}

export function runGitHttpBackend(req: IncomingMessage, res: ServerResponse, o: CgiOptions): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > o.maxBodyBytes) {
    res
      .writeHead(413, { 'content-type': 'text/plain' })
      .end(`request body of ${declared} bytes is over the limit of ${o.maxBodyBytes}\n`);
    req.resume();
    return Promise.resolve();
  }
  const query = (req.url ?? '').split('?')[1] ?? '';
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: o.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: o.pathInfo,
    REQUEST_METHOD: req.method,
    QUERY_STRING: query,
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    REMOTE_USER: o.remoteUser ?? '',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    // Authorization already happened (RBAC): receive-pack is enabled for whoever got this far.
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
  };
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let received = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > o.maxBodyBytes && !tooLarge) {
      tooLarge = true;
      child.kill('SIGKILL');
      req.unpipe(child.stdin);
    }
  });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined); // the program may exit before reading all (e.g. on a bad request)
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4096)));

  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) return;
    const sep = end === crlf ? 4 : 2;
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i <= 0) continue;
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]) || 500;
      else headers[name] = value;
    }
    headersSent = true;
    res.writeHead(status, headers);
    res.write(head.subarray(end + sep));
  });

  return new Promise((resolve) => {
    child.on('error', (e) => {
      if (!res.headersSent)
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`git http-backend did not start: ${e.message}\n`);
      resolve();
    });
    child.on('close', (code) => {
      if (tooLarge) {
        if (!res.headersSent)
          res
            .writeHead(413, { 'content-type': 'text/plain', connection: 'close' })
            .end(`request body is over the limit of ${o.maxBodyBytes} bytes\n`);
        else res.destroy();
      } else if (!headersSent) {
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`git http-backend exited ${code}: ${stderr.trim().split('\n').pop() ?? ''}\n`);
      } else res.end();
      resolve();
    });
  });
}
