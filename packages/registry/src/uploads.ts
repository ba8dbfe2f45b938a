// Blob upload sessions: `uploads/<id>/data` grows chunk by chunk (PATCH) and is hashed as it
// grows; the final PUT checks the digest and moves the file into the blob store. A session left by
// a restarted process is still usable: its offset is the file's size and the digest is recomputed.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, stat, truncate, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobStore, Digester, parseDigest, type BlobInfo } from '@wharf/images';
import { RegistryError } from './errors.js';

interface Session {
  readonly id: string;
  readonly name: string;
  offset: number;
  /** Running sha256 of the data; undefined when it must be recomputed. */
  digester: Digester | undefined;
  lock: Promise<unknown>;
}

const ID_RE = /^[a-f0-9-]{36}$/;

export class Uploads {
  private readonly dir: string;
  private readonly sessions = new Map<string, Session>();

  constructor(
    root: string,
    private readonly blobs: BlobStore,
    /** At most this many open sessions; more answer 429. */
    private readonly max: number,
  ) {
    this.dir = join(root, 'uploads');
  }

  private dataPath(id: string): string {
    return join(this.dir, id, 'data');
  }

  async create(name: string): Promise<string> {
    const open = (await readdir(this.dir).catch(() => [] as string[])).length;
    if (open >= this.max)
      throw new RegistryError(
        'TOOMANYREQUESTS',
        `too many blob uploads in progress (${open}); retry later`,
        undefined,
        undefined,
        { 'Retry-After': '1' },
      );
    const id = randomUUID();
    await mkdir(join(this.dir, id), { recursive: true });
    await writeFile(join(this.dir, id, 'info.json'), JSON.stringify({ name, started: new Date().toISOString() }));
    await writeFile(this.dataPath(id), '');
    this.sessions.set(id, { id, name, offset: 0, digester: new Digester(), lock: Promise.resolve() });
    return id;
  }

  /** The session for `id` in repository `name`, or BLOB_UPLOAD_UNKNOWN. */
  async get(name: string, id: string): Promise<Session> {
    const unknown = new RegistryError('BLOB_UPLOAD_UNKNOWN', `blob upload ${id} unknown to repository ${name}`);
    if (!ID_RE.test(id)) throw unknown;
    let s = this.sessions.get(id);
    if (!s) {
      try {
        const info = JSON.parse(await readFile(join(this.dir, id, 'info.json'), 'utf8')) as { name: string };
        const size = (await stat(this.dataPath(id))).size;
        s = { id, name: info.name, offset: size, digester: undefined, lock: Promise.resolve() };
        this.sessions.set(id, s);
      } catch {
        throw unknown;
      }
    }
    if (s.name !== name) throw unknown;
    return s;
  }

  /** Runs `fn` with the session locked (chunks of one upload never interleave). */
  async locked<T>(name: string, id: string, fn: (s: Session) => Promise<T>): Promise<T> {
    const s = await this.get(name, id);
    const run = s.lock.then(() => fn(s));
    s.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * Appends a chunk. With `range` (from Content-Range) the chunk must start at the current offset
   * (else 416) and have exactly the stated length.
   */
  async append(s: Session, body: AsyncIterable<Uint8Array>, range?: { start: number; end: number }): Promise<void> {
    if (range && range.start !== s.offset) {
      throw new RegistryError(
        'BLOB_UPLOAD_INVALID',
        `chunk starts at ${range.start} but the upload has ${s.offset} bytes`,
        { offset: s.offset },
        416,
        rangeHeaders(s),
      );
    }
    const before = s.offset;
    const size = await BlobStore.append(this.dataPath(s.id), body, (c) => s.digester?.update(c));
    s.offset = size;
    if (range && size - before !== range.end - range.start + 1) {
      await truncate(this.dataPath(s.id), before);
      s.offset = before;
      s.digester = undefined;
      throw new RegistryError(
        'SIZE_INVALID',
        `chunk ${range.start}-${range.end} should have ${range.end - range.start + 1} bytes, got ${size - before}`,
      );
    }
  }

  /** Verifies the data against `digest` and moves it into the blob store; ends the session. */
  async finish(s: Session, digest: string): Promise<BlobInfo> {
    const { algorithm } = parseDigest(digest);
    const file = this.dataPath(s.id);
    try {
      if (s.digester && s.digester.algorithm === algorithm) {
        const actual = s.digester.digest();
        s.digester = undefined;
        if (actual !== digest)
          throw new RegistryError(
            'DIGEST_INVALID',
            `upload ${s.id}: content digest ${actual} does not match ${digest}`,
          );
        return await this.blobs.ingestVerified(file, actual, s.offset);
      }
      return await this.blobs.ingestFile(file, { digest });
    } finally {
      await this.cancel(s);
    }
  }

  async cancel(s: Session): Promise<void> {
    this.sessions.delete(s.id);
    await rm(join(this.dir, s.id), { recursive: true, force: true });
  }
}

/** Location-independent progress headers for a session. */
export function rangeHeaders(s: { offset: number; id: string }): Record<string, string> {
  return { Range: `0-${Math.max(s.offset - 1, 0)}`, 'Docker-Upload-UUID': s.id };
}
