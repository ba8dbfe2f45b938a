// Base images from Debian packages with no daemon and no root: apt resolves and downloads the
// dependency closure, each package's data tar (from `dpkg-deb --fsys-tarfile`) is staged, and the
// union is written as ONE reproducible layer. Maintainer scripts are not run (no users created,
// no update-alternatives links, no triggers); `symlinks` can add what a postinst would have.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { fetchDebs, resolveClosure, run, type DebPackage } from './apt.js';
import { buildCacheKey, defaultBuildCacheDir, loadCachedBuild, saveCachedBuild } from './build-cache.js';
import { BuildBaseError } from './errors.js';
import { buildLayer, type LayerEntry } from './layer-builder.js';
import { MediaType, type Descriptor, type ImageConfig, type ImageManifest } from './oci.js';
import { describeJson, type LayoutStore } from './layout.js';
import { TAG_RE, REPOSITORY_RE } from './reference.js';
import type { TarEntryType } from './tar-writer.js';

export interface BuildBaseOptions {
  /** Repository name, e.g. `busybox` (a reference without host: the built-in registry). */
  readonly name: string;
  /** @default 'latest' */
  readonly tag?: string;
  /** Debian packages to install (with their Depends/Pre-Depends; Recommends are not followed). */
  readonly packages: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  /** `K=V` strings or a map. PATH defaults to Debian's standard path. */
  readonly env?: readonly string[] | Readonly<Record<string, string>>;
  readonly workdir?: string;
  readonly user?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Extra symlinks, absolute path → target (what update-alternatives would have made). */
  readonly symlinks?: Readonly<Record<string, string>>;
  /** Seconds since the epoch for every mtime and `created`. @default SOURCE_DATE_EPOCH or 0 */
  readonly sourceDateEpoch?: number;
  /**
   * Keep downloaded .debs here between builds. @default `debs` in the build cache, else a temp dir removed afterwards
   */
  readonly debCacheDir?: string;
  /**
   * A machine-wide cache of built images (build-cache.ts); `false` builds every time.
   * @default defaultBuildCacheDir(): `WHARF_IMAGE_CACHE`, /var/cache/wharf/base-images for root
   */
  readonly cacheDir?: string | false;
  /** @default 'gzip' */
  readonly compression?: 'gzip' | 'none';
}

export interface BuildBaseResult {
  /** `name:tag` as tagged in the store. */
  readonly reference: string;
  /** Manifest digest. */
  readonly digest: string;
  readonly manifest: Descriptor;
  readonly layer: Descriptor;
  readonly diffId: string;
  /** The resolved closure, sorted by name. */
  readonly packages: readonly DebPackage[];
  /** True when the bytes came from the build cache. */
  readonly cached: boolean;
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const BUSYBOX_APPLETS = [
  'sh',
  'ash',
  'awk',
  'basename',
  'cat',
  'chmod',
  'chown',
  'cp',
  'cut',
  'date',
  'dd',
  'df',
  'dirname',
  'du',
  'echo',
  'env',
  'expr',
  'false',
  'find',
  'grep',
  'gunzip',
  'gzip',
  'head',
  'hostname',
  'httpd',
  'id',
  'ip',
  'kill',
  'ln',
  'ls',
  'mkdir',
  'mktemp',
  'mv',
  'nc',
  'nslookup',
  'ping',
  'ps',
  'pwd',
  'readlink',
  'rm',
  'rmdir',
  'sed',
  'seq',
  'sleep',
  'sort',
  'stat',
  'tail',
  'tar',
  'tee',
  'test',
  'touch',
  'tr',
  'true',
  'uname',
  'uniq',
  'unzip',
  'vi',
  'wc',
  'wget',
  'which',
  'xargs',
  'yes',
];
const DPKG_ARCH: Readonly<Record<string, { architecture: string; variant?: string }>> = {
  amd64: { architecture: 'amd64' },
  arm64: { architecture: 'arm64', variant: 'v8' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v5' },
  i386: { architecture: '386' },
  ppc64el: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' },
  mips64el: { architecture: 'mips64le' },
};
const TYPES: Partial<Record<string, TarEntryType>> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
  CharacterDevice: 'char',
  BlockDevice: 'block',
  FIFO: 'fifo',
};

/** Builds the image, stores it tagged `name:tag` and answers its manifest digest and layer. */
export async function buildBase(store: LayoutStore, opts: BuildBaseOptions): Promise<BuildBaseResult> {
  const tag = opts.tag ?? 'latest';
  if (!REPOSITORY_RE.test(opts.name)) throw new BuildBaseError(`name: "${opts.name}" is not a valid repository name`);
  if (!TAG_RE.test(tag)) throw new BuildBaseError(`tag: "${tag}" is not a valid tag`);
  if (opts.packages.length === 0) throw new BuildBaseError('packages: at least one Debian package is required');
  const epoch = opts.sourceDateEpoch ?? (process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) : 0);
  if (!Number.isSafeInteger(epoch) || epoch < 0)
    throw new BuildBaseError(`sourceDateEpoch: ${epoch} is not a non-negative integer`);
  await store.init();
  const cacheDir = opts.cacheDir === false ? undefined : (opts.cacheDir ?? defaultBuildCacheDir());
  const reference = `${opts.name}:${tag}`;
  const work = await mkdtemp(join(tmpdir(), 'wharf-build-base-'));
  try {
    // apt's parsed lists are kept in the build cache when it is writable (apt.ts), else parsed anew.
    const aptDir = cacheDir ? join(cacheDir, 'apt') : undefined;
    const kept =
      aptDir !== undefined &&
      (await mkdir(aptDir, { recursive: true })
        .then(() => true)
        .catch(() => false));
    const pkgs = await resolveClosure(opts.packages, kept ? aptDir : work, kept);
    const arch = DPKG_ARCH[(await run('dpkg', ['--print-architecture'])).trim()] ?? { architecture: 'amd64' };
    const { name: _n, tag: _t, debCacheDir: _d, cacheDir: _c, ...shape } = opts;
    const key = cacheDir && (await buildCacheKey({ ...shape, epoch }, pkgs, arch.architecture));
    const hit = cacheDir && key ? await loadCachedBuild(store, cacheDir, key) : undefined;
    if (hit) {
      const descriptor = await store.putManifest(hit.manifest, { ref: reference });
      return {
        reference,
        digest: descriptor.digest,
        manifest: descriptor,
        layer: hit.layer,
        diffId: hit.diffId,
        packages: pkgs,
        cached: true,
      };
    }
    const debs = await fetchDebs(pkgs, opts.debCacheDir ?? (cacheDir ? join(cacheDir, 'debs') : join(work, 'debs')));
    const stage = join(work, 'stage');
    await mkdir(stage);
    const entries = new Map<string, LayerEntry>();
    let counter = 0;
    for (const deb of debs) await stageDeb(deb, stage, entries, () => String(counter++));
    addDefaults(entries, opts);
    const layer = await buildLayer(entries.values(), store.blobs, {
      compression: opts.compression ?? 'gzip',
      mtime: epoch,
    });
    const created = new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
    const env = envList(opts.env);
    const config: ImageConfig = {
      created,
      architecture: arch.architecture,
      ...(arch.variant && { variant: arch.variant }),
      os: 'linux',
      config: {
        Env: env,
        ...(opts.entrypoint && { Entrypoint: [...opts.entrypoint] }),
        ...(opts.cmd && { Cmd: [...opts.cmd] }),
        ...(opts.workdir && { WorkingDir: opts.workdir }),
        ...(opts.user && { User: opts.user }),
        Labels: { 'io.wharf.debian-packages': pkgs.map((p) => `${p.name}=${p.version}`).join(' '), ...opts.labels },
      },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created, created_by: `wharf image build-base --debian-packages ${opts.packages.join(',')}` }],
    };
    const cfg = describeJson(MediaType.config, config);
    await store.putBlob(cfg.bytes, { digest: cfg.descriptor.digest });
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      config: cfg.descriptor,
      layers: [layer.descriptor],
    };
    const descriptor = await store.putManifest(manifest, { ref: reference });
    if (cacheDir && key)
      await saveCachedBuild(store, cacheDir, key, {
        config: cfg.bytes.toString(),
        manifest,
        layer: layer.descriptor,
        diffId: layer.diffId,
      });
    return {
      reference,
      digest: descriptor.digest,
      manifest: descriptor,
      layer: layer.descriptor,
      diffId: layer.diffId,
      packages: pkgs,
      cached: false,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function envList(env: BuildBaseOptions['env']): string[] {
  const list =
    env === undefined
      ? []
      : Array.isArray(env)
        ? [...(env as readonly string[])]
        : Object.entries(env).map(([k, v]) => `${k}=${v}`);
  for (const e of list) if (!/^[^=]+=/.test(e)) throw new BuildBaseError(`env: "${e}" is not K=V`);
  return list.some((e) => e.startsWith('PATH=')) ? list : [DEFAULT_PATH, ...list];
}

const clean = (p: string): string =>
  p
    .split('/')
    .filter((c) => c !== '' && c !== '.')
    .join('/');

/** Reads one .deb's data tar into `entries`, file contents into `stage`. */
async function stageDeb(
  deb: string,
  stage: string,
  entries: Map<string, LayerEntry>,
  nextId: () => string,
): Promise<void> {
  const child = spawn('dpkg-deb', ['--fsys-tarfile', deb], { stdio: ['ignore', 'pipe', 'pipe'] });
  const err: Buffer[] = [];
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(new BuildBaseError(`dpkg-deb: ${e.message}`)));
    child.on('close', resolve);
  });
  let queue: Promise<void> = Promise.resolve();
  let failure: unknown;
  const parser = new Parser({
    noResume: true,
    onReadEntry: (entry: ReadEntry) => {
      queue = queue.then(async () => {
        try {
          if (failure === undefined) await stageEntry(entry, stage, entries, nextId);
          else entry.resume();
        } catch (e) {
          failure = e;
          entry.resume();
        }
      });
    },
  });
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  for await (const chunk of child.stdout) {
    if (!parser.write(chunk as Buffer)) await new Promise((r) => parser.once('drain', r));
  }
  parser.end();
  await parsed;
  await queue;
  const code = await exited;
  if (code !== 0)
    throw new BuildBaseError(`dpkg-deb --fsys-tarfile ${deb} exited ${code}: ${Buffer.concat(err).toString().trim()}`);
  if (failure !== undefined) throw failure;
}

async function stageEntry(
  entry: ReadEntry,
  stage: string,
  entries: Map<string, LayerEntry>,
  nextId: () => string,
): Promise<void> {
  const path = clean(entry.path);
  const type = TYPES[entry.type];
  if (path === '' || type === undefined || path.split('/').includes('..')) {
    entry.resume();
    return;
  }
  const base = { path, type, mode: (entry.mode ?? 0o644) & 0o7777, uid: entry.uid ?? 0, gid: entry.gid ?? 0 };
  if (type === 'file') {
    const source = join(stage, nextId());
    await pipeline(entry, createWriteStream(source));
    entries.set(path, { ...base, size: entry.size ?? 0, source });
    return;
  }
  entry.resume();
  if (type === 'dir' && entries.get(path)?.type === 'dir') return;
  const linkname = type === 'hardlink' ? clean(entry.linkpath ?? '') : entry.linkpath;
  entries.set(path, {
    ...base,
    ...(linkname !== undefined && { linkname }),
    ...(type === 'char' || type === 'block'
      ? { devmajor: entry.header.devmaj ?? 0, devminor: entry.header.devmin ?? 0 }
      : {}),
  });
}

const DEBIAN_USERS: readonly [string, number, string][] = [
  ['root', 0, '/root'],
  ['daemon', 1, '/usr/sbin'],
  ['bin', 2, '/bin'],
  ['sys', 3, '/dev'],
  ['sync', 4, '/bin'],
  ['games', 5, '/usr/games'],
  ['man', 6, '/var/cache/man'],
  ['lp', 7, '/var/spool/lpd'],
  ['mail', 8, '/var/mail'],
  ['news', 9, '/var/spool/news'],
  ['uucp', 10, '/var/spool/uucp'],
  ['proxy', 13, '/bin'],
  ['www-data', 33, '/var/www'],
  ['backup', 34, '/var/backups'],
  ['list', 38, '/var/list'],
  ['irc', 39, '/run/ircd'],
  ['nobody', 65534, '/nonexistent'],
];
const DEBIAN_GROUPS: readonly [string, number][] = [
  ['root', 0],
  ['daemon', 1],
  ['bin', 2],
  ['sys', 3],
  ['adm', 4],
  ['tty', 5],
  ['disk', 6],
  ['lp', 7],
  ['mail', 8],
  ['news', 9],
  ['uucp', 10],
  ['man', 12],
  ['proxy', 13],
  ['kmem', 15],
  ['dialout', 20],
  ['fax', 21],
  ['voice', 22],
  ['cdrom', 24],
  ['floppy', 25],
  ['tape', 26],
  ['sudo', 27],
  ['audio', 29],
  ['dip', 30],
  ['www-data', 33],
  ['backup', 34],
  ['operator', 37],
  ['list', 38],
  ['irc', 39],
  ['src', 40],
  ['shadow', 42],
  ['utmp', 43],
  ['video', 44],
  ['sasl', 45],
  ['plugdev', 46],
  ['staff', 50],
  ['games', 60],
  ['users', 100],
  ['nogroup', 65534],
];

/** The files an image needs that no package ships: passwd, group, /tmp, /root, busybox links. */
function addDefaults(entries: Map<string, LayerEntry>, opts: BuildBaseOptions): void {
  const file = (path: string, text: string): void => {
    if (entries.has(path)) return;
    const content = Buffer.from(text);
    entries.set(path, { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, content });
  };
  // Debian's statically allocated system users and groups (base-passwd's allocation), which
  // maintainer scripts would otherwise create: packages such as nginx run as www-data.
  file(
    'etc/passwd',
    DEBIAN_USERS.map(
      ([name, id, home]) =>
        `${name}:x:${id}:${id === 65534 ? 65534 : id}:${name}:${home}:${id === 0 ? '/bin/sh' : '/usr/sbin/nologin'}`,
    ).join('\n') + '\n',
  );
  file('etc/group', DEBIAN_GROUPS.map(([name, id]) => `${name}:x:${id}:`).join('\n') + '\n');
  if (!entries.has('tmp')) entries.set('tmp', { path: 'tmp', type: 'dir', mode: 0o1777, uid: 0, gid: 0 });
  if (!entries.has('root')) entries.set('root', { path: 'root', type: 'dir', mode: 0o700, uid: 0, gid: 0 });
  // Directories base-files would create, which daemons expect (pid files in /run, logs).
  for (const [path, mode] of [
    ['run', 0o755],
    ['var', 0o755],
    ['var/log', 0o755],
    ['var/tmp', 0o1777],
  ] as const) {
    if (!entries.has(path)) entries.set(path, { path, type: 'dir', mode, uid: 0, gid: 0 });
  }
  if (entries.get('bin/busybox')?.type === 'file') {
    for (const applet of BUSYBOX_APPLETS) {
      const path = `bin/${applet}`;
      if (!entries.has(path) && !entries.has(`usr/bin/${applet}`))
        entries.set(path, { path, type: 'symlink', linkname: 'busybox', mode: 0o777, uid: 0, gid: 0 });
    }
  }
  for (const [link, target] of Object.entries(opts.symlinks ?? {})) {
    const path = clean(link);
    if (path === '') throw new BuildBaseError(`symlinks: "${link}" is not a path`);
    entries.set(path, { path, type: 'symlink', linkname: target, mode: 0o777, uid: 0, gid: 0 });
  }
}
