import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editedContent, fileValue, patchOf } from './content.js';

describe('config set arguments', () => {
  const before = { data: { GREETING: 'hello', PORT: '80' }, binaryData: { 'logo.png': 'AQID' } };

  it('sets, replaces and removes keys; values may hold "="', () => {
    const after = editedContent(before, ['GREETING=hi', 'QUERY=a=b'], [['logo.png', { text: 'now text' }]], ['PORT']);
    expect(after).toEqual({ data: { GREETING: 'hi', QUERY: 'a=b', 'logo.png': 'now text' } });
    expect(patchOf(before, after)).toEqual({
      data: { GREETING: 'hi', QUERY: 'a=b', 'logo.png': 'now text', PORT: null },
      binaryData: { 'logo.png': null },
    });
  });

  it('names the bad argument', () => {
    expect(() => editedContent(before, ['GREETING'], [], [])).toThrow('KEY=VALUE GREETING: expected KEY=VALUE');
    expect(() => editedContent(before, [], [], ['NOPE'])).toThrow('--unset NOPE: the configset has no key NOPE');
  });

  it('reads UTF-8 files as text and anything else as binary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-cfg-'));
    writeFileSync(join(dir, 'a.conf'), 'key = välue\n');
    writeFileSync(join(dir, 'b.bin'), Buffer.from([0xff, 0x00, 0x01]));
    expect(fileValue(join(dir, 'a.conf'))).toEqual({ text: 'key = välue\n' });
    expect(fileValue(join(dir, 'b.bin'))).toEqual({ base64: '/wAB' });
  });
});
