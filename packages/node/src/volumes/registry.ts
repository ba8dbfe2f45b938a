// The set of initialised plugins and the lookup from a volume spec (or a plugin directory name
// found on disk) to the plugin that serves it, as the kubelet's VolumePluginMgr.
import { escapePluginName, VolumeError, type VolumeHost, type VolumePlugin, type VolumeSpec } from './plugin.js';

export class VolumePluginRegistry {
  private readonly ready: VolumePlugin[] = [];
  /** Plugins whose init threw: name → why. */
  readonly disabled = new Map<string, string>();

  constructor(private readonly plugins: readonly VolumePlugin[]) {
    const seen = new Set<string>();
    for (const p of plugins) {
      if (seen.has(p.name)) throw new Error(`volume plugin "${p.name}" is registered twice`);
      seen.add(p.name);
    }
  }

  /** Probes and initialises every plugin; one that fails is disabled and logged, the rest serve. */
  async init(host: VolumeHost): Promise<void> {
    for (const p of this.plugins) {
      try {
        await p.init(host);
        this.ready.push(p);
      } catch (e) {
        const why = (e as Error).message ?? String(e);
        this.disabled.set(p.name, why);
        host.logger.warn({ plugin: p.name, reason: why }, 'volume plugin disabled');
      }
    }
  }

  /** The one plugin that serves `spec`. */
  find(spec: VolumeSpec): VolumePlugin {
    const matches = this.ready.filter((p) => p.canSupport(spec));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1)
      throw new VolumeError(
        `volume ${spec.name}: several volume plugins claim it (${matches.map((p) => p.name).join(', ')})`,
      );
    const disabled = [...this.disabled].map(([n, why]) => `${n} (${why})`);
    throw new VolumeError(
      `volume ${spec.name}: no volume plugin supports ${describeSource(spec)}${disabled.length ? `; disabled plugins: ${disabled.join('; ')}` : ''}`,
    );
  }

  /** The plugin whose escaped name is `dirName` (for tear-down from disk). */
  byDirName(dirName: string): VolumePlugin | undefined {
    return this.ready.find((p) => escapePluginName(p.name) === dirName);
  }
}

function describeSource(spec: VolumeSpec): string {
  if (spec.persistentVolume) {
    const kinds = Object.keys(spec.persistentVolume.spec ?? {}).filter(
      (k) =>
        ![
          'accessModes',
          'capacity',
          'claimRef',
          'mountOptions',
          'nodeAffinity',
          'persistentVolumeReclaimPolicy',
          'storageClassName',
          'volumeMode',
          'volumeAttributesClassName',
        ].includes(k),
    );
    return `PersistentVolume ${spec.persistentVolume.metadata?.name ?? ''} of kind ${kinds.join(', ') || 'unknown'}`;
  }
  const v = spec.volume ?? { name: spec.name };
  if (v.csi) return `csi driver "${v.csi.driver}"`;
  if (v.flexVolume) return `flexVolume driver "${v.flexVolume.driver}"`;
  const kinds = Object.keys(v).filter((k) => k !== 'name');
  return `volume kind ${kinds.join(', ') || 'unknown'}`;
}
