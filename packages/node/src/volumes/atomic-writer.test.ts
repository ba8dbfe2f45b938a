import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validatePayloadPath, writeAtomically, type FileProjection } from './atomic-writer.js';

const file = (text: string, mode = 0o644): FileProjection => ({ data: Buffer.from(text), mode });

describe('writeAtomically', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lays files out as the kubelet: ..data → ..<timestamp>, key → ..data/key', async () => {
    expect(
      await writeAtomically(
        dir,
        new Map([
          ['a', file('1')],
          ['sub/b', file('2', 0o400)],
        ]),
        { clock: () => Date.UTC(2024, 4, 1, 12, 0, 0) },
      ),
    ).toBe(true);
    const ts = readlinkSync(path.join(dir, '..data'));
    expect(ts).toMatch(/^\.\.2024_05_01_12_00_00\.\d+$/);
    expect(readlinkSync(path.join(dir, 'a'))).toBe('..data/a');
    expect(readlinkSync(path.join(dir, 'sub'))).toBe('..data/sub');
    expect(readFileSync(path.join(dir, 'a'), 'utf8')).toBe('1');
    expect(readFileSync(path.join(dir, 'sub/b'), 'utf8')).toBe('2');
    expect(statSync(path.join(dir, 'sub/b')).mode & 0o777).toBe(0o400);
    expect(statSync(path.join(dir, ts)).mode & 0o777).toBe(0o755);
  });

  it('swaps to a new timestamp dir on change, removes the old one and the links of removed keys', async () => {
    await writeAtomically(
      dir,
      new Map([
        ['a', file('1')],
        ['gone', file('x')],
      ]),
    );
    const first = readlinkSync(path.join(dir, '..data'));
    expect(
      await writeAtomically(
        dir,
        new Map([
          ['a', file('2')],
          ['new', file('n')],
        ]),
      ),
    ).toBe(true);
    const second = readlinkSync(path.join(dir, '..data'));
    expect(second).not.toBe(first);
    expect(readFileSync(path.join(dir, 'a'), 'utf8')).toBe('2');
    expect(readFileSync(path.join(dir, 'new'), 'utf8')).toBe('n');
    expect(readdirSync(dir).sort()).toEqual(['..data', second, 'a', 'new'].sort());
  });

  it('writes nothing when the payload is unchanged (a mode change is a change)', async () => {
    await writeAtomically(dir, new Map([['a', file('1')]]));
    const first = readlinkSync(path.join(dir, '..data'));
    expect(await writeAtomically(dir, new Map([['a', file('1')]]))).toBe(false);
    expect(readlinkSync(path.join(dir, '..data'))).toBe(first);
    expect(await writeAtomically(dir, new Map([['a', file('1', 0o600)]]))).toBe(true);
  });

  it('rejects paths that could escape or clash with the layout', async () => {
    expect(validatePayloadPath('../x')).toMatch(/'\.\.'/);
    expect(validatePayloadPath('a/../../x')).toMatch(/'\.\.'/);
    expect(validatePayloadPath('..data')).toMatch(/start with/);
    expect(validatePayloadPath('/etc/passwd')).toMatch(/relative/);
    expect(validatePayloadPath('ok/file')).toBeUndefined();
    await expect(writeAtomically(dir, new Map([['../x', file('1')]]))).rejects.toThrow('invalid path "../x"');
  });
});
