// Content digests (`algorithm:hex`) as the OCI image spec defines them: parsing, validation and
// hashing. sha256 is the canonical algorithm; sha512 is accepted wherever a digest is read.
import { createHash, type Hash } from 'node:crypto';
import { InvalidDigestError } from './errors.js';

const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };
const DIGEST_RE = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

/** A parsed, validated digest. */
export interface ParsedDigest {
  readonly algorithm: 'sha256' | 'sha512';
  readonly hex: string;
}

/** True when `s` is well-formed by the spec's grammar, supported algorithm or not. */
export function isDigestSyntax(s: string): boolean {
  return DIGEST_RE.test(s);
}

/** Parses `sha256:<64 hex>` (or sha512); throws InvalidDigestError naming the problem. */
export function parseDigest(s: string): ParsedDigest {
  const m = DIGEST_RE.exec(s);
  if (!m) throw new InvalidDigestError(`invalid digest "${s}": want algorithm:hex`);
  const algorithm = m[1] ?? '';
  const hex = m[2] ?? '';
  const len = HEX_LENGTH[algorithm];
  if (len === undefined) throw new InvalidDigestError(`unsupported digest algorithm "${algorithm}" in "${s}"`);
  if (hex.length !== len || !/^[a-f0-9]+$/.test(hex)) {
    throw new InvalidDigestError(`invalid digest "${s}": ${algorithm} wants ${len} lowercase hex characters`);
  }
  return { algorithm: algorithm as ParsedDigest['algorithm'], hex };
}

/** True when `s` is a digest the store can hold. */
export function isDigest(s: string): boolean {
  try {
    parseDigest(s);
    return true;
  } catch {
    return false;
  }
}

/** `sha256:<hex>` of a buffer. */
export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A running hash that yields a digest string in the given algorithm. */
export class Digester {
  private readonly hash: Hash;
  private bytes = 0;

  constructor(readonly algorithm: ParsedDigest['algorithm'] = 'sha256') {
    this.hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  get size(): number {
    return this.bytes;
  }

  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}
