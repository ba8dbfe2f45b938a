// What the signed-in user may do, asked of the API (SelfSubjectAccessReview), so the console hides
// or disables what RBAC forbids and says why, instead of letting the user click into a 403.
import { useEffect, useState } from 'react';
import { api } from './client.js';

export interface AccessQuery {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export interface Access {
  readonly allowed: boolean;
  readonly reason: string;
  /** Still asking. */
  readonly pending: boolean;
}

interface Review {
  status?: { allowed?: boolean; reason?: string; evaluationError?: string };
}

// One question asked once per sign-in (the answers change only with RBAC edits; a reload re-asks).
const cache = new Map<string, Promise<Access>>();

export function clearAccessCache(): void {
  cache.clear();
}

export function canI(q: AccessQuery): Promise<Access> {
  const key = JSON.stringify(q);
  let p = cache.get(key);
  if (!p) {
    p = api<Review>('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      method: 'POST',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { ...q, namespace: q.namespace ?? '' } },
      },
    }).then(
      (r) => ({
        allowed: r.status?.allowed === true,
        reason: r.status?.reason ?? r.status?.evaluationError ?? '',
        pending: false,
      }),
      (e: Error) => ({ allowed: false, reason: e.message, pending: false }),
    );
    cache.set(key, p);
  }
  return p;
}

export function useCan(q: AccessQuery | undefined): Access {
  const [a, setA] = useState<Access>({ allowed: false, reason: '', pending: true });
  const key = q ? JSON.stringify(q) : '';
  useEffect(() => {
    if (!q) return undefined;
    let live = true;
    setA({ allowed: false, reason: '', pending: true });
    void canI(q).then((r) => live && setA(r));
    return () => {
      live = false;
    };
    // The query's JSON is its identity: an equal query object from a new render asks nothing new.
  }, [key]);
  return a;
}
