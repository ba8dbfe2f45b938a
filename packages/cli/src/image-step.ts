// `wharf image build-pack-step`: the image the wharf-pack Task (deploy/pipelines/templates) runs,
// with no daemon and no outside registry: Debian's nodejs and busybox (build-base), plus one
// layer holding `wharf image pack` alone (pack-main.js, its modules and the few packages they
// load), run as /usr/local/bin/wharf.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImageStore } from '@wharf/images';

/** What pack-main.js loads: this package's modules, two of Wharf's and their npm dependencies. */
const CLI_MODULES = ['pack-main.js', 'image-pack.js', 'endpoints.js'];
const WHARF_PACKAGES = ['@wharf/images', '@wharf/api'];
const NPM_PACKAGES = ['commander', 'yaml', 'tar', '@isaacs/fs-minipass', 'chownr', 'minipass', 'minizlib', 'yallist'];

/** The directory of an installed package, looked up as Node.js would from `from`. */
function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`package ${name} not found from ${from}`);
  }
}

/** The layer's tree: /opt/wharf/{cli/dist,node_modules} and the `wharf` wrapper. */
export function packStepTree(dest: string): void {
  const dist = dirname(fileURLToPath(import.meta.url));
  const cliRoot = dirname(dist);
  const opt = join(dest, 'opt', 'wharf');
  mkdirSync(join(opt, 'cli', 'dist'), { recursive: true });
  writeFileSync(join(opt, 'cli', 'package.json'), '{"type":"module"}\n');
  for (const m of CLI_MODULES) cpSync(join(dist, m), join(opt, 'cli', 'dist', m));
  for (const p of WHARF_PACKAGES) {
    const src = packageDir(p, cliRoot);
    cpSync(join(src, 'package.json'), join(opt, 'node_modules', p, 'package.json'));
    cpSync(join(src, 'dist'), join(opt, 'node_modules', p, 'dist'), { recursive: true, dereference: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('.d.ts') && !f.includes('.test.') });
  }
  for (const p of NPM_PACKAGES) cpSync(packageDir(p, cliRoot), join(opt, 'node_modules', p), { recursive: true, dereference: true });
  mkdirSync(join(dest, 'usr', 'local', 'bin'), { recursive: true });
  writeFileSync(join(dest, 'usr', 'local', 'bin', 'wharf'), '#!/bin/sh\nexec node /opt/wharf/cli/dist/pack-main.js "$@"\n', { mode: 0o755 });
}

/** Builds NAME:TAG in the store: the nodejs base, then the pack layer on it. */
export async function buildPackStepImage(store: ImageStore, repository: string, tag: string): Promise<string> {
  const { buildBase, packDirectory } = await import('@wharf/images');
  const base = await buildBase(store, { name: `${repository}-base`, tag, packages: ['nodejs', 'busybox-static'], env: ['HOME=/tmp'] });
  const tree = mkdtempSync(join(tmpdir(), 'wharf-pack-step-'));
  try {
    packStepTree(tree);
    return (await packDirectory(store, { dir: tree, name: repository, tag, from: base.reference })).reference;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}
