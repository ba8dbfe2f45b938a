// A joined agent does not hold the API server's agent token: it asks the API server, with a
// TokenReview, whether the bearer token a caller of its logs/exec port presents is the API
// server's own (as the kubelet's webhook authentication does). Answers are cached briefly.
import { createHash } from 'node:crypto';
import type { KubeClient } from '@wharf/client';

/** The user the API server's agent token stands for (apiserver AGENT_CLIENT_USER). */
export const API_SERVER_USER = 'system:kube-apiserver-kubelet-client';

interface TokenReview {
  status?: { authenticated?: boolean; user?: { username?: string } };
}

export function apiServerCheck(
  client: KubeClient,
  ttlMs = 60_000,
  now: () => number = Date.now,
): (bearer: string) => Promise<boolean> {
  const cache = new Map<string, { ok: boolean; until: number }>();
  return async (bearer) => {
    const key = createHash('sha256').update(bearer).digest('hex');
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit.ok;
    const review = await client.create<TokenReview>('/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: bearer },
    });
    const ok = review.status?.authenticated === true && review.status.user?.username === API_SERVER_USER;
    if (cache.size > 256) cache.clear();
    // A refusal is remembered for less time, so a token the API server just gained is soon accepted.
    cache.set(key, { ok, until: now() + (ok ? ttlMs : Math.min(ttlMs, 5_000)) });
    return ok;
  };
}
