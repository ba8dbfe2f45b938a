import { describe, expect, it } from 'vitest';
import type { KubeClient } from '@wharf/client';
import { API_SERVER_USER, apiServerCheck } from './api-server-check.js';

/** A TokenReview endpoint that knows one token per user, counting the reviews it answers. */
function reviewer(users: Record<string, string>) {
  const seen: string[] = [];
  const client = {
    create: async (path: string, body: { spec: { token: string } }) => {
      expect(path).toBe('/apis/authentication.k8s.io/v1/tokenreviews');
      seen.push(body.spec.token);
      const user = users[body.spec.token];
      return { status: user ? { authenticated: true, user: { username: user } } : { authenticated: false } };
    },
  } as unknown as KubeClient;
  return { client, seen };
}

describe('apiServerCheck', () => {
  it("accepts only the API server's own token, and caches answers for a while", async () => {
    let now = 0;
    const r = reviewer({ apiserver: API_SERVER_USER, bootstrap: 'system:bootstrap:abcdef' });
    const check = apiServerCheck(r.client, 60_000, () => now);
    expect(await check('apiserver')).toBe(true);
    expect(await check('bootstrap')).toBe(false);
    expect(await check('nobody')).toBe(false);
    expect(await check('apiserver')).toBe(true);
    expect(r.seen).toEqual(['apiserver', 'bootstrap', 'nobody']);
    now = 6_000; // refusals are remembered 5 s, acceptances 60 s
    await check('nobody');
    await check('apiserver');
    expect(r.seen).toEqual(['apiserver', 'bootstrap', 'nobody', 'nobody']);
  });
});
