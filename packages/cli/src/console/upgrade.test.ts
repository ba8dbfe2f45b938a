import { describe, expect, it } from 'vitest';
import { upstreamHead } from './upgrade.js';

describe('upstreamHead', () => {
  it('moves the bearer sub-protocol into Authorization and offers the rest', () => {
    const token = 'abc.def-ghi';
    const head = upstreamHead(
      {
        method: 'GET',
        url: '/api/v1/namespaces/d/pods/p/exec?command=sh',
        headers: {
          'sec-websocket-protocol': `v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`,
          'sec-websocket-key': 'k',
          cookie: 'c=1',
        },
      },
      { host: '127.0.0.1', port: 6443 },
    );
    expect(head).toContain('Authorization: Bearer abc.def-ghi\r\n');
    expect(head).toContain('Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n');
    expect(head).not.toContain('base64url.bearer');
    expect(head).not.toContain('cookie');
    expect(
      head.startsWith('GET /api/v1/namespaces/d/pods/p/exec?command=sh HTTP/1.1\r\nHost: 127.0.0.1:6443\r\n'),
    ).toBe(true);
  });
});
