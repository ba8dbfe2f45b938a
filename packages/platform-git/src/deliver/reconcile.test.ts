import { describe, expect, it } from 'vitest';
import { ANNOTATION, LABEL_REPOSITORY } from '../types.js';
import { APP_BUILD, APP_BUILD_CREATED, imageOf, reconcileDelivery } from './reconcile.js';
import type { ApplicationView, RevisionView, RunView } from './types.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const IMAGE = `127.0.0.1:5000/shop-site@${DIGEST}`;

const run = (
  o: { branch?: string; ok?: boolean; results?: boolean; notes?: Record<string, string>; created?: string } = {},
): RunView => ({
  metadata: {
    name: 'shop-abc12',
    namespace: 'demo',
    labels: { [LABEL_REPOSITORY]: 'shop' },
    annotations: { [ANNOTATION.commit]: 'c0ffee1234567890', ...o.notes },
    ...{ creationTimestamp: o.created ?? '2026-01-01T00:00:10Z' },
  } as RunView['metadata'],
  spec: {
    pipelineRef: { name: 'site' },
    params: [
      { name: 'git-url', value: 'http://git/demo/shop.git' },
      { name: 'git-branch', value: o.branch ?? 'main' },
    ],
  },
  status: {
    conditions: [
      {
        type: 'Succeeded',
        status: o.ok === false ? 'False' : 'True',
        reason: o.ok === false ? 'Failed' : 'Succeeded',
        message: o.ok === false ? 'task build failed: exit 1' : '',
      },
    ],
    results:
      o.results === false
        ? []
        : [
            { name: 'IMAGE_URL', value: '127.0.0.1:5000/shop-site:c0ffee' },
            { name: 'IMAGE_DIGEST', value: DIGEST },
          ],
  },
});

const app = (o: { image?: string; notes?: Record<string, string>; revision?: number } = {}): ApplicationView => ({
  metadata: { name: 'shop', namespace: 'demo', resourceVersion: '42', annotations: o.notes ?? {} },
  spec: {
    components: [
      { name: 'api', runtime: { image: 'node:1' } },
      {
        name: 'web',
        runtime: { image: 'busybox:1' },
        artifacts: [{ name: 'site', image: o.image ?? 'shop-site:0' }],
        source: { repository: 'shop', pipeline: 'site' },
      },
    ],
  },
  status: { revision: o.revision ?? 1 },
});

const revision = (
  n: number,
  image: string,
  phase: NonNullable<RevisionView['status']>['phase'],
  message?: string,
): RevisionView => ({
  spec: {
    application: 'shop',
    revision: n,
    cause: 'spec',
    template: { components: [{ name: 'web', runtime: { image: 'busybox:1' }, artifacts: [{ name: 'site', image }] }] },
  },
  status: { phase, ...(message ? { message } : {}) },
});

const deploying = {
  [ANNOTATION.deployState]: 'Deploying',
  [ANNOTATION.deployedTo]: 'shop/web',
  [ANNOTATION.images]: IMAGE,
};

describe('reconcileDelivery', () => {
  it('pins the built image by digest into the component the run builds, and marks the run Deploying', () => {
    const actions = reconcileDelivery(run(), { apps: [app()], revisions: [] });
    expect(actions[0]).toMatchObject({
      type: 'deploy',
      app: 'shop',
      resourceVersion: '42',
      appAnnotations: { [APP_BUILD]: 'shop-abc12' },
    });
    const deploy = actions[0] as Extract<(typeof actions)[number], { type: 'deploy' }>;
    expect(deploy.components[1]?.artifacts?.[0]?.image).toBe(IMAGE);
    expect(deploy.components[0]).toEqual(app().spec.components[0]);
    expect(actions[1]).toMatchObject({
      type: 'annotate',
      annotations: {
        [ANNOTATION.deployState]: 'Deploying',
        [ANNOTATION.deployedTo]: 'shop/web',
        [ANNOTATION.images]: IMAGE,
      },
    });
  });

  it('only annotates when the Application already runs the image (a retried sync)', () => {
    expect(reconcileDelivery(run(), { apps: [app({ image: IMAGE })], revisions: [] }).map((a) => a.type)).toEqual([
      'annotate',
    ]);
  });

  it('leaves runs of another branch, running builds and runs already handled alone', () => {
    expect(reconcileDelivery(run({ branch: 'feature' }), { apps: [app()], revisions: [] })).toEqual([]);
    const running = { ...run(), status: { conditions: [{ type: 'Succeeded', status: 'Unknown' }] } };
    expect(reconcileDelivery(running, { apps: [app()], revisions: [] })).toEqual([]);
    expect(
      reconcileDelivery(run({ notes: { [ANNOTATION.deployState]: 'Deployed' } }), { apps: [app()], revisions: [] }),
    ).toEqual([]);
  });

  it('records a failed build as not deployed, and a build without image results as a failed deployment', () => {
    expect(reconcileDelivery(run({ ok: false }), { apps: [app()], revisions: [] })).toEqual([
      expect.objectContaining({
        annotations: expect.objectContaining({
          [ANNOTATION.deployState]: 'NotDeployed',
          [ANNOTATION.deployMessage]: 'the build did not succeed (Failed): task build failed: exit 1',
        }),
      }),
    ]);
    const [a] = reconcileDelivery(run({ results: false }), { apps: [app()], revisions: [] });
    expect(a).toMatchObject({
      annotations: { [ANNOTATION.deployState]: 'DeploymentFailed' },
      events: [{ type: 'Warning', reason: 'DeploymentFailed' }],
    });
  });

  it('does not roll an older build over a newer one that already deployed', () => {
    const newer = app({ notes: { [APP_BUILD]: 'shop-zzz99', [APP_BUILD_CREATED]: '2026-01-01T00:05:00Z' } });
    expect(reconcileDelivery(run(), { apps: [newer], revisions: [] })).toEqual([
      expect.objectContaining({
        annotations: expect.objectContaining({
          [ANNOTATION.deployState]: 'NotDeployed',
          [ANNOTATION.deployMessage]: 'a newer build (shop-zzz99) already deployed shop/web',
        }),
      }),
    ]);
  });

  it('follows the revision the image made: its number first, then Deployed when it is active', () => {
    const r = run({ notes: deploying });
    expect(
      reconcileDelivery(r, { apps: [app({ image: IMAGE })], revisions: [revision(1, 'shop-site:0', 'Active')] }),
    ).toEqual([]);
    expect(reconcileDelivery(r, { apps: [app({ image: IMAGE })], revisions: [revision(2, IMAGE, 'Pending')] })).toEqual(
      [{ type: 'annotate', annotations: { [ANNOTATION.deployedRevision]: '2' }, events: [] }],
    );
    const [done] = reconcileDelivery(r, {
      apps: [app({ image: IMAGE, revision: 2 })],
      revisions: [revision(2, IMAGE, 'Active')],
    });
    expect(done).toMatchObject({
      annotations: { [ANNOTATION.deployState]: 'Deployed', [ANNOTATION.deployedRevision]: '2' },
      events: [{ on: 'run', reason: 'Deployed' }],
    });
  });

  it('marks the build DeploymentFailed, with the rollback reason and events, when its revision was rolled back', () => {
    const [a] = reconcileDelivery(run({ notes: deploying }), {
      apps: [app({ image: IMAGE })],
      revisions: [revision(2, IMAGE, 'Failed', 'pod web-x: readiness probe failing')],
    });
    expect(a).toMatchObject({
      annotations: {
        [ANNOTATION.deployState]: 'DeploymentFailed',
        [ANNOTATION.deployedRevision]: '2',
        [ANNOTATION.deployMessage]: 'revision 2 was rolled back: pod web-x: readiness probe failing',
      },
      events: [
        { on: 'run', type: 'Warning', reason: 'DeploymentFailed' },
        { on: 'app', type: 'Warning', reason: 'BuildDeploymentFailed' },
      ],
    });
  });
});

describe('imageOf', () => {
  it('pins IMAGE_URL by IMAGE_DIGEST, dropping a tag but keeping a registry port', () => {
    expect(imageOf(run())).toBe(IMAGE);
    const noDigest = {
      ...run(),
      status: {
        results: [
          { name: 'IMAGE_URL', value: '127.0.0.1:5000/x:1' },
          { name: 'IMAGE_DIGEST', value: 'nonsense' },
        ],
      },
    };
    expect(imageOf(noDigest)).toBeUndefined();
  });
});
