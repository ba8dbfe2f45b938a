import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogArchive } from './archive.js';
import { streamLogs } from './stream.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const archive = (): LogArchive => {
  const d = mkdtempSync(join(tmpdir(), 'wharf-archive-'));
  dirs.push(d);
  return new LogArchive(d);
};
const base = {
  namespace: 'ci',
  taskRun: 'run-build',
  pipelineRun: 'run',
  pipelineTask: 'build',
  created: '2026-12-01T00:00:00Z',
};
const step = (name: string, attempt = 0) => ({
  step: name,
  pod: `run-build-pod${attempt ? `-retry${attempt}` : ''}`,
  container: `step-${name}`,
  attempt,
  complete: false,
});

describe('archived step logs as one stream', () => {
  it('reads every step in order with [task:step] prefixes, across partial lines', async () => {
    const a = archive();
    a.open(base, step('compile'));
    a.append('ci', 'run-build', step('compile'), 'one\ntw');
    a.append('ci', 'run-build', step('compile'), 'o\n');
    a.complete('ci', 'run-build', step('compile'));
    a.open(base, step('test'));
    a.append('ci', 'run-build', step('test'), 'ok\n');
    let out = '';
    await streamLogs(
      a,
      { taskRuns: () => a.list('ci'), over: () => true, prefix: 'task' },
      { write: (t) => (out += t), closed: () => false },
      false,
    );
    expect(out).toBe('[build:compile] one\n[build:compile] two\n[build:test] ok\n');
  });

  it('follows a step until it is complete and the run is over, then ends', async () => {
    const a = archive();
    a.open(base, step('compile'));
    let over = false;
    let out = '';
    const following = streamLogs(
      a,
      { taskRuns: () => a.list('ci'), over: () => over, prefix: 'none' },
      { write: (t) => (out += t), closed: () => false },
      true,
    );
    a.append('ci', 'run-build', step('compile'), 'first\n');
    await new Promise((r) => setTimeout(r, 400));
    a.append('ci', 'run-build', step('compile'), 'second\n');
    a.complete('ci', 'run-build', step('compile'));
    over = true;
    await following;
    expect(out).toBe('first\nsecond\n');
  });

  it('keeps retries apart and reads one step with ?step=', async () => {
    const a = archive();
    for (const s of [step('compile'), step('compile', 1)]) {
      a.open(base, s);
      a.append('ci', 'run-build', s, `attempt ${s.attempt}\n`);
      a.complete('ci', 'run-build', s);
    }
    let out = '';
    await streamLogs(
      a,
      { taskRuns: () => a.list('ci'), over: () => true, prefix: 'step' },
      { write: (t) => (out += t), closed: () => false },
      false,
    );
    expect(out).toBe('[compile] attempt 0\n[compile (retry 1)] attempt 1\n');
    expect(() => a.open({ ...base, taskRun: '../etc' }, step('x'))).toThrow('invalid archive name');
  });
});
