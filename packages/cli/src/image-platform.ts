// The platform image (`wharf/platform:0.1.0`, what deploy/npd and deploy/notify name): Debian's
// nodejs and busybox, plus one layer with the in-cluster components' entry (platform-main.js),
// their Wharf packages and npm dependencies. `wharf up` builds it once per data dir, like the
// Prometheus and Alertmanager images.
import type { ImageStore } from '@wharf/images';
import { nodeTree, type NodeTreeSpec } from './image-node-tree.js';
import { buildNodeImage } from './image-step.js';

export const PLATFORM_IMAGE = 'wharf/platform:0.1.0';

const PLATFORM: NodeTreeSpec = {
  entry: 'platform-main.js',
  wharfPackages: [
    '@wharf/platform-npd',
    '@wharf/platform-notify',
    '@wharf/platform-monitoring',
    '@wharf/client',
    '@wharf/api',
  ],
  // The PromQL parser's peer dependencies (the query proxy's namespace enforcement): the closure walks dependencies
  // only.
  npmPackages: ['commander', '@kubernetes/client-node', '@lezer/lr', '@lezer/highlight'],
};

export function platformTree(dest: string): void {
  nodeTree(dest, PLATFORM);
}

export async function buildPlatformImage(store: ImageStore, repository: string, tag: string): Promise<string> {
  return buildNodeImage(store, repository, tag, platformTree);
}
