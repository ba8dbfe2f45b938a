// The spawner helper as a real process: commands, their input, output, exit codes and timeouts.
import { describe, expect, it } from 'vitest';
import { Spawner } from './spawner.js';

describe('Spawner', () => {
  const s = new Spawner();
  it('runs commands with input, environment and exit codes, several at once', async () => {
    const [a, b, c] = await Promise.all([
      s.run({
        file: '/bin/sh',
        args: ['-c', 'cat; echo "$X" >&2; exit 3'],
        input: 'in',
        env: { X: 'x-value', PATH: '/bin:/usr/bin' },
        timeoutMs: 5000,
      }),
      s.run({ file: '/bin/echo', args: ['hello'], timeoutMs: 5000 }),
      s.run({ file: '/nonexistent/cmd', args: [], timeoutMs: 5000 }),
    ]);
    expect(a).toEqual({ code: 3, stdout: 'in', stderr: 'x-value\n' });
    expect(b).toEqual({ code: 0, stdout: 'hello\n', stderr: '' });
    expect(c.code).toBe(127);
    expect(c.stderr).toContain('/nonexistent/cmd');
  });
  it('kills a command past its timeout (128 + SIGKILL)', async () => {
    expect((await s.run({ file: '/bin/sleep', args: ['10'], timeoutMs: 200 })).code).toBe(137);
  });
});
