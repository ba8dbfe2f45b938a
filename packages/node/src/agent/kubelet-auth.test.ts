// The agent's port 10250 as a pod sees it: HTTPS under the node's certificate, 401 without a token
// that authenticates, 403 for a user without the Node subresource the path maps to, the page for
// one with it; the reviews are cached as the kubelet caches them.
import { request } from 'node:https';
import { silentLogger, type ReviewedUser } from '@wharf/client';
import { servingCertificate } from '@wharf/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeletAttributes, kubeletGate, type KubeletAttributes, type Reviews } from './kubelet-auth.js';
import { LogServer } from './logs.js';

describe('kubeletAttributes', () => {
  it('maps paths to Node subresources and methods to verbs, as the kubelet does', () => {
    expect(kubeletAttributes('GET', '/metrics/resource')).toEqual({ verb: 'get', subresource: 'metrics' });
    expect(kubeletAttributes('GET', '/metrics/cadvisor?x=1')).toEqual({ verb: 'get', subresource: 'metrics' });
    expect(kubeletAttributes('GET', '/metrics')).toEqual({ verb: 'get', subresource: 'metrics' });
    expect(kubeletAttributes('GET', '/stats/summary')).toEqual({ verb: 'get', subresource: 'stats' });
    expect(kubeletAttributes('GET', '/logs/')).toEqual({ verb: 'get', subresource: 'log' });
    expect(kubeletAttributes('GET', '/containerLogs/ns/p/c')).toEqual({ verb: 'get', subresource: 'proxy' });
    expect(kubeletAttributes('POST', '/exec/ns/p/c')).toEqual({ verb: 'create', subresource: 'proxy' });
    expect(kubeletAttributes('GET', '/metricsx')).toEqual({ verb: 'get', subresource: 'proxy' });
  });
});

const tls = servingCertificate(['node-0'], ['127.0.0.1']);

function get(port: number, path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, ca: tls.ca, headers: token ? { Authorization: `Bearer ${token}` } : {} },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the kubelet port (TLS, TokenReview, SubjectAccessReview)', () => {
  let server: LogServer;
  let port: number;
  let now = 0;
  const calls: string[] = [];
  // Tokens and what their users may do on nodes/<subresource> (the API's answers).
  const users: Record<string, ReviewedUser> = {
    scraper: { username: 'system:serviceaccount:mon:scraper', groups: ['system:serviceaccounts'] },
    nobody: { username: 'system:serviceaccount:mon:nobody' },
  };
  const grants = new Map<string, Set<string>>([['system:serviceaccount:mon:scraper', new Set(['get metrics'])]]);
  const reviews: Reviews = {
    authenticate: async (token) => (calls.push(`authn ${token}`), users[token]),
    authorize: async (user: ReviewedUser, node: string, a: KubeletAttributes) => {
      calls.push(`authz ${user.username} ${a.verb} nodes/${a.subresource} ${node}`);
      return grants.get(user.username)?.has(`${a.verb} ${a.subresource}`) ?? false;
    },
  };

  beforeAll(async () => {
    server = new LogServer(async () => 'no such pod', silentLogger, undefined, {
      page: async (p: string) => (p === '/metrics/resource' ? { contentType: 'text/plain', body: 'm 1\n' } : undefined),
    });
    port = await server.startTls(0, '127.0.0.1', tls, kubeletGate({ reviews, nodeName: 'node-0', now: () => now }));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers 401 without a token or with one that does not authenticate', async () => {
    expect((await get(port, '/metrics/resource')).status).toBe(401);
    expect((await get(port, '/metrics/resource', 'forged')).status).toBe(401);
  });

  it('answers 403 to a user the API does not allow nodes/metrics, the page to one it does', async () => {
    expect(await get(port, '/metrics/resource', 'nobody')).toEqual({ status: 403, body: 'Forbidden\n' });
    expect(await get(port, '/metrics/resource', 'scraper')).toEqual({ status: 200, body: 'm 1\n' });
    // nodes/metrics is not nodes/proxy: the same user may not read logs.
    expect((await get(port, '/containerLogs/ns/p/c', 'scraper')).status).toBe(403);
    expect(calls).toContain('authz system:serviceaccount:mon:scraper get nodes/metrics node-0');
    expect(calls).toContain('authz system:serviceaccount:mon:scraper get nodes/proxy node-0');
  });

  it('caches reviews: allowed for 5 minutes, denied for 30 seconds', async () => {
    calls.length = 0;
    grants.get('system:serviceaccount:mon:scraper')!.add('get proxy');
    expect((await get(port, '/metrics/resource', 'scraper')).status).toBe(200);
    expect((await get(port, '/containerLogs/ns/p/c', 'scraper')).status).toBe(403);
    expect(calls).toEqual([]);
    now += 31_000;
    expect((await get(port, '/containerLogs/ns/p/c', 'scraper')).status).toBe(404);
    expect(calls).toEqual(['authz system:serviceaccount:mon:scraper get nodes/proxy node-0']);
  });
});
