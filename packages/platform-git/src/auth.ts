// Who is pushing, and may they: HTTP Basic with a cluster token as the password (the user name is
// not checked, as with GitLab's tokens), checked by TokenReview; then a SubjectAccessReview:
// fetch needs `get` on the Repository, push needs `create` on its `push` subresource.
import { reviewAccess, type KubeClient, type ReviewedUser } from '@wharf/client';
import { GROUP, PUSH_SUBRESOURCE, REPOSITORY_PLURAL } from './types.js';

/** The token from `Authorization: Basic base64(user:token)` or `Bearer token`. */
export function tokenFrom(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme = '', value = ''] = authorization.split(' ', 2);
  if (scheme.toLowerCase() === 'bearer') return value.trim() || undefined;
  if (scheme.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}

export async function mayAccess(
  client: KubeClient,
  user: ReviewedUser,
  namespace: string,
  name: string,
  push: boolean,
): Promise<boolean> {
  return reviewAccess(client, user, {
    namespace,
    name,
    group: GROUP,
    resource: REPOSITORY_PLURAL,
    ...(push ? { verb: 'create', subresource: PUSH_SUBRESOURCE } : { verb: 'get' }),
  });
}
