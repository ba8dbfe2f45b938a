import { describe, expect, it } from 'vitest';
import type { Application, MemberCluster, Placement } from '../types.js';
import { copyCurrent, isOurCopy, memberCopy, placementStatus, selectedClusters, shares } from './reconcile.js';

const app = (placement: Placement, replicas: Record<string, number> = { web: 5, worker: 1 }): Application => ({
  metadata: { name: 'shop', namespace: 'team' },
  spec: {
    placement,
    components: Object.entries(replicas).map(([name, r]) => ({ name, replicas: r, runtime: { image: 'busybox:1' } })),
  },
});
const member = (name: string, labels: Record<string, string> = {}): MemberCluster => ({
  metadata: { name, labels },
  spec: { kubeconfigSecret: { name: `${name}-kubeconfig` } },
});
const view = (name: string, healthy = true) => ({ name, healthy });

describe('selectedClusters', () => {
  const members = [member('b', { region: 'eu' }), member('a', { region: 'eu' }), member('c', { region: 'us' })];

  it('keeps the order of the names given, dropping clusters that are not registered', () => {
    expect(selectedClusters({ clusters: ['c', 'x', 'a'] }, members)).toEqual(['c', 'a']);
  });

  it('selects by labels, in name order', () => {
    expect(selectedClusters({ clusterSelector: { matchLabels: { region: 'eu' } } }, members)).toEqual(['a', 'b']);
    expect(
      selectedClusters(
        { clusterSelector: { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu'] }] } },
        members,
      ),
    ).toEqual(['c']);
  });
});

describe('shares', () => {
  it('spreads each component over the healthy clusters, the first ones taking the remainder', () => {
    const s = shares(app({ clusters: ['a', 'b'] }), [view('a'), view('b')]);
    expect(Object.fromEntries(s)).toEqual({ a: { web: 3, worker: 1 }, b: { web: 2, worker: 0 } });
  });

  it('moves the share of an unhealthy cluster to the healthy ones', () => {
    const s = shares(app({ clusters: ['a', 'b', 'c'] }), [view('a'), view('b', false), view('c')]);
    expect(Object.fromEntries(s)).toEqual({
      a: { web: 3, worker: 1 },
      b: { web: 0, worker: 0 },
      c: { web: 2, worker: 0 },
    });
  });

  it('fails over to the first healthy cluster in order of preference', () => {
    const s = shares(app({ clusters: ['a', 'b'], policy: 'Failover' }), [view('a', false), view('b')]);
    expect(Object.fromEntries(s)).toEqual({ a: { web: 0, worker: 0 }, b: { web: 5, worker: 1 } });
  });

  it('keeps every share when no cluster is healthy (the first to recover serves at once)', () => {
    const s = shares(app({ clusters: ['a', 'b'] }, { web: 2 }), [view('a', false), view('b', false)]);
    expect(Object.fromEntries(s)).toEqual({ a: { web: 1 }, b: { web: 1 } });
  });
});

describe('memberCopy', () => {
  it('drops placement, sets the share and marks whose copy it is', () => {
    const a = app({ clusters: ['a'] });
    const copy = memberCopy(a, { web: 2, worker: 0 }, 'uid-1');
    expect(copy.spec.placement).toBeUndefined();
    expect(copy.spec.components.map((c) => [c.name, c.replicas])).toEqual([
      ['web', 2],
      ['worker', 0],
    ]);
    expect(copy.metadata?.annotations?.['platform.wharf.dev/federated-from']).toBe('uid-1/team.shop');
    expect(isOurCopy(copy, a, 'uid-1')).toBe(true);
    expect(isOurCopy(copy, a, 'uid-2')).toBe(false);
    expect(copyCurrent(copy, copy)).toBe(true);
    expect(copyCurrent(copy, memberCopy(a, { web: 3, worker: 0 }, 'uid-1'))).toBe(false);
    expect(copyCurrent(undefined, copy)).toBe(false);
  });
});

describe('placementStatus', () => {
  it('reports each cluster share beside the ready replicas its copy reports', () => {
    const copy: Application = {
      spec: { components: [] },
      status: {
        url: 'http://shop.localhost',
        components: [
          { name: 'web', replicas: 2, readyReplicas: 2, updatedReplicas: 2 },
          { name: 'worker', replicas: 1, readyReplicas: 0, updatedReplicas: 1 },
        ],
      },
    };
    const planned = new Map([
      ['a', { web: 2, worker: 1 }],
      ['b', { web: 0, worker: 0 }],
    ]);
    expect(
      placementStatus(
        [
          { name: 'a', healthy: true, copy },
          { name: 'b', healthy: false, message: 'no node is Ready' },
        ],
        planned,
      ),
    ).toEqual([
      { cluster: 'a', healthy: true, replicas: 3, readyReplicas: 2, url: 'http://shop.localhost' },
      { cluster: 'b', healthy: false, replicas: 0, readyReplicas: 0, message: 'no node is Ready' },
    ]);
  });
});
