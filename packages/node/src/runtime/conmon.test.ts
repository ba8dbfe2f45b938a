import { describe, expect, it } from 'vitest';
import { conmonArgs, parseSyncMessage } from './conmon.js';

const o = { conmon: '/usr/bin/conmon', runc: '/usr/sbin/runc', runcRoot: '/s/runc' };

describe('conmon command line', () => {
  it('runs runc create in the bundle with the CRI log, exit dir and attach socket in the container dir', () => {
    const args = conmonArgs(o, { id: 'c1', dir: '/s/containers/c1', logPath: '/s/logs/p/c/0.log' });
    const flag = (f: string): string | undefined => args[args.indexOf(f) + 1];
    expect(flag('--api-version')).toBe('1');
    expect(flag('-c')).toBe('c1');
    expect(flag('-r')).toBe('/usr/sbin/runc');
    expect(flag('-b')).toBe('/s/containers/c1');
    expect(flag('-l')).toBe('k8s-file:/s/logs/p/c/0.log');
    expect(flag('--exit-dir')).toBe('/s/containers/c1/exits');
    expect(flag('-P')).toBe('/s/containers/c1/conmon.pid');
    expect(args).toContain('--full-attach');
    expect(args).toContain('--root=/s/runc');
    expect(args).not.toContain('-t');
    expect(args).not.toContain('-i');
  });
  it('asks for a terminal and stdin; stdin stays open across attaches unless stdinOnce', () => {
    expect(conmonArgs(o, { id: 'c', dir: '/d', logPath: '/l', tty: true, stdin: true })).toEqual(
      expect.arrayContaining(['-t', '-i', '--leave-stdin-open']),
    );
    expect(conmonArgs(o, { id: 'c', dir: '/d', logPath: '/l', stdin: true, stdinOnce: true })).not.toContain(
      '--leave-stdin-open',
    );
  });
});

describe('the sync pipe', () => {
  it("gives the container pid once created, or runc's error", () => {
    expect(parseSyncMessage('{"data": 4242}\n')).toEqual({ pid: 4242 });
    expect(
      parseSyncMessage(
        '{"data": -1, "message": "runc create failed: exec: \\"nope\\": executable file not found in $PATH\\n"}\n',
      ),
    ).toEqual({
      error: 'runc create failed: exec: "nope": executable file not found in $PATH',
    });
    expect(parseSyncMessage('garbage')).toEqual({ error: expect.stringContaining('sync pipe') });
  });
});
