// Content-addressed blobs on disk at `<root>/blobs/<algorithm>/<hex>`. Writes stream into a temp
// file under `<root>/.ingest` while hashing, and are renamed into place only once the digest (and
// size, when given) check out, so a reader never sees a partial blob. The registry shares this.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Digester, parseDigest } from './digest.js';
import { BlobNotFoundError, DigestMismatchError, SizeMismatchError } from './errors.js';

/** What to check a written blob against. */
export interface BlobExpectation {
  /** The digest the content must hash to; also picks the algorithm. */
  readonly digest?: string;
  /** The exact byte count the content must have. */
  readonly size?: number;
}

/** A stored blob's identity. */
export interface BlobInfo {
  readonly digest: string;
  readonly size: number;
}

export type BlobSource = Readable | AsyncIterable<Uint8Array> | Uint8Array;

export interface BlobStoreOptions {
  /** Directory holding `blobs/` (an OCI layout root, or the registry's root). */
  readonly root: string;
}

export class BlobStore {
  readonly root: string;
  private readonly ingestDir: string;

  constructor(opts: BlobStoreOptions) {
    this.root = opts.root;
    this.ingestDir = join(opts.root, '.ingest');
  }

  /** Path of a blob's file (whether or not it exists). */
  path(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.root, 'blobs', algorithm, hex);
  }

  /** Size of a stored blob, or undefined when absent. */
  async stat(digest: string): Promise<number | undefined> {
    try {
      const s = await stat(this.path(digest));
      return s.isFile() ? s.size : undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async has(digest: string): Promise<boolean> {
    return (await this.stat(digest)) !== undefined;
  }

  /** A new temp file path under the ingest directory (created on demand). */
  async tempPath(): Promise<string> {
    await mkdir(this.ingestDir, { recursive: true });
    return join(this.ingestDir, randomUUID());
  }

  /** Streams content into the store, verifying it; answers its digest and size. */
  async put(source: BlobSource, expect: BlobExpectation = {}): Promise<BlobInfo> {
    const algorithm = expect.digest ? parseDigest(expect.digest).algorithm : 'sha256';
    if (expect.digest && (await this.has(expect.digest)) && source instanceof Uint8Array) {
      return this.verifyBuffer(source, expect, algorithm);
    }
    const tmp = await this.tempPath();
    const d = new Digester(algorithm);
    try {
      const out = createWriteStream(tmp, { flags: 'wx' });
      const done = new Promise<void>((resolve, reject) => {
        out.on('finish', resolve);
        out.on('error', reject);
      });
      const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = source instanceof Uint8Array ? [source] : source;
      for await (const chunk of chunks) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        d.update(buf);
        if (expect.size !== undefined && d.size > expect.size)
          throw new SizeMismatchError(`blob larger than the expected ${expect.size} bytes`);
        if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', r));
      }
      out.end();
      await done;
      return await this.ingestVerified(tmp, d.digest(), d.size, expect);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * Moves a file already hashed by the caller into the store (the registry's finished uploads).
   * The file is consumed; `digest`/`size` are what the caller computed, checked against `expect`.
   */
  async ingestVerified(file: string, digest: string, size: number, expect: BlobExpectation = {}): Promise<BlobInfo> {
    if (expect.digest !== undefined && expect.digest !== digest)
      throw new DigestMismatchError(expect.digest, digest, 'blob');
    if (expect.size !== undefined && expect.size !== size)
      throw new SizeMismatchError(`blob ${digest} has ${size} bytes, expected ${expect.size}`);
    const dest = this.path(digest);
    if (!(await this.has(digest))) {
      await mkdir(join(dest, '..'), { recursive: true });
      await rename(file, dest);
    } else {
      await rm(file, { force: true });
    }
    return { digest, size };
  }

  /** Hashes a file on disk and moves it into the store. */
  async ingestFile(file: string, expect: BlobExpectation = {}): Promise<BlobInfo> {
    const algorithm = expect.digest ? parseDigest(expect.digest).algorithm : 'sha256';
    const d = new Digester(algorithm);
    for await (const chunk of createReadStream(file)) d.update(chunk as Buffer);
    return this.ingestVerified(file, d.digest(), d.size, expect);
  }

  private verifyBuffer(buf: Uint8Array, expect: BlobExpectation, algorithm: Digester['algorithm']): BlobInfo {
    const d = new Digester(algorithm);
    d.update(buf);
    const digest = d.digest();
    if (expect.digest !== undefined && expect.digest !== digest)
      throw new DigestMismatchError(expect.digest, digest, 'blob');
    if (expect.size !== undefined && expect.size !== buf.length)
      throw new SizeMismatchError(`blob ${digest} has ${buf.length} bytes, expected ${expect.size}`);
    return { digest, size: buf.length };
  }

  /** Opens a blob for reading, optionally a byte range (inclusive end, as HTTP ranges are). */
  async open(digest: string, range?: { start: number; end: number }): Promise<{ stream: Readable; size: number }> {
    const size = await this.stat(digest);
    if (size === undefined) throw new BlobNotFoundError(digest);
    const stream = createReadStream(this.path(digest), range ?? {});
    return { stream, size };
  }

  /** Reads a whole blob into memory (manifests and configs). */
  async read(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(digest);
      throw e;
    }
  }

  /** Removes a blob; answers whether it existed. */
  async delete(digest: string): Promise<boolean> {
    const existed = await this.has(digest);
    await rm(this.path(digest), { force: true });
    return existed;
  }

  /** Every stored blob with its size and modification time. */
  async *list(): AsyncGenerator<BlobInfo & { mtimeMs: number }> {
    const base = join(this.root, 'blobs');
    let algs: string[];
    try {
      algs = await readdir(base);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const alg of algs.sort()) {
      for (const hex of (await readdir(join(base, alg))).sort()) {
        const digest = `${alg}:${hex}`;
        try {
          parseDigest(digest);
        } catch {
          continue;
        }
        const s = await stat(join(base, alg, hex));
        if (s.isFile()) yield { digest, size: s.size, mtimeMs: s.mtimeMs };
      }
    }
  }

  /** Appends to / creates a temp file; used for chunked uploads. Answers the new length. */
  static async append(
    file: string,
    source: AsyncIterable<Uint8Array>,
    onChunk?: (c: Uint8Array) => void,
  ): Promise<number> {
    const fh = await open(file, 'a');
    try {
      for await (const chunk of source) {
        onChunk?.(chunk);
        await fh.write(chunk);
      }
      return (await fh.stat()).size;
    } finally {
      await fh.close();
    }
  }
}
