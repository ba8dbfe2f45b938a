// Request paths of the distribution API, matched against the spec's grammars. A repository name
// matching REPOSITORY_NAME_RE has no `..`, no empty component and no leading `_`, so it is safe
// to use as a path under the registry root.
import { REPOSITORY_RE, TAG_RE } from '@wharf/images';

export const REPOSITORY_NAME_RE = REPOSITORY_RE;
export { TAG_RE };
/** Longest repository name accepted (host + name must fit 255 characters in references). */
export const MAX_NAME_LENGTH = 255;

export type Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'tags'; name: string }
  | { kind: 'referrers'; name: string; digest: string };

/** Matches a path to a route; undefined when no route matches. Names are not validated here. */
export function matchRoute(path: string): Route | undefined {
  if (path === '/v2/' || path === '/v2') return { kind: 'base' };
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  let m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(path);
  if (m?.[1]) return { kind: 'uploads', name: m[1] };
  m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(path);
  if (m?.[1] && m[2]) return { kind: 'upload', name: m[1], id: m[2] };
  m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(path);
  if (m?.[1] && m[2]) return { kind: 'blob', name: m[1], digest: m[2] };
  m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
  if (m?.[1] && m[2]) return { kind: 'manifest', name: m[1], reference: m[2] };
  m = /^\/v2\/(.+)\/tags\/list$/.exec(path);
  if (m?.[1]) return { kind: 'tags', name: m[1] };
  m = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(path);
  if (m?.[1] && m[2]) return { kind: 'referrers', name: m[1], digest: m[2] };
  return undefined;
}
