import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkLogLevel, chooseLogFormat, cliLogger, type LogFormat } from './log.js';

function written(format: LogFormat, level = 'info'): { logger: ReturnType<typeof cliLogger>; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write: (c: Buffer, _e, done) => {
      chunks.push(c.toString());
      done();
    },
  });
  return { logger: cliLogger({ format, level, destination }), text: () => chunks.join('') };
}

describe('chooseLogFormat', () => {
  it('is text on a terminal and JSON otherwise, unless --log-format says', () => {
    expect(chooseLogFormat(undefined, true)).toBe('text');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('text', false)).toBe('text');
  });

  it('names the choices for anything else', () => {
    expect(() => chooseLogFormat('yaml', true)).toThrow('--log-format must be one of json, text, got "yaml"');
    expect(() => checkLogLevel('loud')).toThrow(
      '--log-level must be one of trace, debug, info, warn, error, fatal, silent, got "loud"',
    );
    expect(checkLogLevel(undefined)).toBe('info');
  });
});

describe('cliLogger', () => {
  it('json: one JSON object a line with level, msg and fields', () => {
    const { logger, text } = written('json');
    logger.child({ component: 'apiserver' }).info({ url: 'https://127.0.0.1:6443' }, 'wharf is ready');
    const line = JSON.parse(text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 30,
      name: 'wharf',
      component: 'apiserver',
      url: 'https://127.0.0.1:6443',
      msg: 'wharf is ready',
    });
    expect(line).not.toHaveProperty('pid');
  });

  it('text: a line a person reads (time, level, where, message, other fields; an error below it), no colours unless asked', () => {
    const { logger, text } = written('text');
    logger
      .child({ component: 'node-agent', node: 'node-0' })
      .warn({ err: new Error('connection refused'), attempt: 2 }, 'heartbeat failed');
    logger.info('wharf is ready');
    const lines = text().split('\n');
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: node-agent node-0: heartbeat failed \{.*"attempt":2.*\}$/,
    );
    // The error follows, indented, with its stack.
    expect(lines[1]).toBe('    err: {');
    expect(text()).toContain('"message": "connection refused"');
    expect(lines.at(-2)).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: wharf is ready$/);
    expect(text()).not.toContain('"level"');
    expect(text()).not.toContain('\u001b[');
  });

  it('leaves out what is below --log-level', () => {
    const { logger, text } = written('json', 'warn');
    logger.info('started');
    logger.error('failed');
    expect(
      text()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ).toEqual(['failed']);
  });
});
