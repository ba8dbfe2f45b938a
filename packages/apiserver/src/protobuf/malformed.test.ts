// Hostile input: every truncation and many random bit flips of the real kubectl fixtures must either
// decode or fail with ProtobufDecodeError — never another exception, never a hang.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProtobufDecodeError, decodeKubernetesProtobuf } from './index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.bin'))
  .map((f) => ({ name: f, body: readFileSync(join(dir, f)) }));

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Returns 'ok' or 'error'; anything other than ProtobufDecodeError fails the test with context. */
function attempt(body: Buffer, what: string): 'ok' | 'error' {
  try {
    decodeKubernetesProtobuf(body);
    return 'ok';
  } catch (e) {
    if (e instanceof ProtobufDecodeError && e.message.length > 0) return 'error';
    throw new Error(`${what}: threw ${String(e)}`);
  }
}

describe('malformed bodies only ever throw ProtobufDecodeError', () => {
  it('every truncation of every fixture', () => {
    let errors = 0;
    for (const { name, body } of fixtures) {
      for (let len = 0; len < body.length; len++) {
        if (attempt(body.subarray(0, len), `${name} cut at ${len}`) === 'error') errors++;
      }
    }
    expect(errors).toBeGreaterThan(fixtures.length * 40);
  });

  it('random bit flips and byte overwrites', () => {
    const next = rng(20240102);
    let errors = 0;
    for (const { name, body } of fixtures) {
      for (let i = 0; i < 300; i++) {
        const copy = Buffer.from(body);
        const flips = 1 + Math.floor(next() * 4);
        for (let f = 0; f < flips; f++) {
          const at = 4 + Math.floor(next() * (copy.length - 4));
          if (next() < 0.5) copy[at] = (copy[at] as number) ^ (1 << Math.floor(next() * 8));
          else copy[at] = Math.floor(next() * 256);
        }
        if (attempt(copy, `${name} mutation ${i}`) === 'error') errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });

  it('random garbage after the prefix', () => {
    const next = rng(7);
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.from(Array.from({ length: 1 + Math.floor(next() * 64) }, () => Math.floor(next() * 256)));
      attempt(Buffer.concat([Buffer.from('k8s\0'), junk]), `garbage ${i}`);
    }
  });
});
