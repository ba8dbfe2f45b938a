import { describe, expect, it } from 'vitest';
import type { KubeClient } from '@wharf/client';
import { kubeVolumeApi } from './api.js';

describe('kubeVolumeApi', () => {
  it('shares ConfigMap/Secret reads within the TTL and requests pod-bound tokens', async () => {
    const gets: string[] = [];
    const posts: { path: string; body: unknown }[] = [];
    const client = {
      getOptional: async (p: string) => {
        gets.push(p);
        return p.includes('missing') ? undefined : { data: { k: 'v' } };
      },
      create: async (p: string, body: unknown) => {
        posts.push({ path: p, body });
        return { status: { token: 'tok', expirationTimestamp: '2030-01-01T00:00:00Z' } };
      },
    } as unknown as KubeClient;
    let now = 0;
    const api = kubeVolumeApi({ client, ttlMs: 1000, clock: () => now });
    expect(await api.configMap('ns', 'cfg')).toEqual({ data: { k: 'v' } });
    await api.configMap('ns', 'cfg');
    expect(gets).toEqual(['/api/v1/namespaces/ns/configmaps/cfg']);
    now = 1000;
    await api.configMap('ns', 'cfg');
    expect(await api.secret('ns', 'missing')).toBeUndefined();
    expect(gets).toHaveLength(3);
    // A fresh read (the pod changed: a writer may have changed the object just before) is never shared.
    await api.configMap('ns', 'cfg', true);
    expect(gets).toHaveLength(4);
    const t = await api.serviceAccountToken('ns', 'robot', {
      audiences: ['vault'],
      expirationSeconds: 3607,
      pod: { name: 'p', uid: 'u' },
    });
    expect(t).toEqual({ token: 'tok', expiresAt: Date.parse('2030-01-01T00:00:00Z') });
    expect(posts[0]).toEqual({
      path: '/api/v1/namespaces/ns/serviceaccounts/robot/token',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: ['vault'],
          expirationSeconds: 3607,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u' },
        },
      },
    });
  });
});
