// Who is pushing, and may they: HTTP Basic with a cluster token as the password (the user name is
// not checked, as with GitLab's tokens), checked by TokenReview; then a SubjectAccessReview:
// fetch needs `get` on the Repository, push needs `create` on its `push` subresource.
import type { KubeClient } from '@wharf/client';
import { GROUP, PUSH_SUBRESOURCE, REPOSITORY_PLURAL } from './types.js';

export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

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

export async function reviewToken(client: KubeClient, token: string): Promise<UserInfo | undefined> {
  const review = await client.create<{ status?: { authenticated?: boolean; user?: UserInfo } }>(
    '/apis/authentication.k8s.io/v1/tokenreviews',
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token },
    },
  );
  return review.status?.authenticated && review.status.user ? review.status.user : undefined;
}

export async function mayAccess(
  client: KubeClient,
  user: UserInfo,
  namespace: string,
  name: string,
  push: boolean,
): Promise<boolean> {
  const review = await client.create<{ status?: { allowed?: boolean } }>(
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: user.username,
        ...(user.uid ? { uid: user.uid } : {}),
        groups: user.groups ?? [],
        ...(user.extra ? { extra: user.extra } : {}),
        resourceAttributes: {
          namespace,
          name,
          group: GROUP,
          resource: REPOSITORY_PLURAL,
          ...(push ? { verb: 'create', subresource: PUSH_SUBRESOURCE } : { verb: 'get' }),
        },
      },
    },
  );
  return review.status?.allowed === true;
}
