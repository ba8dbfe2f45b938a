import { describe, expect, it } from 'vitest';
import type { Application, ApplicationRevision } from '@wharf/platform-apps';
import { assess, type Goal } from './progress.js';

const NOW = Date.parse('2026-12-05T10:00:00Z');
const base: Application = {
  metadata: { name: 'shop', generation: 3 },
  spec: { components: [{ name: 'web', runtime: { image: 'a' }, replicas: 2 }], rollout: { analysisSeconds: 20 } },
  status: { observedGeneration: 3, revision: 1 },
};
const with_ = (status: Application['status']): Application => ({ ...base, status: { ...base.status, ...status } });
const rev = (n: number, cause: string, phase?: 'Failed' | 'Active'): ApplicationRevision => ({
  spec: {
    application: 'shop',
    revision: n,
    template: base.spec,
    config: [],
    secrets: [],
    images: [],
    cause,
    inputs: '',
  },
  ...(phase ? { status: { phase, message: 'pod shop-web-r2-x: not Ready within 300 s' } } : {}),
});
const deploy: Goal = { kind: 'revision', after: 1, match: (r) => r.spec.cause === 'spec', what: 'the new version' };

describe('assess', () => {
  it('waits for the controller to make the revision', () => {
    expect(assess(base, [rev(1, 'created')], deploy, NOW)).toEqual({
      state: 'running',
      line: 'waiting for the controller to make a revision for the new version',
    });
  });

  it('shows the canary and its analysis countdown', () => {
    const app = with_({
      rollout: {
        revision: 2,
        from: 1,
        phase: 'Canary',
        stepStarted: '2026-12-05T09:59:40Z',
        readySince: '2026-12-05T09:59:52Z',
      },
      components: [{ name: 'web', replicas: 2, readyReplicas: 2, updatedReplicas: 1 }],
    });
    expect(assess(app, [rev(1, 'created'), rev(2, 'spec')], deploy, NOW)).toEqual({
      state: 'running',
      line: 'revision 2: canary 1/1 pods Ready, analysis 12 s left',
    });
  });

  it('counts all replicas while promoting', () => {
    const app = with_({
      rollout: { revision: 2, from: 1, phase: 'Promoting', stepStarted: '2026-12-05T09:59:40Z' },
      components: [{ name: 'web', replicas: 2, readyReplicas: 2, updatedReplicas: 1 }],
    });
    expect(assess(app, [rev(2, 'spec')], deploy, NOW).line).toBe('revision 2: 1/2 pods Ready');
    const stepped = with_({
      rollout: { revision: 2, from: 1, phase: 'Promoting', step: 2, stepStarted: '2026-12-05T09:59:40Z' },
      components: [{ name: 'web', replicas: 3, readyReplicas: 1, updatedReplicas: 2 }],
    });
    expect(assess(stepped, [rev(2, 'spec')], deploy, NOW).line).toBe('revision 2: step 2, 2/2 pods Ready');
  });

  it('is done once the revision is current and its rollout over', () => {
    const app = with_({ revision: 2, url: 'http://shop.localhost:8080/' });
    expect(assess(app, [rev(2, 'spec', 'Active')], deploy, NOW)).toEqual({
      state: 'done',
      line: 'revision 2 is rolled out (spec), http://shop.localhost:8080/',
    });
  });

  it('fails with RolledBack and the reason when the revision failed its health gate', () => {
    const app = with_({
      conditions: [
        {
          type: 'Degraded',
          status: 'True',
          reason: 'RolledBack',
          message: 'revision 2 was rolled back to revision 1: pod shop-web-r2-x: not Ready within 300 s',
          lastTransitionTime: new Date(NOW),
        },
      ],
    });
    expect(assess(app, [rev(2, 'spec', 'Failed')], deploy, NOW)).toEqual({
      state: 'failed',
      line: 'RolledBack: revision 2 failed its health gate and was rolled back to revision 1: revision 2 was rolled back to revision 1: pod shop-web-r2-x: not Ready within 300 s',
    });
  });

  it('fails at once on a problem no waiting cures, but not on an old one the controller has not seen past', () => {
    const missing = [
      {
        type: 'Degraded',
        status: 'True' as const,
        reason: 'ConfigKeyNotFound',
        message: 'component web: key GREETING is not in ConfigSet shop-settings (version 2)',
        lastTransitionTime: new Date(NOW),
      },
    ];
    expect(assess(with_({ conditions: missing }), [], deploy, NOW)).toEqual({
      state: 'failed',
      line: 'ConfigKeyNotFound: component web: key GREETING is not in ConfigSet shop-settings (version 2)',
    });
    expect(assess(with_({ conditions: missing, observedGeneration: 2 }), [], deploy, NOW).state).toBe('running');
  });

  it('fails a first rollout whose pods crash (there is nothing to roll back to)', () => {
    const app: Application = {
      ...base,
      status: {
        observedGeneration: 3,
        rollout: { revision: 1, from: 0, phase: 'Promoting', stepStarted: '2026-12-05T09:59:00Z' },
        conditions: [
          {
            type: 'Degraded',
            status: 'True',
            reason: 'ImageNotFound',
            message: 'pod shop-web-r1-x: image nope:1 cannot be pulled (ErrImagePull)',
            lastTransitionTime: new Date(NOW),
          },
        ],
      },
    };
    expect(
      assess(
        app,
        [rev(1, 'created')],
        { kind: 'revision', after: 0, match: () => true, what: 'the first deploy' },
        NOW,
      ),
    ).toEqual({
      state: 'failed',
      line: 'ImageNotFound: pod shop-web-r1-x: image nope:1 cannot be pulled (ErrImagePull)',
    });
  });

  it('follows a scale until the component runs that many Ready pods', () => {
    const goal: Goal = { kind: 'scale', component: 'web', replicas: 3 };
    expect(
      assess(
        with_({ components: [{ name: 'web', replicas: 3, readyReplicas: 2, updatedReplicas: 2 }] }),
        [],
        goal,
        NOW,
      ),
    ).toEqual({ state: 'running', line: 'component web: 2/3 pods Ready' });
    expect(
      assess(with_({ components: [{ name: 'web', replicas: 3, readyReplicas: 3, updatedReplicas: 3 }] }), [], goal, NOW)
        .state,
    ).toBe('done');
  });
});
