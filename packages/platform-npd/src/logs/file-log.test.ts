import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLogSource } from './file-log.js';
import type { Cursor, LogLine } from './log-line.js';

/** Reads what the source delivers until `want` lines came (or 5 s passed), then stops it. */
async function read(path: string, want: number, cursor?: Cursor): Promise<{ lines: string[]; cursor?: Cursor }> {
  const got: string[] = [];
  let last: Cursor | undefined;
  const src = new FileLogSource({
    path,
    parse: (l) => (l ? { timeMs: 0, message: l } : undefined),
    pollMs: 20,
    ...(cursor ? { cursor } : {}),
  });
  src.start((lines: readonly LogLine[], c) => {
    got.push(...lines.map((l) => l.message));
    last = c;
  });
  const deadline = Date.now() + 5000;
  while (got.length < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100)); // anything extra would arrive now
  await src.stop();
  return { lines: got, ...(last ? { cursor: last } : {}) };
}

describe('FileLogSource', () => {
  it('resumes after its cursor, holds back an unfinished line, and starts over on rotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npd-file-'));
    const path = join(dir, 'kern.log');
    writeFileSync(path, 'one\ntwo\nhalf');
    const first = await read(path, 2);
    expect(first.lines).toEqual(['one', 'two']);
    appendFileSync(path, ' done\nthree\n');
    // A restart with the saved cursor: neither "one" nor "two" again.
    const second = await read(path, 2, first.cursor);
    expect(second.lines).toEqual(['half done', 'three']);
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'after rotation\n');
    expect((await read(path, 1, second.cursor)).lines).toEqual(['after rotation']);
  });
});
