import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBodyText, readJsonBody, RequestBodyError } from './body.js';

/** A request body as the server reads it: Buffer chunks. */
const body = (...chunks: (string | Buffer)[]): Readable =>
  Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'no error',
    (e: unknown) => e,
  );

describe('readBodyText', () => {
  it('answers the whole body up to the limit, and undefined past it', async () => {
    expect(await readBodyText(body('ab', 'cd'), 4)).toBe('abcd');
    expect(await readBodyText(body('ab', 'cde'), 4)).toBeUndefined();
    expect(await readBodyText(body(), 4)).toBe('');
  });

  it('counts bytes, and keeps a character split between two chunks whole', async () => {
    const euro = Buffer.from('€'); // three bytes
    expect(await readBodyText(body(euro.subarray(0, 1), euro.subarray(1)), 3)).toBe('€');
    expect(await readBodyText(body(euro), 2)).toBeUndefined();
  });
});

describe('readJsonBody', () => {
  it('parses a body within the limit', async () => {
    expect(await readJsonBody(body('{"to":', '"1.31"}'), 1024)).toEqual({ to: '1.31' });
  });

  it('refuses a body past the limit with 413, and one that is not JSON with 400', async () => {
    const large = await failure(readJsonBody(body('{"a":"', 'x'.repeat(2000), '"}'), 1024));
    expect(large).toBeInstanceOf(RequestBodyError);
    expect((large as RequestBodyError).status).toBe(413);
    const broken = await failure(readJsonBody(body('{"a":'), 1024));
    expect(broken).toBeInstanceOf(RequestBodyError);
    expect((broken as RequestBodyError).status).toBe(400);
    expect(((await failure(readJsonBody(body(), 1024))) as RequestBodyError).status).toBe(400);
  });
});
