// What `wharf up` logs, as a user or a log collector reads it: JSON lines when stdout is not a
// terminal (each with level, msg and the component's fields), readable lines with
// --log-format text, normal events (leader election, ready, stopping) at info and never error,
// no token in the output, and a bad --log-format/--log-level refused in one line with exit 1.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);

interface Line {
  level: number;
  msg: string;
  component?: string;
  [k: string]: unknown;
}

/** The JSON log lines (the "Wharf is up. Try:" banner is plain text on stdout). */
function jsonLines(output: string): Line[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

/** Every token of the data dir's tokens.csv (admin and nodes). */
function tokensOf(dataDir: string): string[] {
  return readFileSync(join(dataDir, 'tokens.csv'), 'utf8')
    .split('\n')
    .map((l) => l.split(',')[0] ?? '')
    .filter((t) => t.length >= 16);
}

describe('wharf up logs', () => {
  let wharf: WharfProcess | undefined;
  afterAll(async () => {
    await wharf?.stop();
    if (wharf) rmSync(wharf.dataDir, { recursive: true, force: true });
  });

  it('writes JSON lines when stdout is a pipe: ready and leader election at info, stopping logged, nothing at error, no token', async () => {
    wharf = await WharfProcess.start();
    // The controller manager logs its election after the ready line: wait for it.
    const deadline = Date.now() + 20_000;
    while (!jsonLines(wharf.output).some((l) => l.msg.startsWith('leader election:')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    // On a failed stop, the error lines say why (a stop over 15 s, or which part failed).
    const code = await wharf.stop();
    expect(
      code,
      jsonLines(wharf.output)
        .filter((l) => l.level >= 50)
        .map((l) => JSON.stringify(l))
        .join('\n'),
    ).toBe(0);
    const lines = jsonLines(wharf.output);
    const nonJson = wharf.output.split('\n').filter((l) => l.trim() && !l.startsWith('{'));
    // The banner for people: how to use the cluster, open the console and clone from the built-in git server.
    expect(nonJson).toEqual([
      'Wharf is up. Try:',
      expect.stringContaining('kubectl --kubeconfig'),
      expect.stringMatching(/^ {2}open http:\/\/localhost:\d+ {3}\(sign in: wharf console --data-dir /),
      expect.stringMatching(/^ {2}git clone http:\/\/127\.0\.0\.1:\d+\/git\/<namespace>\/<repository>\.git/),
    ]);
    expect(lines.find((l) => l.msg === 'wharf is ready')).toMatchObject({
      level: 30,
      name: 'wharf',
      kubeconfig: join(wharf.dataDir, 'kubeconfig'),
    });
    expect(lines.find((l) => l.msg.startsWith('leader election:'))).toMatchObject({
      level: 30,
      component: 'controller-manager',
      msg: 'leader election: this manager leads; starting controllers',
    });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    for (const token of tokensOf(wharf.dataDir)) expect(wharf.output).not.toContain(token);
  });

  it('writes readable lines with --log-format text', async () => {
    await wharf!.restart({ extraArgs: ['--log-format', 'text'] });
    const code = await wharf!.stop();
    // On failure, say why: the text format's ERROR/FATAL lines and the last lines before exit.
    expect(
      code,
      [
        ...wharf!.output.split('\n').filter((l) => /\] (ERROR|FATAL):/.test(l)),
        ...wharf!.output.trim().split('\n').slice(-5),
      ].join('\n'),
    ).toBe(0);
    expect(wharf!.output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: wharf is ready \{"dataDir":.*"kubeconfig":.*\}$/m);
    expect(wharf!.output).toMatch(
      /^\[[\d:.]+\] INFO: controller-manager: leader election: this manager leads; starting controllers/m,
    );
    expect(wharf!.output).not.toContain('{"level"');
  });

  it('refuses a bad --log-format or --log-level in one line, exit 1, before starting anything', async () => {
    for (const [flag, value, choices] of [
      ['--log-format', 'xml', 'json, text'],
      ['--log-level', 'loud', 'trace, debug, info, warn, error, fatal, silent'],
    ] as const) {
      const r = await run(process.execPath, [WHARF_BIN, 'up', '--data-dir', wharf!.dataDir, flag, value]).then(
        () => undefined,
        (e: { code: number; stderr: string; stdout: string }) => e,
      );
      expect(r).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `wharf: ${flag} must be one of ${choices}, got "${value}"\n`,
      });
    }
  });
});
