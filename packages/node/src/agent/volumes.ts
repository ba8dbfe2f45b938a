// The pod's volumes, for now emptyDir (a directory under the pod dir; medium Memory → tmpfs) and
// hostPath. The volume plugin interface of issue 3 §3 replaces this module; the agent only
// calls setUp/tearDown and mountsFor.
import { existsSync } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { BindMount } from '../runtime/types.js';
import { exec, run } from '../util/exec.js';
import { bytes } from './quantity.js';

/** A volume cannot be set up or mounted (FailedMount); names the volume. */
export class VolumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VolumeError';
  }
}

/** `<podsDir>/<uid>/volumes/<plugin>/<name>`, as the kubelet lays out /var/lib/kubelet/pods. */
export function podDir(podsDir: string, uid: string): string {
  return path.join(podsDir, uid);
}

/** Sets up every volume of the pod (idempotent); returns volume name → host path. */
export async function setUpVolumes(podsDir: string, pod: V1Pod): Promise<Map<string, string>> {
  const uid = pod.metadata?.uid ?? '';
  const out = new Map<string, string>();
  for (const v of pod.spec?.volumes ?? []) out.set(v.name, await setUpVolume(podDir(podsDir, uid), v));
  return out;
}

async function setUpVolume(dir: string, v: V1Volume): Promise<string> {
  if (v.emptyDir) {
    const p = path.join(dir, 'volumes', 'kubernetes.io~empty-dir', v.name);
    await mkdir(p, { recursive: true, mode: 0o777 });
    if (v.emptyDir.medium === 'Memory' && !(await isMountPoint(p))) {
      const size = v.emptyDir.sizeLimit !== undefined ? `,size=${bytes(String(v.emptyDir.sizeLimit), `volumes[${v.name}].emptyDir.sizeLimit`)}` : '';
      await run('mount', ['-t', 'tmpfs', '-o', `nosuid,nodev,mode=1777${size}`, 'tmpfs', p]);
    }
    await run('chmod', ['0777', p]);
    return p;
  }
  if (v.hostPath) {
    const p = v.hostPath.path;
    const type = v.hostPath.type ?? '';
    if (type === 'DirectoryOrCreate' && !existsSync(p)) await mkdir(p, { recursive: true, mode: 0o755 });
    else if (type === 'FileOrCreate' && !existsSync(p)) {
      await mkdir(path.dirname(p), { recursive: true });
      await (await open(p, 'a', 0o644)).close();
    } else if (type === 'Directory' || type === 'File') {
      const s = await stat(p).catch(() => undefined);
      if (!s || (type === 'Directory' ? !s.isDirectory() : !s.isFile())) throw new VolumeError(`hostPath type check failed: ${p} is not a ${type.toLowerCase()} (volume ${v.name})`);
    }
    return p;
  }
  throw new VolumeError(`volume ${v.name}: only emptyDir and hostPath volumes are supported so far`);
}

/** The container's volumeMounts as bind mounts (subPath created inside the volume). */
export async function mountsFor(c: V1Container, volumes: ReadonlyMap<string, string>): Promise<BindMount[]> {
  const out: BindMount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const base = volumes.get(m.name);
    if (!base) throw new VolumeError(`container ${c.name}: volumeMount "${m.name}" names no volume of the pod`);
    let hostPath = base;
    if (m.subPath) {
      if (m.subPath.split('/').includes('..') || path.isAbsolute(m.subPath)) throw new VolumeError(`container ${c.name}: subPath "${m.subPath}" must be a relative path without '..'`);
      hostPath = path.join(base, m.subPath);
      if (!existsSync(hostPath)) await mkdir(hostPath, { recursive: true, mode: 0o777 });
    }
    out.push({ hostPath, containerPath: m.mountPath, readOnly: m.readOnly === true });
  }
  return out;
}

/** Unmounts tmpfs volumes and removes the pod dir (hostPath contents are never touched). */
export async function tearDownVolumes(podsDir: string, uid: string): Promise<void> {
  const dir = podDir(podsDir, uid);
  if (!existsSync(dir)) return;
  const mounts = (await exec('findmnt', ['-rn', '-o', 'TARGET'])).stdout.split('\n').filter((m) => m.startsWith(`${dir}/`));
  for (const m of mounts.sort().reverse()) await run('umount', ['-l', m]);
  await rm(dir, { recursive: true, force: true });
}

async function isMountPoint(p: string): Promise<boolean> {
  return (await exec('mountpoint', ['-q', p])).code === 0;
}
