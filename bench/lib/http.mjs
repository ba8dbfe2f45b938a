// The benchmark's HTTP client: node's https Agent with keep-alive, one socket per concurrent
// worker, bodies read to the end and returned as text. Both Wharf and etcd are driven through it.
import https from 'node:https';

export class HttpError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path} → ${status}: ${String(body).slice(0, 300)}`);
    this.status = status;
  }
}

export class Client {
  /**
   * @param {{ host: string, port: number, ca: string, headers?: Record<string,string>, maxSockets?: number }} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.agent = new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 256, ca: opts.ca });
  }

  /** Sends a request and resolves with the response text; non-2xx rejects with HttpError. */
  request(method, path, body, headers = {}) {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.opts.host,
          port: this.opts.port,
          method,
          path,
          agent: this.agent,
          headers: {
            Accept: 'application/json',
            ...(this.opts.headers ?? {}),
            ...(payload !== undefined
              ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
              : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode >= 200 && res.statusCode < 300) resolve(text);
            else reject(new HttpError(method, path, res.statusCode, text));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async json(method, path, body, headers) {
    return JSON.parse(await this.request(method, path, body, headers));
  }

  /**
   * Opens a streaming GET (a watch) and calls `onLine(line, receivedAt)` for every complete line.
   * Resolves once the response headers arrive, with a `close()` function.
   */
  stream(path, onLine, agent) {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.opts.host,
          port: this.opts.port,
          method: 'GET',
          path,
          agent,
          ca: this.opts.ca,
          headers: { Accept: 'application/json', ...(this.opts.headers ?? {}) },
        },
        (res) => {
          if (res.statusCode !== 200) {
            reject(new HttpError('GET', path, res.statusCode, ''));
            res.resume();
            return;
          }
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            const at = performance.now();
            buf += chunk;
            let nl;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (line) onLine(line, at);
            }
          });
          res.on('error', () => {});
          resolve({ close: () => req.destroy() });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close() {
    this.agent.destroy();
  }
}
