// The tree of a thin Node.js image layer: a few of the CLI's own modules under
// /opt/wharf/cli/dist, the Wharf packages they load (their built dist only) and the npm packages
// those need (found by walking package.json dependencies as Node.js resolves them), flattened into
// /opt/wharf/node_modules, and a `wharf` wrapper in /usr/local/bin. Shared by the wharf-pack step
// image (image-step.ts) and the platform image (image-platform.ts).
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NodeTreeSpec {
  /** The module of packages/cli/dist that `wharf` runs; the modules it imports (relative
   *  specifiers, static or dynamic) are followed and copied too. */
  readonly entry: string;
  /** Wharf's packages, whose npm dependencies are followed too. */
  readonly wharfPackages: readonly string[];
  /** npm packages the CLI modules import directly. */
  readonly npmPackages: readonly string[];
}

/** The directory of an installed package, looked up as Node.js would from `from`. */
function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`package ${name} not found from ${from}`);
  }
}

/** Type declarations and source maps are not loaded at run time. */
const runtimeFile = (f: string): boolean =>
  !/\.(map|d\.ts|d\.mts|d\.cts|tsbuildinfo)$/.test(f) && !f.includes('.test.');

/** name → real directory of every package needed at run time (types-only packages left out). */
export function dependencyClosure(roots: readonly string[], from: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (name: string, at: string, optional: boolean): void => {
    if (name.startsWith('@types/')) return;
    let dir: string;
    try {
      dir = realpathSync(packageDir(name, at));
    } catch (e) {
      if (optional) return;
      throw e;
    }
    const seen = found.get(name);
    if (seen === dir) return;
    // The flat node_modules holds one copy per name; two different ones would be a silent mix-up.
    if (seen !== undefined) throw new Error(`two copies of ${name} (${seen}, ${dir}): the flat image tree holds one`);
    found.set(name, dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const d of Object.keys(pkg.dependencies ?? {})) walk(d, dir, false);
    for (const d of Object.keys(pkg.optionalDependencies ?? {})) walk(d, dir, true);
  };
  for (const r of roots) walk(r, from, false);
  return found;
}

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The entry and every CLI module it reaches through relative imports, as paths under `dist`. */
export function cliModuleClosure(dist: string, entry: string): string[] {
  const found = new Set<string>();
  const walk = (rel: string): void => {
    if (found.has(rel)) return;
    found.add(rel);
    const text = readFileSync(join(dist, rel), 'utf8');
    for (const m of text.matchAll(RELATIVE_IMPORT)) {
      const target = posix.normalize(posix.join(posix.dirname(rel), m[1]!));
      if (target.startsWith('..')) throw new Error(`${rel} imports ${m[1]} from outside the CLI's dist`);
      walk(target);
    }
  };
  walk(entry);
  return [...found].sort();
}

/** Writes the layer's tree under `dest`. */
export function nodeTree(dest: string, spec: NodeTreeSpec): void {
  // The built modules, also when this runs from src/ (tests).
  const cliRoot = dirname(dirname(fileURLToPath(import.meta.url)));
  const dist = join(cliRoot, 'dist');
  const opt = join(dest, 'opt', 'wharf');
  mkdirSync(join(opt, 'cli', 'dist'), { recursive: true });
  writeFileSync(join(opt, 'cli', 'package.json'), '{"type":"module"}\n');
  for (const m of cliModuleClosure(dist, spec.entry)) cpSync(join(dist, m), join(opt, 'cli', 'dist', m));
  const wharf = new Set(spec.wharfPackages);
  for (const [name, dir] of dependencyClosure([...spec.wharfPackages, ...spec.npmPackages], cliRoot)) {
    const to = join(opt, 'node_modules', name);
    if (name.startsWith('@wharf/')) {
      if (!wharf.has(name)) throw new Error(`${name} is needed by the image but not listed in wharfPackages`);
      cpSync(join(dir, 'package.json'), join(to, 'package.json'));
      cpSync(join(dir, 'dist'), join(to, 'dist'), { recursive: true, dereference: true, filter: runtimeFile });
    } else {
      cpSync(dir, to, {
        recursive: true,
        dereference: true,
        filter: (f) => runtimeFile(f) && !f.slice(dir.length).includes('/node_modules/'),
      });
    }
  }
  mkdirSync(join(dest, 'usr', 'local', 'bin'), { recursive: true });
  writeFileSync(
    join(dest, 'usr', 'local', 'bin', 'wharf'),
    `#!/bin/sh\nexec node /opt/wharf/cli/dist/${spec.entry} "$@"\n`,
    { mode: 0o755 },
  );
}
