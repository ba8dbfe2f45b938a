// The one place where volume plugins are registered. To add a plugin, implement VolumePlugin
// (plugin.ts) and list it here; docs/volume-plugins.md walks through the example plugin.
import { ConfigMapPlugin } from './plugins/config-map.js';
import { DownwardApiPlugin } from './plugins/downward-api.js';
import { EmptyDirPlugin } from './plugins/empty-dir.js';
import { ExampleMotdPlugin } from './plugins/example-motd.js';
import { HostPathPlugin, LocalPlugin } from './plugins/host-path.js';
import { ImagePlugin } from './plugins/image.js';
import { ProjectedPlugin } from './plugins/projected.js';
import { SecretPlugin } from './plugins/secret.js';
import type { VolumePlugin } from './plugin.js';

/** A fresh instance of every built-in plugin (plugins keep per-node state, so one set per manager). */
export function builtInPlugins(): VolumePlugin[] {
  return [
    new EmptyDirPlugin(),
    new HostPathPlugin(),
    new LocalPlugin(),
    new ConfigMapPlugin(),
    new SecretPlugin(),
    new DownwardApiPlugin(),
    new ProjectedPlugin(),
    new ImagePlugin(),
    new ExampleMotdPlugin(),
  ];
}
