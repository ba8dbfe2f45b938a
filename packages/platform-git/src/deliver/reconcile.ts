// From build to running application, as a pure function of one PipelineRun and what it deploys
// to. A run that succeeded sets its component's image BY DIGEST (its IMAGE_URL and IMAGE_DIGEST
// results) in the Application that names the run's repository, branch and pipeline as a
// component's source; the Application controller makes a new revision of it and rolls it out
// under its health gates. The run then follows that revision: Active → Deployed, Failed (rolled
// back) → DeploymentFailed, each with an event. Everything is written as annotations on the run
// (ANNOTATION.deploy*), so `wharf build get` and `kubectl` read it and a restart resumes it.
import { ANNOTATION, LABEL_REPOSITORY, type DeployState } from '../types.js';
import {
  createdAt,
  type ApplicationView,
  type ComponentView,
  type RevisionView,
  type RunView,
  type SourceView,
} from './types.js';

/** On an Application: the build that last set one of its images, and when that build was made. */
export const APP_BUILD = 'platform.wharf.dev/build';
export const APP_BUILD_CREATED = 'platform.wharf.dev/build-created';

export interface DeliveryObserved {
  /** Applications of the run's namespace. */
  readonly apps: readonly ApplicationView[];
  /** ApplicationRevisions of the run's namespace. */
  readonly revisions: readonly RevisionView[];
}

export interface DeliveryEvent {
  readonly on: 'run' | 'app';
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export type DeliveryAction =
  /** Merge these annotations into the run; then emit the events. */
  | {
      readonly type: 'annotate';
      readonly annotations: Record<string, string>;
      readonly events: readonly DeliveryEvent[];
      readonly app?: string;
    }
  /** Write `components` (one image changed) and the build annotations into the Application at `resourceVersion`. */
  | {
      readonly type: 'deploy';
      readonly app: string;
      readonly resourceVersion: string;
      readonly components: ComponentView[];
      readonly appAnnotations: Record<string, string>;
    };

const param = (run: RunView, name: string): unknown => run.spec.params?.find((p) => p.name === name)?.value;
const result = (run: RunView, name: string): string | undefined => {
  const v = run.status?.results?.find((r) => r.name === name)?.value;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
};
const succeededOf = (run: RunView) => run.status?.conditions?.find((c) => c.type === 'Succeeded');
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim().slice(0, 500);

/** Whether the run builds this source: its repository (or clone URL), branch and pipeline. */
export function buildsSource(run: RunView, src: SourceView): boolean {
  if (src.repository !== undefined && run.metadata?.labels?.[LABEL_REPOSITORY] !== src.repository) return false;
  if (src.url !== undefined && param(run, 'git-url') !== src.url) return false;
  return param(run, 'git-branch') === (src.branch ?? 'main') && run.spec.pipelineRef?.name === src.pipeline;
}

/** The image a build produced, pinned by digest: `REPO@sha256:…` (a tag or digest on IMAGE_URL dropped). */
export function imageOf(run: RunView): string | undefined {
  const url = result(run, 'IMAGE_URL');
  const digest = result(run, 'IMAGE_DIGEST') ?? (url?.includes('@') ? url.slice(url.indexOf('@') + 1) : undefined);
  if (!url || !digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
  const name = url.split('@')[0]!;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return `${colon > slash ? name.slice(0, colon) : name}@${digest}`;
}

/** Which image of a component a source sets: the runtime, or an artifact by index. */
function targetOf(c: ComponentView): 'runtime' | number {
  const t = c.source?.target;
  if (t === 'runtime') return 'runtime';
  if (t === undefined) return c.artifacts?.length ? 0 : 'runtime';
  const i = (c.artifacts ?? []).findIndex((a) => a.name === t);
  return i < 0 ? 'runtime' : i;
}
const imageAt = (c: ComponentView | undefined, t: 'runtime' | number): string | undefined =>
  c ? (t === 'runtime' ? c.runtime.image : c.artifacts?.[t]?.image) : undefined;

/** The first component (Applications by name, components in order) whose source this run builds. */
function findTarget(
  run: RunView,
  apps: readonly ApplicationView[],
): { app: ApplicationView; component: ComponentView } | undefined {
  const sorted = [...apps].sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  for (const app of sorted) {
    for (const component of app.spec.components ?? [])
      if (component.source && buildsSource(run, component.source)) return { app, component };
  }
  return undefined;
}

const state = (s: DeployState, message: string, extra: Record<string, string> = {}): Record<string, string> => ({
  [ANNOTATION.deployState]: s,
  [ANNOTATION.deployMessage]: oneLine(message),
  ...extra,
});

export function reconcileDelivery(run: RunView, o: DeliveryObserved): DeliveryAction[] {
  const notes = run.metadata?.annotations ?? {};
  const current = notes[ANNOTATION.deployState] as DeployState | undefined;
  if (current === 'Deploying') return follow(run, o);
  if (current) return [];
  const done = succeededOf(run);
  if (!done || done.status === 'Unknown') return [];
  const found = findTarget(run, o.apps);
  if (!found) return [];
  const appName = found.app.metadata?.name ?? '';
  const to = `${appName}/${found.component.name}`;
  if (done.status !== 'True') {
    return [
      {
        type: 'annotate',
        annotations: state(
          'NotDeployed',
          `the build did not succeed (${done.reason ?? 'Failed'}): ${done.message ?? ''}`,
          { [ANNOTATION.deployedTo]: to },
        ),
        events: [],
      },
    ];
  }
  const image = imageOf(run);
  if (!image) {
    const message = `the build has no IMAGE_URL and IMAGE_DIGEST results to deploy to ${to}`;
    return [
      {
        type: 'annotate',
        annotations: state('DeploymentFailed', message, { [ANNOTATION.deployedTo]: to }),
        events: [{ on: 'run', type: 'Warning', reason: 'DeploymentFailed', message }],
      },
    ];
  }
  const runName = run.metadata?.name ?? '';
  const appNotes = found.app.metadata?.annotations ?? {};
  const newer =
    appNotes[APP_BUILD_CREATED] && appNotes[APP_BUILD] !== runName && appNotes[APP_BUILD_CREATED] > createdAt(run);
  if (newer) {
    return [
      {
        type: 'annotate',
        annotations: state('NotDeployed', `a newer build (${appNotes[APP_BUILD]}) already deployed ${to}`, {
          [ANNOTATION.deployedTo]: to,
          [ANNOTATION.images]: image,
        }),
        events: [],
      },
    ];
  }
  const target = targetOf(found.component);
  const annotate: DeliveryAction = {
    type: 'annotate',
    app: appName,
    annotations: state('Deploying', `rolling out ${image} to ${to}`, {
      [ANNOTATION.deployedTo]: to,
      [ANNOTATION.images]: image,
    }),
    events: [
      {
        on: 'app',
        type: 'Normal',
        reason: 'BuildDeploying',
        message: `build ${runName} (commit ${(notes[ANNOTATION.commit] ?? '').slice(0, 12) || 'unknown'}) sets ${target === 'runtime' ? 'the runtime' : `artifact ${found.component.artifacts?.[target]?.name ?? target}`} of ${found.component.name} to ${image}`,
      },
    ],
  };
  if (imageAt(found.component, target) === image) return [annotate];
  // The whole list goes back (a merge patch replaces arrays): the objects are the API's, complete,
  // so only the one image changes; the resourceVersion makes a concurrent edit a conflict, retried.
  const components = (found.app.spec.components ?? []).map((c) => {
    if (c !== found.component) return c;
    const copy = structuredClone(c);
    if (target === 'runtime') copy.runtime.image = image;
    else copy.artifacts![target]!.image = image;
    return copy;
  });
  return [
    {
      type: 'deploy',
      app: appName,
      resourceVersion: found.app.metadata?.resourceVersion ?? '',
      components,
      appAnnotations: { [APP_BUILD]: runName, [APP_BUILD_CREATED]: createdAt(run) },
    },
    annotate,
  ];
}

/** A run whose image went out: find the revision it made and report how its rollout ended. */
function follow(run: RunView, o: DeliveryObserved): DeliveryAction[] {
  const notes = run.metadata?.annotations ?? {};
  const [appName = '', componentName = ''] = (notes[ANNOTATION.deployedTo] ?? '').split('/');
  const image = notes[ANNOTATION.images] ?? '';
  const app = o.apps.find((a) => a.metadata?.name === appName);
  if (!app)
    return [{ type: 'annotate', annotations: state('NotDeployed', `application ${appName} was deleted`), events: [] }];
  const component = app.spec.components.find((c) => c.name === componentName);
  const target = component ? targetOf(component) : 'runtime';
  // The first revision made with this image (a later rollback to it is not the build's revision).
  const made = o.revisions
    .filter(
      (r) =>
        r.spec.application === appName &&
        !String(r.spec.cause ?? '').startsWith('rollback') &&
        imageAt(
          r.spec.template.components.find((c) => c.name === componentName),
          target,
        ) === image,
    )
    .sort((a, b) => a.spec.revision - b.spec.revision)[0];
  if (!made) return [];
  const n = made.spec.revision;
  const revision = { [ANNOTATION.deployedRevision]: String(n) };
  const runName = run.metadata?.name ?? '';
  const phase = made.status?.phase;
  if (phase === 'Failed') {
    const message = `revision ${n} was rolled back: ${made.status?.message ?? 'its rollout failed'}`;
    return [
      {
        type: 'annotate',
        app: appName,
        annotations: state('DeploymentFailed', message, revision),
        events: [
          { on: 'run', type: 'Warning', reason: 'DeploymentFailed', message },
          { on: 'app', type: 'Warning', reason: 'BuildDeploymentFailed', message: `build ${runName}: ${message}` },
        ],
      },
    ];
  }
  if (phase === 'Active' || (app.status?.revision === n && app.status.rollout?.revision !== n)) {
    const message = `revision ${n} of ${appName} serves ${image}`;
    return [
      {
        type: 'annotate',
        app: appName,
        annotations: state('Deployed', message, revision),
        events: [{ on: 'run', type: 'Normal', reason: 'Deployed', message }],
      },
    ];
  }
  if (phase === 'Superseded')
    return [
      {
        type: 'annotate',
        annotations: state(
          'NotDeployed',
          `revision ${n} was superseded by a newer one before it was rolled out`,
          revision,
        ),
        events: [],
      },
    ];
  return notes[ANNOTATION.deployedRevision] === String(n)
    ? []
    : [{ type: 'annotate', annotations: { ...revision }, events: [] }];
}
