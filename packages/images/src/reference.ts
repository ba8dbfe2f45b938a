// Image references (`busybox:1`, `localhost:5000/team/app:v2`, `app@sha256:…`) and the rule that
// places them: a reference with no registry host belongs to Wharf's built-in registry and keeps
// its repository name as written (`busybox`, not `library/busybox`). docker.io names map onto the
// built-in registry too (`docker.io/library/busybox` → `busybox`), because air-gapped clusters
// mirror Docker Hub there.
import { isDigest } from './digest.js';
import { InvalidReferenceError } from './errors.js';

/** The distribution spec's repository-name grammar (one or more path components). */
export const REPOSITORY_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
/** The distribution spec's tag grammar. */
export const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const HOST_RE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:.]+\](?::[0-9]+)?$/;
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** A parsed image reference. */
export interface ImageReference {
  /** Registry host[:port]; undefined for the built-in registry. */
  readonly registry?: string;
  /** Repository path inside the registry, e.g. `busybox` or `team/app`. */
  readonly repository: string;
  /** Tag; `latest` when the reference has neither tag nor digest. */
  readonly tag?: string;
  /** Digest when the reference pins one (`name@sha256:…`). */
  readonly digest?: string;
}

export interface ParseReferenceOptions {
  /**
   * Hosts that are the built-in registry itself (for example `localhost:5000`, where Wharf serves
   * it): references on them parse as if they had no host.
   * @default []
   */
  readonly builtinHosts?: readonly string[];
}

/** Parses and normalises an image reference; throws InvalidReferenceError naming the bad part. */
export function parseReference(ref: string, opts: ParseReferenceOptions = {}): ImageReference {
  if (ref === '' || ref.length > 4096)
    throw new InvalidReferenceError(`invalid image reference "${ref}": empty or too long`);
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw new InvalidReferenceError(`invalid image reference "${ref}": bad digest "${digest}"`);
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG_RE.test(tag)) throw new InvalidReferenceError(`invalid image reference "${ref}": bad tag "${tag}"`);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      if (!HOST_RE.test(first))
        throw new InvalidReferenceError(`invalid image reference "${ref}": bad registry host "${first}"`);
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  if (registry !== undefined && DOCKER_HUB_HOSTS.has(registry)) {
    registry = undefined;
    if (rest.startsWith('library/')) rest = rest.slice('library/'.length);
  }
  if (registry !== undefined && opts.builtinHosts?.includes(registry)) registry = undefined;
  if (!REPOSITORY_RE.test(rest))
    throw new InvalidReferenceError(`invalid image reference "${ref}": bad repository name "${rest}"`);
  if (tag === undefined && digest === undefined) tag = 'latest';
  return {
    ...(registry !== undefined && { registry }),
    repository: rest,
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest }),
  };
}

/** The repository with its host, if any: `busybox`, `localhost:5000/team/app`. */
export function repositoryName(r: ImageReference): string {
  return r.registry !== undefined ? `${r.registry}/${r.repository}` : r.repository;
}

/** Formats a reference back to its normal string form. */
export function formatReference(r: ImageReference): string {
  return `${repositoryName(r)}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}

/**
 * The name a tagged reference is stored under in the layout's index.json
 * (`org.opencontainers.image.ref.name`): `name:tag`, or undefined for digest-only references.
 */
export function refName(r: ImageReference): string | undefined {
  return r.tag !== undefined ? `${repositoryName(r)}:${r.tag}` : undefined;
}
