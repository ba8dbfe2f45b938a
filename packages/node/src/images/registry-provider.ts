// Images for the node agent from Wharf's built-in registry: pulled into the node's image store
// with imagePullPolicy semantics, unpacked once per manifest digest into a read-only root
// filesystem that every container of that image starts from. Air-gapped: other registries fail.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseReference, pullImage, type ImageStore, type RegistryEndpoint } from '@wharf/images';
import { ImagePullError, type EnsuredImage, type ImageProvider } from '../agent/image-provider.js';

export interface RegistryImageProviderOptions {
  readonly store: ImageStore;
  readonly registry: RegistryEndpoint;
  /** host:port of the built-in registry, as image references name it. */
  readonly registryHost: string;
  /** Where unpacked root filesystems are kept, one directory per manifest digest. */
  readonly rootfsDir: string;
}

export class RegistryImageProvider implements ImageProvider {
  private readonly inflight = new Map<string, Promise<EnsuredImage>>();

  constructor(private readonly opts: RegistryImageProviderOptions) {}

  ensure(image: string, pullPolicy: string): Promise<EnsuredImage> {
    const key = `${image}|${pullPolicy}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.load(image, pullPolicy).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async load(image: string, pullPolicy: string): Promise<EnsuredImage> {
    const { store, registryHost } = this.opts;
    let ref;
    try {
      ref = parseReference(image, { builtinHosts: [registryHost, 'localhost:5000', '127.0.0.1:5000'] });
    } catch (e) {
      throw new ImagePullError(image, `InvalidImageName: ${(e as Error).message}`);
    }
    if (ref.registry) throw new ImagePullError(image, `registry ${ref.registry} is not reachable: Wharf pulls only from its built-in registry`);
    const local = ref.digest ? `${ref.repository}@${ref.digest}` : `${ref.repository}:${ref.tag ?? 'latest'}`;
    const present = (await store.lookup(local)) !== undefined;
    let pulled = false;
    if (pullPolicy === 'Always' || !present) {
      if (pullPolicy === 'Never') throw new ImagePullError(image, 'ErrImageNeverPull: the image is not present and the pull policy is Never');
      try {
        await pullImage(store, this.opts.registry, ref.repository, ref.digest ?? ref.tag ?? 'latest', local);
        pulled = true;
      } catch (e) {
        throw new ImagePullError(image, (e as Error).message);
      }
    }
    const resolved = await store.resolve(local);
    const digest = resolved.manifestDescriptor.digest;
    const rootfs = join(this.opts.rootfsDir, digest.replace(':', '-'));
    if (!existsSync(rootfs)) {
      const tmp = `${rootfs}.tmp-${process.pid}-${Date.now()}`;
      await mkdir(tmp, { recursive: true });
      try {
        await store.unpack(local, tmp);
        await rename(tmp, rootfs);
      } catch (e) {
        await rm(tmp, { recursive: true, force: true });
        if (!existsSync(rootfs)) throw new ImagePullError(image, `unpack failed: ${(e as Error).message}`);
      }
    }
    const c = resolved.config.config ?? {};
    return {
      rootfs,
      config: {
        ...(c.Entrypoint ? { entrypoint: c.Entrypoint } : {}),
        ...(c.Cmd ? { cmd: c.Cmd } : {}),
        ...(c.Env ? { env: c.Env } : {}),
        ...(c.WorkingDir ? { workingDir: c.WorkingDir } : {}),
        ...(c.User ? { user: c.User } : {}),
      },
      imageID: `${registryHost}/${ref.repository}@${digest}`,
      pulled,
    };
  }
}
