import { describe, expect, it } from 'vitest';
import { apiResourceList } from './discovery.js';
import { ResourceRegistry } from './registry.js';

type Entry = { name: string; storageVersionHash?: string };

describe('APIResourceList', () => {
  it('carries the storageVersionHash a real API server publishes for stored resources, none for subresources', () => {
    const registry = new ResourceRegistry();
    const core = (apiResourceList(registry, '', 'v1') as { resources: Entry[] }).resources;
    const apps = (apiResourceList(registry, 'apps', 'v1') as { resources: Entry[] }).resources;
    const hash = (list: Entry[], name: string): string | undefined =>
      list.find((r) => r.name === name)?.storageVersionHash;
    // As a Kubernetes 1.32 cluster's /api/v1 and /apis/apps/v1 list them.
    expect(hash(core, 'pods')).toBe('xPOwRZ+Yhw8=');
    expect(hash(core, 'configmaps')).toBe('qFsyl6wFWjQ=');
    expect(hash(apps, 'deployments')).toBe('8aSe+NMegvE=');
    expect(hash(core, 'pods/status')).toBeUndefined();
    const metrics = (apiResourceList(registry, 'metrics.k8s.io', 'v1beta1') as { resources: Entry[] }).resources;
    expect(hash(metrics, 'pods')).toBeUndefined();
  });
});
