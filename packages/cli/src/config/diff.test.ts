import { describe, expect, it } from 'vitest';
import { changesBetween, renderChange, renderChanges } from './diff.js';

describe('config diffs', () => {
  const v1 = {
    data: { GREETING: 'hello', 'site.conf': 'a\nb\nc\n', OLD: 'x' },
    binaryData: { 'logo.png': Buffer.from([1, 2, 3]).toString('base64') },
  };
  const v2 = {
    data: { GREETING: 'hi', 'site.conf': 'a\nB\nc\n', NEW: 'y' },
    binaryData: { 'logo.png': Buffer.from([1, 2, 3, 4]).toString('base64') },
  };

  it('lists added, changed and removed keys, text and binary', () => {
    expect(changesBetween(v1, v2)).toEqual([
      { key: 'GREETING', change: 'changed', before: 'hello', after: 'hi' },
      { key: 'NEW', change: 'added', after: 'y' },
      { key: 'OLD', change: 'removed', before: 'x' },
      { key: 'logo.png', change: 'changed', binary: { before: 3, after: 4 } },
      { key: 'site.conf', change: 'changed', before: 'a\nb\nc\n', after: 'a\nB\nc\n' },
    ]);
    expect(changesBetween(v1, v1)).toEqual([]);
  });

  it('renders a unified diff per key, and binary keys by size', () => {
    const out = renderChanges(changesBetween(v1, v2), { from: 'version 1', to: 'version 2' });
    expect(out).toContain('--- GREETING (version 1)\n+++ GREETING (version 2)\n@@ -1,1 +1,1 @@\n-hello\n+hi\n');
    expect(out).toContain('@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
    expect(out).toContain('logo.png: binary, changed (3 → 4 bytes)\n');
    expect(out).toContain('--- NEW (version 1)\n+++ NEW (version 2)\n@@ -0,0 +1,1 @@\n+y\n');
  });

  it('never shows a secret value: a secret key only says what happened', () => {
    const [c] = changesBetween({ data: { DB_PASSWORD: 's3cret-old' } }, { data: { DB_PASSWORD: 's3cret-new' } });
    const out = renderChange(c!, { from: 'a', to: 'b', secret: true });
    expect(out).toBe('DB_PASSWORD: changed (secret value not shown)\n');
    expect(out).not.toContain('s3cret');
  });
});
