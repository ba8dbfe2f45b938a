// Registry credentials from a pod's image pull secrets, matched to an image as the kubelet's
// credential keyring does: keys are `host[:port][/path]` (a scheme and a `/v1/` or `/v2/` prefix
// are ignored), host labels may hold `*` and `?` globs, the port must be equal, the key's path
// must be a prefix of the repository's, and more specific keys come first.
import type { RegistryCredentials } from '@wharf/images';
import type { PullSecret } from '../agent/image-provider.js';

export const DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const DOCKER_CFG = 'kubernetes.io/dockercfg';

/** Credentials for one registry key, and the secret they came from. */
export interface KeyringEntry extends RegistryCredentials {
  /** The normalised key: `host[:port][/path]`. */
  readonly key: string;
  /** The pull secret's name. */
  readonly secret: string;
}

/** A pull secret's content cannot be read as a docker config. */
export class PullSecretError extends Error {
  override name = 'PullSecretError';
}

interface DockerConfigEntry {
  username?: unknown;
  password?: unknown;
  auth?: unknown;
}

/** `https://reg.example:5000/v2/team` → `reg.example:5000/team`; `reg.example/` → `reg.example`. */
export function normaliseKey(location: string): string {
  const rest = location.replace(/^https?:\/\//, '');
  const slash = rest.indexOf('/');
  const host = slash < 0 ? rest : rest.slice(0, slash);
  let path = slash < 0 ? '' : rest.slice(slash);
  if (path.startsWith('/v2/') || path.startsWith('/v1/')) path = path.slice(3);
  return path && path !== '/' ? `${host}${path}` : host;
}

function splitKey(key: string): { labels: string[]; port: string; path: string } {
  const slash = key.indexOf('/');
  const hostPort = slash < 0 ? key : key.slice(0, slash);
  const path = slash < 0 ? '' : key.slice(slash);
  const m = /^(.*?)(?::(\d+))?$/.exec(hostPort);
  return { labels: (m?.[1] ?? hostPort).split('.'), port: m?.[2] ?? '', path };
}

function globMatch(glob: string, text: string): boolean {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(text);
}

/** Whether credentials stored under `key` apply to `image` (`host[:port]/repository`, no tag). */
export function keyMatches(key: string, image: string): boolean {
  const k = splitKey(key);
  const t = splitKey(image);
  if (k.port !== t.port || k.labels.length !== t.labels.length) return false;
  if (!t.path.startsWith(k.path)) return false;
  return k.labels.every((label, i) => globMatch(label, t.labels[i] ?? ''));
}

function entryCredentials(secret: string, location: string, e: DockerConfigEntry): RegistryCredentials {
  if (typeof e.auth === 'string' && e.auth !== '') {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new PullSecretError(`pull secret "${secret}": the auth of "${location}" is not base64 of user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return {
    username: typeof e.username === 'string' ? e.username : '',
    password: typeof e.password === 'string' ? e.password : '',
  };
}

/** The registry entries of one secret; secrets of other types, or without their key, give none. */
function entriesOf(s: PullSecret): Record<string, DockerConfigEntry> {
  const name = s.metadata?.name ?? '';
  const field = s.type === DOCKER_CONFIG_JSON ? '.dockerconfigjson' : s.type === DOCKER_CFG ? '.dockercfg' : undefined;
  const raw = field ? s.data?.[field] : undefined;
  if (!field || !raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch (e) {
    throw new PullSecretError(`pull secret "${name}": ${field} is not JSON: ${(e as Error).message}`);
  }
  const auths = s.type === DOCKER_CONFIG_JSON ? (parsed as { auths?: unknown } | null)?.auths : parsed;
  if (auths === undefined || auths === null) return {};
  if (typeof auths !== 'object' || Array.isArray(auths))
    throw new PullSecretError(`pull secret "${name}": ${field} holds no registry map`);
  return auths as Record<string, DockerConfigEntry>;
}

export class DockerKeyring {
  private constructor(private readonly entries: readonly KeyringEntry[]) {}

  /** Reads every secret; throws PullSecretError for one whose content is malformed. */
  static fromSecrets(secrets: readonly PullSecret[]): DockerKeyring {
    const entries: KeyringEntry[] = [];
    for (const s of secrets) {
      for (const [location, e] of Object.entries(entriesOf(s))) {
        if (typeof e !== 'object' || e === null) continue;
        entries.push({
          key: normaliseKey(location),
          secret: s.metadata?.name ?? '',
          ...entryCredentials(s.metadata?.name ?? '', location, e),
        });
      }
    }
    // Reverse order of keys: `reg/team/app` before `reg/team` before `reg`; equal keys keep secret order.
    const keys = [...new Set(entries.map((e) => e.key))].sort().reverse();
    return new DockerKeyring(keys.flatMap((k) => entries.filter((e) => e.key === k)));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Every credential that applies to `image` (`host[:port]/repository`), most specific first. */
  lookup(image: string): KeyringEntry[] {
    return this.entries.filter((e) => keyMatches(e.key, image));
  }
}
