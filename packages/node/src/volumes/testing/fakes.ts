// Test doubles for the volume plugins: an API backed by maps and a mounter that only records.
import { readdirSync } from 'node:fs';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { DataObject, ServiceAccountToken, TokenRequestSpec, VolumeApi } from '../api.js';
import type { Mounter } from '../mounter.js';

export class FakeVolumeApi implements VolumeApi {
  readonly configMaps = new Map<string, DataObject>();
  readonly secrets = new Map<string, DataObject>();
  readonly claims = new Map<string, V1PersistentVolumeClaim>();
  readonly volumes = new Map<string, V1PersistentVolume>();
  readonly tokenRequests: { namespace: string; serviceAccount: string; spec: TokenRequestSpec }[] = [];
  reads = 0;
  now = 0;

  async configMap(ns: string, name: string): Promise<DataObject | undefined> {
    this.reads += 1;
    return this.configMaps.get(`${ns}/${name}`);
  }
  async secret(ns: string, name: string): Promise<DataObject | undefined> {
    this.reads += 1;
    return this.secrets.get(`${ns}/${name}`);
  }
  async persistentVolumeClaim(ns: string, name: string): Promise<V1PersistentVolumeClaim | undefined> {
    return this.claims.get(`${ns}/${name}`);
  }
  async persistentVolume(name: string): Promise<V1PersistentVolume | undefined> {
    return this.volumes.get(name);
  }
  async serviceAccountToken(
    namespace: string,
    serviceAccount: string,
    spec: TokenRequestSpec,
  ): Promise<ServiceAccountToken> {
    this.tokenRequests.push({ namespace, serviceAccount, spec });
    return { token: `token-${this.tokenRequests.length}`, expiresAt: this.now + spec.expirationSeconds * 1000 };
  }
}

export class FakeMounter implements Mounter {
  readonly tmpfs = new Map<string, { sizeBytes?: number; mode?: string }>();
  /** Directories that were not empty when a tmpfs went on them (would have hidden files on disk). */
  readonly mountedOverContent: string[] = [];

  async mountTmpfs(dir: string, options: { sizeBytes?: number; mode?: string }): Promise<void> {
    if (this.tmpfs.has(dir)) return;
    if (readdirSync(dir).length) this.mountedOverContent.push(dir);
    this.tmpfs.set(dir, options);
  }
  async isMountPoint(dir: string): Promise<boolean> {
    return this.tmpfs.has(dir);
  }
  async mountsUnder(dir: string): Promise<string[]> {
    return [...this.tmpfs.keys()]
      .filter((m) => m.startsWith(`${dir}/`))
      .sort()
      .reverse();
  }
  async unmount(dir: string): Promise<void> {
    this.tmpfs.delete(dir);
  }
}
