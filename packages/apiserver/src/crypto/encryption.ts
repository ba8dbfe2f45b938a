// Encryption at rest for secrets: an AES-256-GCM envelope whose keys live in a file in the data
// dir. The first key encrypts; every listed key decrypts, so a new key can be put first and the
// old one dropped once every secret has been rewritten (docs/security.md has the procedure).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ValueCodec } from '../storage/index.js';

const PREFIX = 'k8s:enc:aesgcm:v1:';

export interface EncryptionKey {
  name: string;
  /** 32 bytes, base64. */
  secret: string;
}

export function loadOrCreateKeys(path: string): EncryptionKey[] {
  if (!existsSync(path)) {
    const keys = [{ name: `key-${Date.now()}`, secret: randomBytes(32).toString('base64') }];
    writeFileSync(path, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
    return keys;
  }
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { keys?: EncryptionKey[] };
  const keys = parsed.keys ?? [];
  if (!keys.length) throw new Error(`${path} lists no encryption keys`);
  for (const k of keys) {
    if (Buffer.from(k.secret, 'base64').length !== 32)
      throw new Error(`${path}: key "${k.name}" must be 32 bytes of base64`);
  }
  return keys;
}

/** Encrypts values whose storage key starts with one of `prefixes`; other values stay as they are. */
export class EncryptingCodec implements ValueCodec {
  private readonly byName: Map<string, Buffer>;

  constructor(
    private readonly keys: EncryptionKey[],
    private readonly prefixes: string[],
  ) {
    this.byName = new Map(keys.map((k) => [k.name, Buffer.from(k.secret, 'base64')]));
  }

  private applies(key: string): boolean {
    return this.prefixes.some((p) => key.startsWith(p));
  }

  encode(key: string, json: string): Buffer | string {
    if (!this.applies(key)) return json;
    const k = this.keys[0] as EncryptionKey;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.byName.get(k.name) as Buffer, iv);
    cipher.setAAD(Buffer.from(key));
    const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from(`${PREFIX}${k.name}:`), iv, body, cipher.getAuthTag()]);
  }

  /** True when a stored value is plaintext or encrypted with a key other than the primary one. */
  isStale(value: Buffer | string): boolean {
    const buf = typeof value === 'string' ? Buffer.from(value) : value;
    return !buf
      .subarray(0, PREFIX.length + (this.keys[0]?.name.length ?? 0) + 1)
      .equals(Buffer.from(`${PREFIX}${this.keys[0]?.name ?? ''}:`));
  }

  decode(key: string, value: Buffer | string): string {
    const buf = typeof value === 'string' ? Buffer.from(value) : value;
    if (!buf.subarray(0, PREFIX.length).equals(Buffer.from(PREFIX))) return buf.toString('utf8');
    const end = buf.indexOf(':', PREFIX.length);
    const name = buf.subarray(PREFIX.length, end).toString();
    const secret = this.byName.get(name);
    if (!secret) throw new Error(`no encryption key named "${name}" for ${key}`);
    const iv = buf.subarray(end + 1, end + 13);
    const tag = buf.subarray(buf.length - 16);
    const decipher = createDecipheriv('aes-256-gcm', secret, iv);
    decipher.setAAD(Buffer.from(key));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(buf.subarray(end + 13, buf.length - 16)), decipher.final()]).toString('utf8');
  }
}
