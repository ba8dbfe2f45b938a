// Images for the node agent: pulled into the node's image store with imagePullPolicy semantics
// and unpacked once per manifest digest into a read-only root filesystem that every container of
// that image starts from. References without a host come from Wharf's built-in registry with the
// node's own token; references naming another registry are pulled from it with the credentials
// of the pod's pull secrets (HTTPS with the system CAs, plain HTTP allowed on loopback).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  hostPlatform,
  parseReference,
  repositoryName,
  pullImage,
  type ImageReference,
  type ImageStore,
  type RegistryCredentials,
  type RegistryEndpoint,
} from '@wharf/images';
import { ImagePullError, type EnsuredImage, type ImageProvider, type PullSecret } from '../agent/image-provider.js';
import { DockerKeyring, PullSecretError } from './credentials.js';

const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface RegistryImageProviderOptions {
  readonly store: ImageStore;
  /** The built-in registry, with this node's token. */
  readonly registry: RegistryEndpoint;
  /** host:port of the built-in registry, as image references name it. */
  readonly registryHost: string;
  /** Where unpacked root filesystems are kept, one directory per manifest digest. */
  readonly rootfsDir: string;
  /**
   * CA certificates (PEM) trusted for other registries. @default the system bundle, /etc/ssl/certs/ca-certificates.crt
   */
  readonly registryCAs?: string;
}

/** localhost, 127.0.0.0/8 and ::1, with or without a port. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

export class RegistryImageProvider implements ImageProvider {
  private readonly inflight = new Map<string, Promise<EnsuredImage>>();
  /**
   * What each image reference resolved to, and the store's index.json it was read from: while that
   * file is the same (every change renames a new one in), a start reads no index, manifest or config.
   */
  private readonly resolved = new Map<string, { readonly index: string; readonly image: EnsuredImage }>();
  private systemCAs: string | undefined;

  constructor(private readonly opts: RegistryImageProviderOptions) {}

  ensure(image: string, pullPolicy: string, pullSecrets: readonly PullSecret[] = []): Promise<EnsuredImage> {
    // Pods with other secrets do not share a pull: one without credentials must not ride on one with.
    const secrets = createHash('sha256')
      .update(JSON.stringify(pullSecrets.map((s) => [s.type, s.data])))
      .digest('hex');
    const key = `${image}|${pullPolicy}|${secrets}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.load(image, pullPolicy, pullSecrets).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  async isPresent(image: string): Promise<boolean> {
    const { local } = this.locate(image);
    return (await this.opts.store.lookup(local)) !== undefined;
  }

  private locate(image: string): { ref: ImageReference; local: string } {
    let ref: ImageReference;
    try {
      ref = parseReference(image, { builtinHosts: [this.opts.registryHost, 'localhost:5000', '127.0.0.1:5000'] });
    } catch (e) {
      throw new ImagePullError(image, `InvalidImageName: ${(e as Error).message}`);
    }
    // Images of other registries are cached under their full reference, the built-in's without a host.
    const local = ref.digest ? `${repositoryName(ref)}@${ref.digest}` : `${repositoryName(ref)}:${ref.tag ?? 'latest'}`;
    return { ref, local };
  }

  private async load(image: string, pullPolicy: string, pullSecrets: readonly PullSecret[]): Promise<EnsuredImage> {
    const index = indexVersion(this.opts.store.root);
    const known = this.resolved.get(image);
    if (pullPolicy !== 'Always' && known && known.index === index && existsSync(known.image.rootfs))
      return { ...known.image, pulled: false };
    const ensured = await this.resolve(image, pullPolicy, pullSecrets);
    this.resolved.set(image, { index, image: ensured });
    return ensured;
  }

  private async resolve(image: string, pullPolicy: string, pullSecrets: readonly PullSecret[]): Promise<EnsuredImage> {
    const { store, registryHost } = this.opts;
    const { ref, local } = this.locate(image);
    const present = (await store.lookup(local)) !== undefined;
    let pulled = false;
    if (pullPolicy === 'Always' || !present) {
      if (pullPolicy === 'Never')
        throw new ImagePullError(image, 'ErrImageNeverPull: the image is not present and the pull policy is Never');
      await (ref.registry
        ? this.pullExternal(image, ref, local, pullSecrets)
        : this.pull(image, this.opts.registry, ref, local));
      pulled = true;
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
      imageID: `${ref.registry ?? registryHost}/${ref.repository}@${digest}`,
      pulled,
    };
  }

  private async pull(image: string, ep: RegistryEndpoint, ref: ImageReference, local: string): Promise<void> {
    try {
      await pullImage(this.opts.store, ep, ref.repository, ref.digest ?? ref.tag ?? 'latest', local, {
        platform: hostPlatform(),
      });
    } catch (e) {
      throw new ImagePullError(image, (e as Error).message);
    }
  }

  /** Tries each matching credential in turn (most specific first), or none when no secret matches. */
  private async pullExternal(
    image: string,
    ref: ImageReference,
    local: string,
    pullSecrets: readonly PullSecret[],
  ): Promise<void> {
    const host = ref.registry ?? '';
    let matches: RegistryCredentials[];
    try {
      matches = DockerKeyring.fromSecrets(pullSecrets).lookup(`${host}/${ref.repository}`);
    } catch (e) {
      if (e instanceof PullSecretError) throw new ImagePullError(image, e.message);
      throw e;
    }
    const attempts: (RegistryCredentials | undefined)[] = matches.length ? matches : [undefined];
    const errors: string[] = [];
    for (const credentials of attempts) {
      const ep: RegistryEndpoint = {
        url: `https://${host}`,
        ...(credentials ? { credentials } : {}),
        ...(this.cas() ? { ca: this.cas() } : {}),
        plainHttpFallback: isLoopbackHost(host),
      };
      try {
        await this.pull(image, ep, ref, local);
        return;
      } catch (e) {
        errors.push(
          e instanceof ImagePullError ? e.message.replace(/^failed to pull image "[^"]*": /, '') : (e as Error).message,
        );
      }
    }
    throw new ImagePullError(image, errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`);
  }

  private cas(): string | undefined {
    if (this.opts.registryCAs !== undefined) return this.opts.registryCAs;
    if (this.systemCAs === undefined)
      this.systemCAs = existsSync(SYSTEM_CA_BUNDLE) ? readFileSync(SYSTEM_CA_BUNDLE, 'utf8') : '';
    return this.systemCAs || undefined;
  }
}

/** Which index.json the store has now: a new inode after every write (write, then rename). */
function indexVersion(root: string): string {
  const st = statSync(join(root, 'index.json'), { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.mtimeMs}:${st.size}` : '';
}
