// Delegated authentication and authorization through the Kubernetes API, as a kubelet or an
// aggregated API server does it: a TokenReview answers who a bearer token is, a
// SubjectAccessReview whether that user may do something.
import type { KubeClient } from './client.js';

/** An authenticated user, as a TokenReview answers it. */
export interface ReviewedUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** What a SubjectAccessReview asks about (its spec.resourceAttributes). */
export interface ResourceAttributes {
  readonly verb: string;
  readonly group?: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** The token's user, or undefined when it does not authenticate. */
export async function reviewToken(
  client: Pick<KubeClient, 'create'>,
  token: string,
): Promise<ReviewedUser | undefined> {
  const review = await client.create<{ status?: { authenticated?: boolean; user?: ReviewedUser } }>(
    '/apis/authentication.k8s.io/v1/tokenreviews',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
  );
  return review.status?.authenticated && review.status.user?.username ? review.status.user : undefined;
}

/** Whether `user` may do what `attributes` say. */
export async function reviewAccess(
  client: Pick<KubeClient, 'create'>,
  user: ReviewedUser,
  attributes: ResourceAttributes,
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
        resourceAttributes: attributes,
      },
    },
  );
  return review.status?.allowed === true;
}
