// Fetching Debian packages with their dependency closure through the host's apt, without
// installing anything: apt resolves against an empty dpkg status file (as if nothing were
// installed), so the closure does not depend on what this machine happens to have.
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildBaseError } from './errors.js';

/** A resolved package. */
export interface DebPackage {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
}

/** Runs a command; answers stdout, throws BuildBaseError with stderr on failure. */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new BuildBaseError(`${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else
        reject(
          new BuildBaseError(
            `${cmd} ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString('utf8').trim().slice(-2000)}`,
          ),
        );
    });
  });
}

function aptOptions(statusFile: string, pkgcache: string): string[] {
  return [
    '-o',
    `Dir::State::status=${statusFile}`,
    '-o',
    `Dir::Cache::pkgcache=${pkgcache}`,
    '-o',
    'Dir::Cache::srcpkgcache=',
    '-o',
    'Debug::NoLocking=1',
    '-o',
    'APT::Sandbox::User=root',
    '-o',
    'APT::Install-Recommends=false',
    '-o',
    'APT::Install-Suggests=false',
  ];
}

/**
 * The dependency closure of `packages` (Depends and Pre-Depends, no Recommends), sorted by name.
 * With `keepParsedLists`, apt keeps its parsed lists (pkgcache.bin) in `stateDir` beside the empty
 * status file, so the next resolve does not parse every Packages list again (busybox-static: 1.1 s
 * of CPU, then 0.45 s); apt itself rebuilds that cache when `apt-get update` changed the lists.
 */
export async function resolveClosure(
  packages: readonly string[],
  stateDir: string,
  keepParsedLists = false,
): Promise<DebPackage[]> {
  for (const p of packages) {
    if (!/^[a-z0-9][a-z0-9+.-]+(?::[a-z0-9-]+)?(?:=[A-Za-z0-9.+~:-]+)?$/.test(p))
      throw new BuildBaseError(`invalid Debian package name "${p}"`);
  }
  const status = join(stateDir, 'status');
  // Created once, never rewritten: a newer mtime would make apt throw its kept cache away.
  await writeFile(status, '', { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  const out = await run('apt-get', [
    'install',
    '--simulate',
    '--no-install-recommends',
    ...aptOptions(status, keepParsedLists ? join(stateDir, 'pkgcache.bin') : ''),
    '--',
    ...packages,
  ]).catch((e: Error) => {
    throw new BuildBaseError(
      `resolving ${packages.join(', ')}: ${e.message}${/Unable to locate/.test(e.message) ? ' (is the package name right, and has `apt-get update` run?)' : ''}`,
    );
  });
  const found = new Map<string, DebPackage>();
  for (const line of out.split('\n')) {
    const m = /^Inst (\S+) \((\S+) .*\[([a-z0-9-]+)\]\)/.exec(line);
    if (m && m[1] && m[2] && m[3]) found.set(m[1], { name: m[1], version: m[2], arch: m[3] });
  }
  if (found.size === 0) throw new BuildBaseError(`apt resolved no packages for ${packages.join(', ')}`);
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** apt-get download's file name for a package. */
export function debFileName(p: DebPackage): string {
  return `${p.name.replace(/:.*$/, '')}_${p.version.replace(/:/g, '%3a')}_${p.arch}.deb`;
}

/** Downloads the .debs not already in `cacheDir`; answers their paths in package order. */
export async function fetchDebs(pkgs: readonly DebPackage[], cacheDir: string): Promise<string[]> {
  await mkdir(cacheDir, { recursive: true });
  const have = new Set(await readdir(cacheDir));
  const missing = pkgs.filter((p) => !have.has(debFileName(p)));
  if (missing.length > 0) {
    await run(
      'apt-get',
      [
        'download',
        '-o',
        'Debug::NoLocking=1',
        '-o',
        'APT::Sandbox::User=root',
        '--',
        ...missing.map((p) => `${p.name}=${p.version}`),
      ],
      { cwd: cacheDir },
    );
  }
  const now = new Set(await readdir(cacheDir));
  return pkgs.map((p) => {
    const f = debFileName(p);
    if (!now.has(f)) throw new BuildBaseError(`apt-get download did not produce ${f}`);
    return join(cacheDir, f);
  });
}
