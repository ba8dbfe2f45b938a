// A joined agent does not hold the API server's agent token: it asks the API server, with a
// TokenReview, whether the bearer token a caller of its logs/exec port presents is the API
// server's own (as the kubelet's webhook authentication does). Answers are cached briefly.
import { createHash } from 'node:crypto';
import { reviewToken, type KubeClient } from '@wharf/client';

/** The user the API server's agent token stands for (apiserver AGENT_CLIENT_USER). */
export const API_SERVER_USER = 'system:kube-apiserver-kubelet-client';

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
    const ok = (await reviewToken(client, bearer))?.username === API_SERVER_USER;
    if (cache.size > 256) cache.clear();
    // A refusal is remembered for less time, so a token the API server just gained is soon accepted.
    cache.set(key, { ok, until: now() + (ok ? ttlMs : Math.min(ttlMs, 5_000)) });
    return ok;
  };
}
