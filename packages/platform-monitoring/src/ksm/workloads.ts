// kube-state-metrics' workload families (v2 names and labels): Deployments, StatefulSets,
// DaemonSets and Jobs, as the standard replicas-mismatch and job-failed rules read them.
import type { V1DaemonSet, V1Deployment, V1Job, V1StatefulSet } from '@kubernetes/client-node';
import type { Family } from './family.js';

type Named = { metadata?: { namespace?: string; name?: string; generation?: number } };
const by =
  (label: string) =>
  (o: Named): Record<string, string> => ({ namespace: o.metadata?.namespace ?? '', [label]: o.metadata?.name ?? '' });
const gauge = <T extends Named>(
  label: string,
  name: string,
  help: string,
  value: (o: T) => number | undefined,
): Family<T> => ({
  name,
  help,
  samples: (o) => [{ labels: by(label)(o), value: value(o) ?? 0 }],
});

export const deploymentFamilies: readonly Family<V1Deployment>[] = [
  gauge(
    'deployment',
    'kube_deployment_spec_replicas',
    'Number of desired pods for a deployment.',
    (d) => d.spec?.replicas ?? 1,
  ),
  gauge(
    'deployment',
    'kube_deployment_status_replicas',
    'The number of replicas per deployment.',
    (d) => d.status?.replicas,
  ),
  gauge(
    'deployment',
    'kube_deployment_status_replicas_available',
    'The number of available replicas per deployment.',
    (d) => d.status?.availableReplicas,
  ),
  gauge(
    'deployment',
    'kube_deployment_status_replicas_unavailable',
    'The number of unavailable replicas per deployment.',
    (d) => d.status?.unavailableReplicas,
  ),
  gauge(
    'deployment',
    'kube_deployment_status_replicas_updated',
    'The number of updated replicas per deployment.',
    (d) => d.status?.updatedReplicas,
  ),
  gauge(
    'deployment',
    'kube_deployment_status_replicas_ready',
    'The number of ready replicas per deployment.',
    (d) => d.status?.readyReplicas,
  ),
  gauge(
    'deployment',
    'kube_deployment_status_observed_generation',
    'The generation observed by the deployment controller.',
    (d) => d.status?.observedGeneration,
  ),
  gauge(
    'deployment',
    'kube_deployment_metadata_generation',
    'Sequence number representing a specific generation of the desired state.',
    (d) => d.metadata?.generation,
  ),
];

export const statefulSetFamilies: readonly Family<V1StatefulSet>[] = [
  gauge(
    'statefulset',
    'kube_statefulset_replicas',
    'Number of desired pods for a StatefulSet.',
    (s) => s.spec?.replicas ?? 1,
  ),
  gauge(
    'statefulset',
    'kube_statefulset_status_replicas',
    'The number of replicas per StatefulSet.',
    (s) => s.status?.replicas,
  ),
  gauge(
    'statefulset',
    'kube_statefulset_status_replicas_ready',
    'The number of ready replicas per StatefulSet.',
    (s) => s.status?.readyReplicas,
  ),
  gauge(
    'statefulset',
    'kube_statefulset_status_replicas_updated',
    'The number of updated replicas per StatefulSet.',
    (s) => s.status?.updatedReplicas,
  ),
];

export const daemonSetFamilies: readonly Family<V1DaemonSet>[] = [
  gauge(
    'daemonset',
    'kube_daemonset_status_desired_number_scheduled',
    'The number of nodes that should be running the daemon pod.',
    (d) => d.status?.desiredNumberScheduled,
  ),
  gauge(
    'daemonset',
    'kube_daemonset_status_current_number_scheduled',
    'The number of nodes running at least one daemon pod and are supposed to.',
    (d) => d.status?.currentNumberScheduled,
  ),
  gauge(
    'daemonset',
    'kube_daemonset_status_number_ready',
    'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
    (d) => d.status?.numberReady,
  ),
  gauge(
    'daemonset',
    'kube_daemonset_status_number_available',
    'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available',
    (d) => d.status?.numberAvailable,
  ),
  gauge(
    'daemonset',
    'kube_daemonset_status_updated_number_scheduled',
    'The total number of nodes that are running updated daemon pod',
    (d) => d.status?.updatedNumberScheduled,
  ),
];

export const jobFamilies: readonly Family<V1Job>[] = [
  gauge(
    'job_name',
    'kube_job_status_failed',
    'The number of pods which reached Phase Failed and the reason for failure.',
    (j) => j.status?.failed,
  ),
  gauge(
    'job_name',
    'kube_job_status_succeeded',
    'The number of pods which reached Phase Succeeded.',
    (j) => j.status?.succeeded,
  ),
  gauge('job_name', 'kube_job_status_active', 'The number of actively running pods.', (j) => j.status?.active),
  {
    name: 'kube_job_failed',
    help: 'The job has failed its execution.',
    samples: (j) => {
      const failed = j.status?.conditions?.find((c) => c.type === 'Failed');
      return failed
        ? ['true', 'false', 'unknown'].map((v) => ({
            labels: { ...by('job_name')(j), condition: v },
            value: failed.status.toLowerCase() === v ? 1 : 0,
          }))
        : [];
    },
  },
  {
    name: 'kube_job_owner',
    help: "Information about the Job's owner.",
    samples: (j) => {
      const o = j.metadata?.ownerReferences?.find((r) => r.controller);
      return [
        {
          labels: {
            ...by('job_name')(j),
            owner_kind: o?.kind ?? '<none>',
            owner_name: o?.name ?? '<none>',
            owner_is_controller: o ? 'true' : '<none>',
          },
          value: 1,
        },
      ];
    },
  },
];
