// `wharf image build-pack-step`: the image the wharf-pack Task (deploy/pipelines/templates) runs,
// with no daemon and no outside registry: Debian's nodejs and busybox (build-base), plus one
// layer holding `wharf image pack` alone (pack-main.js, its modules and the few packages they
// load), run as /usr/local/bin/wharf.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageStore } from '@wharf/images';
import { nodeTree, type NodeTreeSpec } from './image-node-tree.js';

/** What pack-main.js loads: this package's modules, two of Wharf's and their npm dependencies. */
const PACK_STEP: NodeTreeSpec = {
  entry: 'pack-main.js',
  wharfPackages: ['@wharf/images', '@wharf/api'],
  npmPackages: ['commander', 'yaml'],
};

/** The layer's tree: /opt/wharf/{cli/dist,node_modules} and the `wharf` wrapper. */
export function packStepTree(dest: string): void {
  nodeTree(dest, PACK_STEP);
}

/** Builds NAME:TAG in the store: Debian's nodejs and busybox, then a layer made by `tree` on it. */
export async function buildNodeImage(
  store: ImageStore,
  repository: string,
  tag: string,
  tree: (dest: string) => void,
  debCacheDir?: string,
): Promise<string> {
  const { buildBase, packDirectory } = await import('@wharf/images');
  const base = await buildBase(store, {
    name: `${repository}-base`,
    tag,
    packages: ['nodejs', 'busybox-static'],
    env: ['HOME=/tmp'],
    ...(debCacheDir ? { debCacheDir } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), 'wharf-node-image-'));
  try {
    tree(dir);
    return (await packDirectory(store, { dir, name: repository, tag, from: base.reference })).reference;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds NAME:TAG in the store: the nodejs base, then the pack layer on it. */
export async function buildPackStepImage(store: ImageStore, repository: string, tag: string): Promise<string> {
  return buildNodeImage(store, repository, tag, packStepTree);
}
