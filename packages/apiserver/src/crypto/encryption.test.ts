import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../storage/index.js';
import { EncryptingCodec } from './encryption.js';

const key = (name: string) => ({ name, secret: randomBytes(32).toString('base64') });

describe('EncryptingCodec', () => {
  it('never stores a secret in plaintext and reads it back', async () => {
    const codec = new EncryptingCodec([key('k1')], ['/registry/core/secrets/']);
    const json = JSON.stringify({ data: { password: 'hunter2-very-distinct' } });
    const stored = codec.encode('/registry/core/secrets/ns/s', json);
    expect(Buffer.from(stored).toString('latin1')).not.toContain('hunter2-very-distinct');
    expect(codec.decode('/registry/core/secrets/ns/s', stored)).toBe(json);
    expect(codec.encode('/registry/core/configmaps/ns/c', json)).toBe(json);
  });

  it('decrypts values written with an older key after rotation', async () => {
    const old = key('old');
    const before = new EncryptingCodec([old], ['/registry/core/secrets/']).encode(
      '/registry/core/secrets/a/b',
      '{"x":1}',
    );
    const rotated = new EncryptingCodec([key('new'), old], ['/registry/core/secrets/']);
    expect(rotated.decode('/registry/core/secrets/a/b', before)).toBe('{"x":1}');
    expect(Buffer.from(rotated.encode('/registry/core/secrets/a/b', '{"x":1}')).toString('latin1')).toContain(':new:');
  });

  it('refuses a value moved to another key (the key is authenticated data)', async () => {
    const codec = new EncryptingCodec([key('k')], ['/registry/core/secrets/']);
    const v = codec.encode('/registry/core/secrets/a/b', '{}');
    expect(() => codec.decode('/registry/core/secrets/a/c', v)).toThrow();
  });
});

describe('key rotation in the store', () => {
  it('rewrites secrets stored under an old key with the new primary key', async () => {
    const old = key('old');
    const prefix = '/registry/core/secrets/';
    const path = join(mkdtempSync(join(tmpdir(), 'wharf-rot-')), 'db.sqlite');
    const s1 = new SqliteStore({ path, codec: new EncryptingCodec([old], [prefix]) });
    await s1.create(`${prefix}a/s`, (rv) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      data: { p: 'c2VjcmV0' },
      metadata: { name: 's', namespace: 'a', uid: 'u', resourceVersion: String(rv), creationTimestamp: 'x' },
    }));
    await s1.close();
    const fresh = key('new');
    const rotated = new EncryptingCodec([fresh, old], [prefix]);
    const s2 = new SqliteStore({ path, codec: rotated });
    expect(await s2.rewriteStale(prefix, (raw) => rotated.isStale(raw))).toBe(1);
    expect(await s2.rewriteStale(prefix, (raw) => rotated.isStale(raw))).toBe(0);
    expect(s2.get(`${prefix}a/s`)?.data).toEqual({ p: 'c2VjcmV0' });
    await s2.close();
    // The old key can now be dropped: only the new one is needed to read.
    const s3 = new SqliteStore({ path, codec: new EncryptingCodec([fresh], [prefix]) });
    expect(s3.get(`${prefix}a/s`)?.metadata.resourceVersion).toBe('2');
  });
});
