// hostPath (pod volumes and PersistentVolumes) and local PersistentVolumes: a path on the node,
// checked or created according to `type` as the kubelet does. Tear-down never touches the path.
import { constants } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { VolumeError, type MountedVolume, type VolumePlugin, type VolumeSpec } from '../plugin.js';

const KINDS: Record<string, { test: (mode: number) => boolean; what: string }> = {
  Directory: { test: (m) => (m & constants.S_IFMT) === constants.S_IFDIR, what: 'a directory' },
  File: { test: (m) => (m & constants.S_IFMT) === constants.S_IFREG, what: 'a file' },
  Socket: { test: (m) => (m & constants.S_IFMT) === constants.S_IFSOCK, what: 'a socket file' },
  CharDevice: { test: (m) => (m & constants.S_IFMT) === constants.S_IFCHR, what: 'a character device' },
  BlockDevice: { test: (m) => (m & constants.S_IFMT) === constants.S_IFBLK, what: 'a block device' },
};

/** Checks (or creates) `p` for a hostPath `type`; "" checks nothing. */
export async function checkHostPathType(p: string, type: string): Promise<void> {
  if (type === '') return;
  const s = await stat(p).catch(() => undefined);
  if (type === 'DirectoryOrCreate') {
    if (!s) await mkdir(p, { recursive: true, mode: 0o755 });
    else if (!s.isDirectory()) throw new VolumeError(`hostPath type check failed: ${p} is not a directory`);
    return;
  }
  if (type === 'FileOrCreate') {
    if (!s) {
      // As the kubelet: the parent directory is not created.
      const dir = await stat(path.dirname(p)).catch(() => undefined);
      if (!dir?.isDirectory())
        throw new VolumeError(
          `hostPath type check failed: the parent directory of ${p} does not exist (FileOrCreate does not create it)`,
        );
      await (await open(p, constants.O_CREAT | constants.O_WRONLY, 0o644)).close();
    } else if (!s.isFile()) throw new VolumeError(`hostPath type check failed: ${p} is not a file`);
    return;
  }
  const kind = KINDS[type];
  if (!kind)
    throw new VolumeError(
      `hostPath type "${type}" is not one of "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice`,
    );
  if (!s || !kind.test(s.mode)) throw new VolumeError(`hostPath type check failed: ${p} is not ${kind.what}`);
}

export class HostPathPlugin implements VolumePlugin {
  readonly name = 'kubernetes.io/host-path';

  init(): void {}

  canSupport(spec: VolumeSpec): boolean {
    return spec.volume?.hostPath !== undefined || spec.persistentVolume?.spec?.hostPath !== undefined;
  }

  async setUp(_pod: V1Pod, spec: VolumeSpec): Promise<MountedVolume> {
    const src = spec.volume?.hostPath ?? spec.persistentVolume!.spec!.hostPath!;
    if (!path.isAbsolute(src.path))
      throw new VolumeError(`volume ${spec.name}: hostPath.path "${src.path}" must be an absolute path`);
    await checkHostPathType(src.path, src.type ?? '');
    return { hostPath: src.path, readOnly: spec.readOnly === true };
  }

  async tearDown(): Promise<void> {}
}

/** `local` PersistentVolumes: an existing directory on this node. */
export class LocalPlugin implements VolumePlugin {
  readonly name = 'kubernetes.io/local-volume';

  init(): void {}

  canSupport(spec: VolumeSpec): boolean {
    return spec.persistentVolume?.spec?.local !== undefined;
  }

  async setUp(_pod: V1Pod, spec: VolumeSpec): Promise<MountedVolume> {
    const p = spec.persistentVolume!.spec!.local!.path;
    const s = await stat(p).catch(() => undefined);
    if (!s?.isDirectory())
      throw new VolumeError(
        `local PersistentVolume ${spec.persistentVolume!.metadata?.name}: path ${p} is not a directory on this node`,
      );
    return { hostPath: p, readOnly: spec.readOnly === true };
  }

  async tearDown(): Promise<void> {}
}
