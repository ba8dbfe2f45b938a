// Goes around the API server to an aggregated API's backend, as a local attacker would: straight
// to the loopback port its Endpoints name, over TLS without a client certificate, claiming to be
// an administrator in the X-Remote-* headers. A backend that checks the front proxy refuses it.
import https from 'node:https';
import type { Kubectl } from './kubectl.js';

export async function askBackendDirectly(
  k: Kubectl,
  namespace: string,
  service: string,
  path: string,
): Promise<{ status: number; body: string }> {
  const port = Number(
    await k.ok(['get', 'endpoints', service, '-n', namespace, '-o', 'jsonpath={.subsets[0].ports[0].port}']),
  );
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        rejectUnauthorized: false,
        timeout: 10_000,
        headers: { 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters' },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${service}.${namespace}: no answer within 10 s`)));
    req.on('error', reject);
  });
}
