// Wharf's own state metrics for Applications (platform.wharf.dev), beside kube-state-metrics'
// for the kinds they run on: ready/desired replicas per component, the current revision, and
// rollbacks (manual `rollback to N` revisions and revisions an automatic rollback left Failed).
// The shapes are read structurally: this package may not import @wharf/platform-apps.
import type { Family } from './family.js';

interface Meta {
  namespace?: string;
  name?: string;
}

export interface ApplicationLike {
  metadata?: Meta;
  status?: {
    revision?: number;
    components?: { name: string; replicas?: number; readyReplicas?: number; updatedReplicas?: number }[];
    conditions?: { type: string; status: string }[];
    rollout?: { revision?: number; phase?: string };
  };
}

export interface ApplicationRevisionLike {
  metadata?: Meta;
  spec?: { application?: string; revision?: number; cause?: string };
  status?: { phase?: string };
}

const app = (a: ApplicationLike): Record<string, string> => ({
  namespace: a.metadata?.namespace ?? '',
  application: a.metadata?.name ?? '',
});

export const applicationFamilies: readonly Family<ApplicationLike>[] = [
  {
    name: 'wharf_application_component_replicas_desired',
    help: 'Replicas an Application component asks for.',
    samples: (a) =>
      (a.status?.components ?? []).map((c) => ({ labels: { ...app(a), component: c.name }, value: c.replicas ?? 0 })),
  },
  {
    name: 'wharf_application_component_replicas_ready',
    help: 'Ready replicas of an Application component.',
    samples: (a) =>
      (a.status?.components ?? []).map((c) => ({
        labels: { ...app(a), component: c.name },
        value: c.readyReplicas ?? 0,
      })),
  },
  {
    name: 'wharf_application_revision',
    help: "The Application's current (fully rolled out) revision number.",
    samples: (a) => [{ labels: app(a), value: a.status?.revision ?? 0 }],
  },
  {
    name: 'wharf_application_rollout_in_progress',
    help: 'Whether a rollout is under way, by phase (Canary, Promoting, Finishing, RollingBack).',
    samples: (a) =>
      a.status?.rollout?.phase
        ? [
            {
              labels: { ...app(a), phase: a.status.rollout.phase, revision: String(a.status.rollout.revision ?? '') },
              value: 1,
            },
          ]
        : [],
  },
  {
    name: 'wharf_application_condition',
    help: "The Application's conditions (Available, RolledOut, ...).",
    samples: (a) =>
      (a.status?.conditions ?? []).flatMap((c) =>
        ['true', 'false', 'unknown'].map((s) => ({
          labels: { ...app(a), condition: c.type, status: s },
          value: c.status.toLowerCase() === s ? 1 : 0,
        })),
      ),
  },
];

/** Rollbacks per Application, counted over its revisions (a family over the whole list, not one object). */
export function rollbackSamples(
  revisions: readonly ApplicationRevisionLike[],
): { labels: Record<string, string>; value: number }[] {
  const counts = new Map<string, number>();
  for (const r of revisions) {
    const key = `${r.metadata?.namespace ?? ''}/${r.spec?.application ?? ''}`;
    const rolledBack = (r.spec?.cause ?? '').startsWith('rollback') || r.status?.phase === 'Failed';
    counts.set(key, (counts.get(key) ?? 0) + (rolledBack ? 1 : 0));
  }
  return [...counts].map(([key, value]) => {
    const [namespace = '', application = ''] = key.split('/');
    return { labels: { namespace, application }, value };
  });
}
