// Turns a request path and method into what it asks of the API: the verb, group/version, resource,
// namespace, name and subresource (as the real apiserver's RequestInfo does), or a non-resource path.
import { badRequest } from '../errors.js';

export interface RequestInfo {
  readonly resourceRequest: boolean;
  readonly path: string;
  readonly verb: string;
  readonly apiPrefix: string;
  readonly group: string;
  readonly version: string;
  readonly namespace: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
  /** Path segments after /api or /apis. */
  readonly parts: readonly string[];
}

const methodVerbs: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

const namespaceSubresources = new Set(['status', 'finalize']);

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`the request path is not valid percent-encoding: ${JSON.stringify(segment)}`);
  }
}

/** Parses the path of a request; query holds the parsed query string. */
export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const segs = path
    .split('/')
    .filter((s) => s.length > 0)
    .map(decodeSegment);
  const base = {
    path,
    verb: (methodVerbs[method] ?? method).toLowerCase(),
    apiPrefix: '',
    group: '',
    version: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: segs,
  };
  const prefix = segs[0];
  // Non-resource requests are authorized by their lower-cased HTTP method.
  const nonResource = { ...base, verb: method.toLowerCase() };
  if (prefix !== 'api' && prefix !== 'apis') return { ...nonResource, resourceRequest: false };
  let i = 1;
  let group = '';
  if (prefix === 'apis') {
    group = segs[i++] ?? '';
    if (!group) return { ...nonResource, resourceRequest: false, apiPrefix: prefix };
  }
  const version = segs[i++] ?? '';
  if (!version) return { ...nonResource, resourceRequest: false, apiPrefix: prefix, group };
  let rest = segs.slice(i);
  let verb = base.verb;
  // Deprecated /watch/ prefix form.
  if (rest[0] === 'watch') {
    verb = 'watch';
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    namespace = rest[1] ?? '';
    // /namespaces/<ns>/<resource>... unless the next part is a subresource of the namespace itself.
    if (rest.length > 2 && !namespaceSubresources.has(rest[2] ?? '')) rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest.slice(2).join('/');
  if (!resource) return { ...nonResource, resourceRequest: false, apiPrefix: prefix, group, version };
  if (!name) {
    if (verb === 'get') verb = query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list';
    else if (verb === 'delete') verb = 'deletecollection';
  } else if (verb === 'get' && (query.get('watch') === 'true' || query.get('watch') === '1')) {
    verb = 'watch';
  }
  return {
    ...base,
    resourceRequest: true,
    verb,
    apiPrefix: prefix,
    group,
    version,
    namespace,
    resource,
    name,
    subresource,
  };
}
