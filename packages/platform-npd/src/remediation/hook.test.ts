import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runHook } from './hook.js';
import { withDefaults } from './policy.js';

const policy = (hook: Record<string, unknown>) =>
  withDefaults({ metadata: { name: 'deadlock' }, spec: { conditionType: 'KernelDeadlock', hook } });

describe('the remediation hook', () => {
  it('runs a command with the node in its environment; a failing command is a failed step', async () => {
    expect(
      await runHook(policy({ command: ['sh', '-c', 'echo "reboot $NODE_NAME for $CONDITION_TYPE"'] }), 'n1'),
    ).toEqual({ ok: true, detail: 'command succeeded: reboot n1 for KernelDeadlock' });
    expect((await runHook(policy({ command: ['sh', '-c', 'exit 3'] }), 'n1')).ok).toBe(false);
  });

  it('posts the node, policy and condition to a webhook; a non-2xx answer is a failed step', async () => {
    const bodies: unknown[] = [];
    let status = 200;
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(b));
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reboot`;
    try {
      expect(await runHook(policy({ webhook: { url } }), 'n1')).toEqual({ ok: true, detail: 'webhook answered 200' });
      status = 503;
      expect(await runHook(policy({ webhook: { url } }), 'n1')).toEqual({ ok: false, detail: 'webhook answered 503' });
      expect(bodies[0]).toEqual({ node: 'n1', policy: 'deadlock', conditionType: 'KernelDeadlock' });
    } finally {
      server.close();
    }
  });
});
