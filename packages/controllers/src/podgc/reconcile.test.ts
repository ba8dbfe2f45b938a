import type { V1Node, V1Pod, V1Taint } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { nextPassMs, reconcilePodGc, type PodGcAction } from './reconcile.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const cfg = { quarantineMs: 40_000 };
const OUT_OF_SERVICE: V1Taint = {
  key: 'node.kubernetes.io/out-of-service',
  value: 'nodeshutdown',
  effect: 'NoExecute',
};
const UNREACHABLE: V1Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };

function node(name: string, ready: 'True' | 'False' | 'Unknown', taints: V1Taint[] = []): V1Node {
  return { metadata: { name }, spec: { taints }, status: { conditions: [{ type: 'Ready', status: ready }] } };
}

function pod(name: string, nodeName: string, opts: { deleting?: boolean; phase?: string } = {}): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `${name}-uid`,
      ...(opts.deleting ? { deletionTimestamp: new Date(T0) } : {}),
    },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [] },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: 'False' }] },
  };
}

const names = (a: readonly PodGcAction[]): string[] => a.map((x) => `${x.reason}:${x.pod.metadata?.name}`).sort();

describe('reconcilePodGc', () => {
  it('leaves terminating pods on an unreachable node alone, however long they wait', () => {
    const nodes = [node('n1', 'Unknown', [UNREACHABLE])];
    const plan = reconcilePodGc(
      {
        nodes,
        pods: [pod('web-1', 'n1', { deleting: true }), pod('other', 'n1')],
        missingSince: new Map(),
        now: T0 + 86_400_000,
      },
      cfg,
    );
    expect(plan.actions).toEqual([]);
  });

  it('marks Failed and force-deletes terminating pods on a not-ready node tainted out-of-service, not the others', () => {
    const pods = [
      pod('web-1', 'n1', { deleting: true }),
      pod('running', 'n1'),
      pod('done', 'n1', { deleting: true, phase: 'Succeeded' }),
      pod('ready-node', 'n2', { deleting: true }),
    ];
    const nodes = [node('n1', 'Unknown', [UNREACHABLE, OUT_OF_SERVICE]), node('n2', 'True', [OUT_OF_SERVICE])];
    const plan = reconcilePodGc({ nodes, pods, missingSince: new Map(), now: T0 }, cfg);
    expect(names(plan.actions)).toEqual(['terminating-out-of-service:done', 'terminating-out-of-service:web-1']);
    const web = plan.actions.find((a) => a.pod.metadata?.name === 'web-1');
    // As upstream's gcTerminating: Failed, without a DisruptionTarget condition.
    expect(web?.status).toEqual({ phase: 'Failed', conditions: [{ type: 'Ready', status: 'False' }] });
    expect(plan.actions.find((a) => a.pod.metadata?.name === 'done')?.status).toBeUndefined();
  });

  it('force-deletes pods of a missing node after the quarantine, marked Failed with DisruptionTarget', () => {
    const pods = [pod('a', 'gone'), pod('b', 'gone', { deleting: true }), pod('c', 'n1')];
    const nodes = [node('n1', 'True')];
    const first = reconcilePodGc({ nodes, pods, missingSince: new Map(), now: T0 }, cfg);
    expect(first.actions).toEqual([]);
    expect([...first.missingSince]).toEqual([['gone', T0]]);
    const early = reconcilePodGc({ nodes, pods, missingSince: first.missingSince, now: T0 + 39_999 }, cfg);
    expect(early.actions).toEqual([]);
    const later = reconcilePodGc({ nodes, pods, missingSince: early.missingSince, now: T0 + 40_000 }, cfg);
    expect(names(later.actions)).toEqual(['orphaned:a', 'orphaned:b']);
    expect(later.actions[0]).toMatchObject({
      missingNode: 'gone',
      status: {
        phase: 'Failed',
        conditions: [
          { type: 'Ready', status: 'False' },
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'DeletionByPodGC',
            message: 'PodGC: node no longer exists',
          },
        ],
      },
    });
    // A node that comes back ends the quarantine.
    const back = reconcilePodGc(
      { nodes: [...nodes, node('gone', 'True')], pods, missingSince: later.missingSince, now: T0 + 50_000 },
      cfg,
    );
    expect(back.actions).toEqual([]);
    expect(back.missingSince.size).toBe(0);
  });

  it('force-deletes terminating pods that were never scheduled', () => {
    const plan = reconcilePodGc(
      { nodes: [], pods: [pod('p', '', { deleting: true }), pod('q', '')], missingSince: new Map(), now: T0 },
      cfg,
    );
    expect(names(plan.actions)).toEqual(['terminating-unscheduled:p']);
  });
});

describe('nextPassMs', () => {
  const cfg = { checkPeriodMs: 20_000, quarantineMs: 40_000 };

  it('waits the check period when no node is missing, or when every quarantine ends later', () => {
    expect(nextPassMs(new Map(), 0, cfg)).toBe(20_000);
    expect(nextPassMs(new Map([['n1', 0]]), 0, cfg)).toBe(20_000);
  });

  it("comes back when a missing node's quarantine ends, not up to a period later", () => {
    expect(nextPassMs(new Map([['n1', 0]]), 25_000, cfg)).toBe(15_000);
    expect(nextPassMs(new Map([['n1', 0]]), 25_000, { checkPeriodMs: 20_000, quarantineMs: 5_000 })).toBe(20_000);
  });

  it('ignores quarantines already over (their pods were handled in this pass)', () => {
    expect(nextPassMs(new Map([['n1', 0]]), 40_000, cfg)).toBe(20_000);
    expect(nextPassMs(new Map([['n1', 0]]), 45_000, cfg)).toBe(20_000);
  });
});
