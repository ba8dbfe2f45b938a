// Shared set-up and tear-down of the volumes whose files come from API objects (configMap, secret,
// downwardAPI, projected): a directory, on a tmpfs when the content is sensitive, filled through
// the atomic writer so that updates reach running containers without a torn read.
import { chmod, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomically, type Payload } from './atomic-writer.js';
import type { MountedVolume, VolumeHost } from './plugin.js';

/** `memory`: a tmpfs, so the files never reach the node's disk (secrets, tokens). */
export type ContentMedium = 'disk' | 'memory';

/**
 * Where a memory volume's files live when the node has a shared tmpfs (VolumeHost.memoryDir):
 * `<memoryDir>/<uid>/<plugin>/<volume>` for `<podsDir>/<uid>/volumes/<plugin>/<volume>`.
 */
function memoryContentDir(host: VolumeHost, dir: string): string | undefined {
  if (!host.memoryDir) return undefined;
  const [uid, , ...rest] = path.relative(host.podsDir, dir).split(path.sep);
  return uid && rest.length ? path.join(host.memoryDir, uid, ...rest) : undefined;
}

export async function setUpContent(
  host: VolumeHost,
  volumeDir: string,
  medium: ContentMedium,
  payload: Payload,
): Promise<MountedVolume> {
  const shared = medium === 'memory' ? memoryContentDir(host, volumeDir) : undefined;
  const dir = shared ?? volumeDir;
  await mkdir(dir, { recursive: true });
  // Mounted before anything is written: a failed mount fails the set-up, it never falls back to disk.
  if (medium === 'memory' && !shared) await host.mounter.mountTmpfs(dir, { mode: '1777' });
  // Open to every uid, as the kubelet's (its wrapped emptyDir is 0777; a tmpfs of its own, 1777): a
  // container running as non-root must reach the files, whose own modes (defaultMode) decide who
  // reads them. Containers mount the volume read-only, so none can write here.
  else await chmod(dir, shared ? 0o1777 : 0o777);
  await writeAtomically(dir, payload, { clock: host.clock });
  return { hostPath: dir, readOnly: true };
}

export async function tearDownContent(host: VolumeHost, dir: string): Promise<void> {
  if (await host.mounter.isMountPoint(dir)) await host.mounter.unmount(dir);
  await rm(dir, { recursive: true, force: true });
}
