// The node's volume manager: sets up every volume of a pod through the plugin that serves it
// (resolving persistentVolumeClaims to their bound PersistentVolumes first), answers the bind
// mounts of a container, re-projects content volumes (configMap, secret, downwardAPI, projected)
// on refresh so running containers see new content, and tears a pod's volumes down from disk.
import { silentLogger, type Logger } from '@wharf/client';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, realpath, rm, statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { BindMount } from '../runtime/types.js';
import type { VolumeApi } from './api.js';
import { HostMounter, type Mounter } from './mounter.js';
import type { Allocatable } from './payload.js';
import {
  escapePluginName,
  VolumeError,
  type MountedVolume,
  type VolumeHost,
  type VolumePlugin,
  type VolumeSpec,
} from './plugin.js';
import { builtInPlugins } from './plugins.js';
import { VolumePluginRegistry } from './registry.js';

/** Pod volume name → what was set up. */
export type PodVolumes = ReadonlyMap<string, MountedVolume>;

/** Set-up failed for one or more volumes of a pod; `failures` has one line per volume. */
export class PodVolumesError extends VolumeError {
  override readonly code: string = 'WHARF_POD_VOLUMES';
  constructor(readonly failures: readonly { readonly volume: string; readonly message: string }[]) {
    super(failures.map((f) => `MountVolume.SetUp failed for volume "${f.volume}" : ${f.message}`).join('; '));
    this.name = 'PodVolumesError';
  }
}

export interface VolumeManagerOptions {
  /** Pod dirs are `<podsDir>/<uid>`, volumes below `volumes/<escaped plugin name>/<volume>`. */
  readonly podsDir: string;
  readonly api: VolumeApi;
  /** @default '' */
  readonly nodeName?: string;
  /** @default builtInPlugins() (plugins.ts) */
  readonly plugins?: readonly VolumePlugin[];
  /** @default a HostMounter (mount, umount, findmnt) */
  readonly mounter?: Mounter;
  /**
   * A tmpfs for the memory-backed content volumes of every pod (VolumeHost.memoryDir); used only if
   * it is one (statfs), so such a volume never reaches the disk. @default none: a tmpfs per volume
   */
  readonly memoryDir?: string;
  /** Least time between two re-projections of one pod's content volumes. @default 2000 */
  readonly refreshIntervalMs?: number;
  /**
   * Node allocatable for resourceFieldRef without limits. @default the machine's CPUs, memory and pods-dir free space
   */
  readonly allocatable?: Allocatable;
  /** @default Date.now */
  readonly clock?: () => number;
  /** @default silentLogger */
  readonly logger?: Logger;
}

interface SetUpVolume {
  readonly plugin: VolumePlugin;
  readonly spec: VolumeSpec;
  readonly dir: string;
}

interface PodRecord {
  readonly volumes: Map<string, SetUpVolume>;
  lastRefresh: number;
}

export class VolumeManager {
  private readonly registry: VolumePluginRegistry;
  private readonly mounter: Mounter;
  private readonly clock: () => number;
  private readonly logger: Logger;
  private readonly pods = new Map<string, PodRecord>();
  private started: Promise<void> | undefined;
  constructor(private readonly o: VolumeManagerOptions) {
    this.registry = new VolumePluginRegistry(o.plugins ?? builtInPlugins());
    this.mounter = o.mounter ?? new HostMounter();
    this.clock = o.clock ?? Date.now;
    this.logger = o.logger ?? silentLogger;
  }

  /** Probes and initialises the plugins (once; every other method waits for it). */
  start(): Promise<void> {
    this.started ??= (async () => {
      const host: VolumeHost = {
        nodeName: this.o.nodeName ?? '',
        podsDir: this.o.podsDir,
        api: this.o.api,
        mounter: this.mounter,
        ...((await isTmpfs(this.o.memoryDir)) ? { memoryDir: this.o.memoryDir } : {}),
        allocatable: this.o.allocatable ?? (await machineAllocatable(this.o.podsDir)),
        clock: this.clock,
        logger: this.logger,
      };
      await this.registry.init(host);
    })();
    return this.started;
  }

  /** Nothing runs in the background; volumes stay set up for the next agent. */
  async stop(): Promise<void> {}

  podDir(uid: string): string {
    return path.join(this.o.podsDir, uid);
  }

  /** Sets up every volume of the pod (idempotent). Throws PodVolumesError naming each failed volume. */
  async setUp(pod: V1Pod): Promise<PodVolumes> {
    await this.start();
    const uid = pod.metadata?.uid ?? '';
    if (!uid) throw new VolumeError('pod has no metadata.uid');
    const record: PodRecord = this.pods.get(uid) ?? { volumes: new Map(), lastRefresh: this.clock() };
    const out = new Map<string, MountedVolume>();
    const failures: { volume: string; message: string }[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      try {
        const spec = await this.resolve(pod, v);
        const plugin = this.registry.find(spec);
        const dir = path.join(this.podDir(uid), 'volumes', escapePluginName(plugin.name), v.name);
        out.set(v.name, await plugin.setUp(pod, spec, dir));
        record.volumes.set(v.name, { plugin, spec, dir });
      } catch (e) {
        failures.push({ volume: v.name, message: (e as Error).message ?? String(e) });
      }
    }
    this.pods.set(uid, record);
    if (failures.length) throw new PodVolumesError(failures);
    record.lastRefresh = this.clock();
    return out;
  }

  /**
   * Re-projects the pod's content volumes if the refresh interval has passed (the pod may carry
   * new labels for downwardAPI), or `force`d (a source changed). Answers one error per volume that
   * failed; its old content stays.
   */
  async refresh(pod: V1Pod, force = false, fresh = false): Promise<VolumeError[]> {
    await this.start();
    const uid = pod.metadata?.uid ?? '';
    const record = this.pods.get(uid);
    if (!record) {
      // After an agent restart: set up again (idempotent) so later refreshes know the volumes.
      try {
        await this.setUp(pod);
        return [];
      } catch (e) {
        return e instanceof PodVolumesError ? [e] : [new VolumeError((e as Error).message)];
      }
    }
    if (!force && this.clock() - record.lastRefresh < (this.o.refreshIntervalMs ?? 2000)) return [];
    record.lastRefresh = this.clock();
    const errors: VolumeError[] = [];
    for (const [name, v] of record.volumes) {
      if (!v.plugin.needsUpdate?.(v.spec)) continue;
      // The pod's current spec of this volume (a pod's volumes are immutable, but be safe).
      const current = pod.spec?.volumes?.find((x) => x.name === name);
      const spec = { ...(current && v.spec.volume ? { ...v.spec, volume: current } : v.spec), fresh };
      try {
        await v.plugin.setUp(pod, spec, v.dir);
      } catch (e) {
        errors.push(
          new VolumeError(`MountVolume.SetUp failed for volume "${name}" : ${(e as Error).message ?? String(e)}`),
        );
      }
    }
    return errors;
  }

  /** The container's volumeMounts as bind mounts (see mountsFor). */
  mountsFor(c: V1Container, volumes: PodVolumes): Promise<BindMount[]> {
    return mountsFor(c, volumes);
  }

  /**
   * Tears down every volume under the pod dir (by plugin dir name, so it works after a restart) and removes the dir.
   */
  async tearDown(uid: string): Promise<void> {
    await this.start();
    this.pods.delete(uid);
    // Whether or not the shared tmpfs was up when this manager started (an agent's first clean-up).
    if (uid && this.o.memoryDir) await rm(path.join(this.o.memoryDir, uid), { recursive: true, force: true });
    const dir = this.podDir(uid);
    if (!uid || !existsSync(dir)) return;
    const volumesDir = path.join(dir, 'volumes');
    for (const pluginDir of existsSync(volumesDir) ? await readdir(volumesDir) : []) {
      const plugin = this.registry.byDirName(pluginDir);
      for (const name of await readdir(path.join(volumesDir, pluginDir)).catch(() => [])) {
        const vdir = path.join(volumesDir, pluginDir, name);
        if (plugin)
          await plugin
            .tearDown(vdir)
            .catch((e) => this.logger.warn({ err: e, volume: vdir }, 'tearing down a volume failed'));
      }
    }
    for (const m of await this.mounter.mountsUnder(dir)) await this.mounter.unmount(m);
    if ((await this.mounter.mountsUnder(dir)).length)
      throw new VolumeError(`pod dir ${dir} still has mounts; not removing it`);
    await rm(dir, { recursive: true, force: true });
  }

  /** A pod volume as a spec; a persistentVolumeClaim becomes its bound PersistentVolume. */
  private async resolve(pod: V1Pod, v: V1Volume): Promise<VolumeSpec> {
    const claim = v.persistentVolumeClaim;
    if (!claim) return { name: v.name, volume: v };
    const ns = pod.metadata?.namespace ?? 'default';
    const pvc = await this.o.api.persistentVolumeClaim(ns, claim.claimName);
    if (!pvc) throw new VolumeError(`persistentvolumeclaim "${claim.claimName}" not found`);
    const phase = pvc.status?.phase ?? 'Pending';
    const pvName = pvc.spec?.volumeName;
    if (phase !== 'Bound' || !pvName) {
      throw new VolumeError(
        `PersistentVolumeClaim ${ns}/${claim.claimName} is not bound (phase ${phase}${pvName ? `, volumeName ${pvName}` : ', no volumeName'}); the pod waits until it is`,
      );
    }
    const pv = await this.o.api.persistentVolume(pvName);
    if (!pv) throw new VolumeError(`persistentvolume "${pvName}" (bound to claim ${ns}/${claim.claimName}) not found`);
    const ref = pv.spec?.claimRef;
    if (
      !ref ||
      ref.name !== claim.claimName ||
      (ref.namespace ?? '') !== ns ||
      (ref.uid !== undefined && ref.uid !== pvc.metadata?.uid)
    ) {
      throw new VolumeError(
        `persistentvolume "${pvName}" is not bound to claim ${ns}/${claim.claimName} (its claimRef is ${ref ? `${ref.namespace}/${ref.name}` : 'empty'})`,
      );
    }
    return { name: v.name, persistentVolume: pv, readOnly: claim.readOnly === true };
  }
}

/** The container's volumeMounts as bind mounts; subPath must stay inside its volume. */
export async function mountsFor(c: V1Container, volumes: PodVolumes): Promise<BindMount[]> {
  const out: BindMount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) throw new VolumeError(`container ${c.name}: volumeMount "${m.name}" names no volume of the pod`);
    if (m.subPathExpr)
      throw new VolumeError(`container ${c.name}: volumeMount "${m.name}": subPathExpr is not supported yet`);
    let hostPath = v.hostPath;
    if (m.subPath) {
      if (m.subPath.split('/').includes('..') || path.isAbsolute(m.subPath))
        throw new VolumeError(`container ${c.name}: subPath "${m.subPath}" must be a relative path without '..'`);
      hostPath = await insideVolume(
        v.hostPath,
        m.subPath,
        `container ${c.name}: subPath "${m.subPath}" of volume "${m.name}"`,
        v.immutable === true,
      );
    }
    out.push({ hostPath, containerPath: m.mountPath, readOnly: m.readOnly === true || v.readOnly === true });
  }
  return out;
}

/**
 * `base/sub` with every symlink resolved, creating missing directories one at a time (unless the
 * volume is `immutable`); throws when a symlink in the volume (a container may write one) would lead
 * the bind mount out of it.
 */
async function insideVolume(base: string, sub: string, what: string, immutable: boolean): Promise<string> {
  const root = await realpath(base);
  let cur = root;
  for (const part of sub.split('/').filter((x) => x !== '' && x !== '.')) {
    const next = path.join(cur, part);
    if (!(await lstat(next).catch(() => undefined))) {
      if (immutable) throw new VolumeError(`${what} does not exist in the volume`);
      await mkdir(next, { mode: 0o777 });
      cur = next;
      continue;
    }
    const real = await realpath(next).catch(() => undefined);
    if (!real || (real !== root && !real.startsWith(`${root}/`)))
      throw new VolumeError(`${what} resolves outside the volume`);
    cur = real;
  }
  return cur;
}

async function machineAllocatable(podsDir: string): Promise<Allocatable> {
  const fs = await statfs(existsSync(podsDir) ? podsDir : os.tmpdir()).catch(() => undefined);
  return { cpu: os.cpus().length, memory: os.totalmem(), ephemeralStorage: fs ? fs.bavail * fs.bsize : 0 };
}

/** statfs's f_type of a tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;

/** `dir` is on a tmpfs. */
async function isTmpfs(dir: string | undefined): Promise<boolean> {
  if (!dir) return false;
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch(() => undefined);
  return (await statfs(dir).catch(() => undefined))?.type === TMPFS_MAGIC;
}
