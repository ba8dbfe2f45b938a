// A plain HTTP GET for tests that talk to a pod IP or a gateway on this machine.
import { get } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** GET http://host:port/path; rejects on a connection error or after `timeoutMs` without an answer. */
export function httpGet(host: string, port: number, path: string, timeoutMs = 10_000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET http://${host}:${port}${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}
