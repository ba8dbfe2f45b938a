// The example plugin of docs/volume-plugins.md: an inline CSI-style volume
// `csi: {driver: wharf.example/motd, volumeAttributes: {to: NAME}}` that serves one read-only file,
// `motd`, with a fixed greeting. Small on purpose: it shows the whole contract (init, canSupport,
// setUp, tearDown) and the e2e suite mounts it.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { writeAtomically } from '../atomic-writer.js';
import { VolumeError, type MountedVolume, type VolumeHost, type VolumePlugin, type VolumeSpec } from '../plugin.js';

export const MOTD_DRIVER = 'wharf.example/motd';

/** The file's text for a pod (exported for tests). */
export function motdText(pod: V1Pod, to: string | undefined): string {
  return `Welcome aboard, ${to ?? pod.metadata?.name ?? 'stranger'}! This file comes from the ${MOTD_DRIVER} volume plugin.\n`;
}

export class ExampleMotdPlugin implements VolumePlugin {
  readonly name = MOTD_DRIVER;
  private host!: VolumeHost;

  init(host: VolumeHost): void {
    // A real driver would probe here (is its daemon up, its binary installed?) and throw if not.
    this.host = host;
  }

  canSupport(spec: VolumeSpec): boolean {
    return spec.volume?.csi?.driver === MOTD_DRIVER;
  }

  async setUp(pod: V1Pod, spec: VolumeSpec, dir: string): Promise<MountedVolume> {
    const attrs = spec.volume!.csi!.volumeAttributes ?? {};
    const unknown = Object.keys(attrs).filter((k) => k !== 'to');
    if (unknown.length)
      throw new VolumeError(
        `volume ${spec.name}: ${MOTD_DRIVER} knows only the volumeAttribute "to", not ${unknown.map((k) => `"${k}"`).join(', ')}`,
      );
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await writeAtomically(dir, new Map([['motd', { data: Buffer.from(motdText(pod, attrs.to)), mode: 0o444 }]]), {
      clock: this.host.clock,
    });
    return { hostPath: dir, readOnly: true };
  }

  async tearDown(dir: string): Promise<void> {
    await rm(path.resolve(dir), { recursive: true, force: true });
  }
}
