// The registry's storage: one content-addressed blob store shared by every repository, and per
// repository link files saying which blobs and manifests it holds, its tags and its referrers:
//   blobs/<alg>/<hex>                                  content (manifests are blobs too)
//   repositories/<name>/_blobs/<alg>/<hex>             blob linked into the repository
//   repositories/<name>/_manifests/<alg>/<hex>         manifest in the repository (holds its media type)
//   repositories/<name>/_tags/<tag>                    tag → digest
//   repositories/<name>/_referrers/<alg>-<hex>/<alg>-<hex>   descriptor of a manifest whose subject is the dir
// Repository names cannot contain `_`-prefixed components, so the link dirs never clash with names.
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { BlobStore, parseDigest, type Descriptor } from '@wharf/images';

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function list(p: string): Promise<string[]> {
  try {
    return await readdir(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw e;
  }
}

async function atomicWrite(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

const digestPath = (digest: string): string => {
  const { algorithm, hex } = parseDigest(digest);
  return join(algorithm, hex);
};
const digestFile = (digest: string): string => digest.replace(':', '-');

export class RegistryStorage {
  readonly blobs: BlobStore;
  private readonly repos: string;

  constructor(readonly root: string) {
    this.blobs = new BlobStore({ root });
    this.repos = join(root, 'repositories');
  }

  private repoDir(name: string): string {
    return join(this.repos, ...name.split('/'));
  }

  async repositoryExists(name: string): Promise<boolean> {
    const dir = this.repoDir(name);
    return (
      (await exists(join(dir, '_manifests'))) ||
      (await exists(join(dir, '_blobs'))) ||
      (await exists(join(dir, '_tags')))
    );
  }

  /** Every repository name, sorted. */
  async repositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      for (const e of (await list(dir)).sort()) {
        if (e.startsWith('_')) continue;
        const name = prefix ? `${prefix}/${e}` : e;
        if (await this.repositoryExists(name)) out.push(name);
        await walk(join(dir, e), name);
      }
    };
    await walk(this.repos, '');
    return out.sort();
  }

  // ---- blobs in a repository

  async blobLinked(name: string, digest: string): Promise<boolean> {
    return exists(join(this.repoDir(name), '_blobs', digestPath(digest)));
  }

  async linkBlob(name: string, digest: string): Promise<void> {
    const p = join(this.repoDir(name), '_blobs', digestPath(digest));
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, '');
  }

  async unlinkBlob(name: string, digest: string): Promise<boolean> {
    const p = join(this.repoDir(name), '_blobs', digestPath(digest));
    if (!(await exists(p))) return false;
    await rm(p, { force: true });
    return true;
  }

  /** Size of a blob readable through a repository, or undefined. */
  async blobSize(name: string, digest: string): Promise<number | undefined> {
    if (!(await this.blobLinked(name, digest))) return undefined;
    return this.blobs.stat(digest);
  }

  // ---- manifests

  /** The media type of a manifest in a repository, or undefined when it is not there. */
  async manifestType(name: string, digest: string): Promise<string | undefined> {
    try {
      const t = await readFile(join(this.repoDir(name), '_manifests', digestPath(digest)), 'utf8');
      return (await this.blobs.has(digest)) ? t : undefined;
    } catch {
      return undefined;
    }
  }

  async putManifest(name: string, digest: string, mediaType: string, bytes: Buffer): Promise<void> {
    await this.blobs.put(bytes, { digest });
    await atomicWrite(join(this.repoDir(name), '_manifests', digestPath(digest)), mediaType);
  }

  async deleteManifest(name: string, digest: string): Promise<void> {
    await rm(join(this.repoDir(name), '_manifests', digestPath(digest)), { force: true });
    for (const tag of await this.tags(name)) {
      if ((await this.tagDigest(name, tag)) === digest) await this.deleteTag(name, tag);
    }
  }

  // ---- tags

  async tagDigest(name: string, tag: string): Promise<string | undefined> {
    try {
      return (await readFile(join(this.repoDir(name), '_tags', tag), 'utf8')).trim();
    } catch {
      return undefined;
    }
  }

  async setTag(name: string, tag: string, digest: string): Promise<void> {
    await atomicWrite(join(this.repoDir(name), '_tags', tag), digest);
  }

  async deleteTag(name: string, tag: string): Promise<boolean> {
    const p = join(this.repoDir(name), '_tags', tag);
    if (!(await exists(p))) return false;
    await rm(p, { force: true });
    return true;
  }

  /** Tags in lexical order (byte order, as the spec asks). */
  async tags(name: string): Promise<string[]> {
    return (await list(join(this.repoDir(name), '_tags')))
      .filter((t) => !t.endsWith('.tmp'))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  // ---- referrers

  async addReferrer(name: string, subject: string, d: Descriptor): Promise<void> {
    await atomicWrite(
      join(this.repoDir(name), '_referrers', digestFile(subject), digestFile(d.digest)),
      JSON.stringify(d),
    );
  }

  async removeReferrer(name: string, subject: string, digest: string): Promise<void> {
    await rm(join(this.repoDir(name), '_referrers', digestFile(subject), digestFile(digest)), { force: true });
  }

  async referrers(name: string, subject: string): Promise<Descriptor[]> {
    const dir = join(this.repoDir(name), '_referrers', digestFile(subject));
    const out: Descriptor[] = [];
    for (const f of (await list(dir)).sort()) {
      if (f.endsWith('.tmp')) continue;
      out.push(JSON.parse(await readFile(join(dir, f), 'utf8')) as Descriptor);
    }
    return out;
  }

  // ---- garbage collection

  /** Every digest some repository links (blobs and manifests). */
  async referencedDigests(): Promise<Set<string>> {
    const live = new Set<string>();
    for (const name of await this.repositories()) {
      for (const kind of ['_blobs', '_manifests']) {
        const base = join(this.repoDir(name), kind);
        for (const alg of await list(base)) for (const hex of await list(join(base, alg))) live.add(`${alg}:${hex}`);
      }
    }
    return live;
  }
}
