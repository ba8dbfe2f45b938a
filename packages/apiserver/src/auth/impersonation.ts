// Impersonation (`kubectl --as`, `--as-group`, `--as-uid`): the Impersonate-* headers replace the
// authenticated user once RBAC allows the `impersonate` verb on each requested user, service
// account, group, uid and extra value, as kube-apiserver's impersonation filter does.
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from '../errors.js';
import type { Attributes, UserInfo } from './rbac.js';

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';

export type Authorize = (user: UserInfo, attrs: Attributes) => boolean;

function values(req: IncomingMessage, name: string): string[] {
  return (req.headersDistinct[name] ?? []).map((v) => v.trim()).filter((v) => v !== '');
}

/** Returns the user the request acts as: `user` itself, or the one it may impersonate. */
export function impersonatedUser(req: IncomingMessage, user: UserInfo, authorize: Authorize): UserInfo {
  // Most requests impersonate nobody: answer them without building headersDistinct.
  if (!Object.keys(req.headers).some((h) => h.startsWith('impersonate-'))) return user;
  const name = values(req, 'impersonate-user')[0];
  const groups = values(req, 'impersonate-group');
  const uid = values(req, 'impersonate-uid')[0];
  const extraHeaders = Object.keys(req.headers).filter((h) => h.startsWith(EXTRA_PREFIX));
  if (name === undefined) {
    if (groups.length || uid !== undefined || extraHeaders.length) {
      throw badRequest(
        `requested ${[...groups.map((g) => `group ${g}`), ...(uid ? [`uid ${uid}`] : [])].join(', ') || 'extra'} without impersonating a user`,
      );
    }
    return user;
  }

  const check = (resource: string, objectName: string, namespace = '', apiGroup = '', subresource = ''): void => {
    const attrs: Attributes = {
      verb: 'impersonate',
      apiGroup,
      resource,
      subresource,
      name: objectName,
      namespace,
      resourceRequest: true,
      path: '',
    };
    if (authorize(user, attrs)) return;
    const where = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    const qualified = apiGroup ? `${resource}.${apiGroup}` : resource;
    const full = subresource ? `${resource}/${subresource}` : resource;
    throw new ApiError(
      403,
      'Forbidden',
      `${qualified} "${objectName}" is forbidden: User "${user.name}" cannot impersonate resource "${full}" in API group "${apiGroup}" ${where}`,
      {
        name: objectName,
        group: apiGroup,
        kind: resource,
      },
    );
  };

  const impersonated: UserInfo = { name, groups: [...groups] };
  const sa = name.startsWith(SA_PREFIX) ? name.slice(SA_PREFIX.length).split(':') : undefined;
  if (sa && sa.length === 2 && sa[0] && sa[1]) {
    check('serviceaccounts', sa[1], sa[0]);
    // A service account acts with its own groups unless the request names others.
    if (!groups.length) impersonated.groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[0]}`);
  } else {
    check('users', name);
  }
  for (const g of groups) check('groups', g);
  if (uid !== undefined) {
    check('uids', uid, '', 'authentication.k8s.io');
    impersonated.uid = uid;
  }
  for (const h of extraHeaders) {
    for (const v of values(req, h))
      check('userextras', v, '', 'authentication.k8s.io', decodeURIComponent(h.slice(EXTRA_PREFIX.length)));
  }
  const anonymous = name === 'system:anonymous';
  const everyone = anonymous ? 'system:unauthenticated' : 'system:authenticated';
  if (!impersonated.groups.includes(everyone)) impersonated.groups.push(everyone);
  return impersonated;
}
