// One request from the console's server to the API server, answered in full: the directory
// sign-in's trade and the access questions the Alertmanager gateway asks as the user.
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { ApiTarget } from './proxy.js';

export interface ApiAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly text: string;
}

export function callApi(
  api: ApiTarget,
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: api.host,
        port: api.port,
        ca: api.ca,
        method,
        path,
        headers: {
          accept: 'application/json',
          ...(body !== undefined
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
            : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
