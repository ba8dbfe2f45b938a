import { describe, expect, it } from 'vitest';
import type { Application, ApplicationRevision } from '@wharf/platform-apps';
import { renderApp, renderAppList, renderHistory } from './render.js';

const NOW = Date.parse('2026-12-05T10:00:00Z');
const shop: Application = {
  metadata: { name: 'shop', namespace: 'demo', creationTimestamp: '2026-12-05T09:57:00Z' as never, generation: 2 },
  spec: {
    components: [
      {
        name: 'web',
        runtime: { image: 'busybox:1' },
        artifacts: [{ image: 'shop-site:1', path: '/site', mountPath: '/www' }],
        replicas: 2,
        expose: { host: 'shop.localhost' },
      },
    ],
  },
  status: {
    observedGeneration: 2,
    revision: 3,
    url: 'http://shop.localhost:8080/',
    artifactDelivery: 'initCopy',
    components: [
      { name: 'web', replicas: 2, readyReplicas: 2, updatedReplicas: 2, url: 'http://shop.localhost:8080/' },
    ],
    images: [
      { component: 'web', role: 'runtime', image: 'busybox:1', digest: `sha256:${'ab'.repeat(32)}` },
      { component: 'web', role: 'artifact-0', image: 'shop-site:1' },
    ],
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Available',
        message: 'revision 3: 2/2 pods Ready',
        lastTransitionTime: '2026-12-05T09:59:00Z' as never,
      },
      {
        type: 'Degraded',
        status: 'True',
        reason: 'RolledBack',
        message: 'revision 4 (config shop-settings v3) was rolled back to revision 3: pod shop-web-r4-x not Ready',
        lastTransitionTime: '2026-12-05T09:59:30Z' as never,
      },
    ],
  },
};

describe('app tables', () => {
  it('lists revision, ready/desired, the state a person acts on, URL and age', () => {
    const out = renderAppList([shop], NOW).split('\n');
    expect(out[0]).toMatch(/^NAME\s+REVISION\s+READY\s+STATE\s+URL\s+AGE$/);
    expect(out[1]).toMatch(/^shop\s+3\s+2\/2\s+RolledBack\s+http:\/\/shop.localhost:8080\/\s+3m$/);
  });

  it('shows components with images and digests, and every condition with its message', () => {
    const out = renderApp(shop, NOW);
    expect(out).toContain('Revision:    3');
    expect(out).toContain('Artifacts:   delivered as init-container copies');
    expect(out).toMatch(
      /web\s+2\/2\s+2\s+http:\/\/shop.localhost:8080\/\s+busybox:1@sha256:abababababab, shop-site:1$/m,
    );
    expect(out).toMatch(/Degraded\s+True\s+RolledBack\s+30s\s+revision 4 \(config shop-settings v3\) was rolled back/);
  });

  it('prints history oldest first, the current revision starred, secrets only as hashes', () => {
    const rev = (n: number, cause: string, phase: 'Active' | 'Failed' | 'Superseded'): ApplicationRevision => ({
      metadata: { creationTimestamp: `2026-12-05T09:5${n}:00Z` as never },
      spec: {
        application: 'shop',
        revision: n,
        template: shop.spec,
        config: [{ configSet: 'shop-settings', version: n, configMap: `shop-settings-v${n}` }],
        secrets: [{ secret: 'shop-secrets', hash: 'deadbeefcafe0000', snapshot: 'x' }],
        images: [{ component: 'web', role: 'runtime', image: 'busybox:1' }],
        cause,
        inputs: '',
      },
      status: { phase },
    });
    const out = renderHistory(
      [
        rev(2, 'config shop-settings v2', 'Superseded'),
        rev(1, 'created', 'Superseded'),
        rev(3, 'rollback to 1', 'Active'),
      ],
      3,
    ).split('\n');
    expect(out[0]).toMatch(/^REVISION\s+CREATED\s+PHASE\s+CAUSE\s+CONFIG\s+IMAGES$/);
    expect(out[1]).toMatch(/^ 1\s/);
    expect(out[3]).toMatch(
      /^\*3\s+2026-12-05T09:53:00Z\s+Active\s+rollback to 1\s+shop-settings@v3 secret shop-secrets@deadbeef\s+web\/runtime=busybox:1$/,
    );
  });
});
