// ApplicationRevisions: immutable snapshots of what was released. A new one is made when the
// inputs' fingerprint changes (spec, or a config/secret version read with update `rollout`), or
// on a rollback request, which copies the old revision's spec, images and exact config and
// secret versions. Only the newest revisionHistoryLimit are kept (never the current or target).
import {
  ANNOTATIONS,
  API_VERSION,
  type Application,
  type ApplicationRevision,
  type ApplicationRevisionSpec,
  DEFAULTS,
  LABELS,
  revisionName,
} from '../types.js';
import type { Inputs } from './inputs.js';
import { appLabels } from '../common/labels.js';

export const byNumber = (a: ApplicationRevision, b: ApplicationRevision): number => a.spec.revision - b.spec.revision;

export function newRevision(
  app: Application,
  number: number,
  spec: Omit<ApplicationRevisionSpec, 'application' | 'revision'>,
): ApplicationRevision {
  const name = app.metadata?.name ?? '';
  return {
    apiVersion: API_VERSION,
    kind: 'ApplicationRevision',
    metadata: {
      name: revisionName(name, number),
      namespace: app.metadata?.namespace,
      labels: {
        ...appLabels(name, undefined, spec.template.version ?? `r${number}`),
        [LABELS.revision]: String(number),
      },
      ownerReferences: [
        {
          apiVersion: app.apiVersion ?? API_VERSION,
          kind: 'Application',
          name,
          uid: app.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { application: name, revision: number, ...spec },
  };
}

/** The revision the spec and inputs call for, from the app's current spec. */
export function revisionFromInputs(
  app: Application,
  number: number,
  inputs: Inputs,
  cause: string,
): ApplicationRevision {
  return newRevision(app, number, {
    template: app.spec,
    config: inputs.config,
    secrets: inputs.secrets,
    images: imagesOf(app),
    cause,
    inputs: inputs.fingerprint,
  });
}

/** The images of a spec (digests are added from the pods once they run). */
export function imagesOf(app: Pick<Application, 'spec'>): ApplicationRevisionSpec['images'] {
  return app.spec.components.flatMap((c) => [
    { component: c.name, role: 'runtime', image: c.runtime.image },
    ...(c.artifacts ?? []).map((a, i) => ({ component: c.name, role: a.name ?? `artifact-${i}`, image: a.image })),
  ]);
}

/** The revision number asked for by the rollback annotation, if any (NaN if unreadable). */
export function rollbackRequest(app: Application): number | undefined {
  const v = app.metadata?.annotations?.[ANNOTATIONS.rollbackTo];
  return v === undefined ? undefined : Number(v);
}

/** Revisions to delete: all but the newest `limit`, never the current or the target. */
export function revisionsToPrune(
  app: Application,
  revisions: readonly ApplicationRevision[],
  keep: ReadonlySet<number>,
): ApplicationRevision[] {
  const limit = app.spec.revisionHistoryLimit ?? DEFAULTS.revisionHistoryLimit;
  const sorted = [...revisions].sort(byNumber);
  const excess = sorted.length - limit;
  return excess > 0 ? sorted.slice(0, excess).filter((r) => !keep.has(r.spec.revision)) : [];
}
