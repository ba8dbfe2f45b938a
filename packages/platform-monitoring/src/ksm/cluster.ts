// kube-state-metrics' node, namespace and PersistentVolumeClaim families (v2 names and labels).
import type { V1Namespace, V1Node, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { conditionSamples, resourceSamples, type Family } from './family.js';

const node = (n: V1Node): Record<string, string> => ({ node: n.metadata?.name ?? '' });

export const nodeFamilies: readonly Family<V1Node>[] = [
  {
    name: 'kube_node_info',
    help: 'Information about a cluster node.',
    samples: (n) => {
      const i = n.status?.nodeInfo;
      const internal = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
      return [
        {
          labels: {
            ...node(n),
            kernel_version: i?.kernelVersion ?? '',
            os_image: i?.osImage ?? '',
            container_runtime_version: i?.containerRuntimeVersion ?? '',
            kubelet_version: i?.kubeletVersion ?? '',
            kubeproxy_version: i?.kubeProxyVersion ?? '',
            provider_id: n.spec?.providerID ?? '',
            pod_cidr: n.spec?.podCIDR ?? '',
            internal_ip: internal,
            system_uuid: i?.systemUUID ?? '',
          },
          value: 1,
        },
      ];
    },
  },
  {
    name: 'kube_node_status_condition',
    help: 'The condition of a cluster node.',
    samples: (n) =>
      (n.status?.conditions ?? []).flatMap((c) => conditionSamples({ ...node(n), condition: c.type }, c.status)),
  },
  {
    name: 'kube_node_spec_unschedulable',
    help: 'Whether a node can schedule new pods.',
    samples: (n) => [{ labels: node(n), value: n.spec?.unschedulable ? 1 : 0 }],
  },
  {
    name: 'kube_node_spec_taint',
    help: 'The taint of a cluster node.',
    samples: (n) =>
      (n.spec?.taints ?? []).map((t) => ({
        labels: { ...node(n), key: t.key, value: t.value ?? '', effect: t.effect },
        value: 1,
      })),
  },
  {
    name: 'kube_node_status_allocatable',
    help: 'The allocatable for different resources of a node that are available for scheduling.',
    samples: (n) => resourceSamples(node(n), n.status?.allocatable),
  },
  {
    name: 'kube_node_status_capacity',
    help: 'The capacity for different resources of a node.',
    samples: (n) => resourceSamples(node(n), n.status?.capacity),
  },
];

export const namespaceFamilies: readonly Family<V1Namespace>[] = [
  {
    name: 'kube_namespace_status_phase',
    help: 'kubernetes namespace status phase.',
    samples: (ns) =>
      ['Active', 'Terminating'].map((phase) => ({
        labels: { namespace: ns.metadata?.name ?? '', phase },
        value: (ns.status?.phase ?? 'Active') === phase ? 1 : 0,
      })),
  },
];

export const pvcFamilies: readonly Family<V1PersistentVolumeClaim>[] = [
  {
    name: 'kube_persistentvolumeclaim_status_phase',
    help: 'The phase the persistent volume claim is currently in.',
    samples: (c) =>
      ['Lost', 'Bound', 'Pending'].map((phase) => ({
        labels: { namespace: c.metadata?.namespace ?? '', persistentvolumeclaim: c.metadata?.name ?? '', phase },
        value: c.status?.phase === phase ? 1 : 0,
      })),
  },
  {
    name: 'kube_persistentvolumeclaim_info',
    help: 'Information about persistent volume claim.',
    samples: (c) => [
      {
        labels: {
          namespace: c.metadata?.namespace ?? '',
          persistentvolumeclaim: c.metadata?.name ?? '',
          storageclass: c.spec?.storageClassName ?? '',
          volumename: c.spec?.volumeName ?? '',
        },
        value: 1,
      },
    ],
  },
  {
    name: 'kube_persistentvolumeclaim_resource_requests_storage_bytes',
    help: 'The capacity of storage requested by the persistent volume claim.',
    samples: (c) =>
      resourceSamples(
        { namespace: c.metadata?.namespace ?? '', persistentvolumeclaim: c.metadata?.name ?? '' },
        c.spec?.resources?.requests,
      )
        .filter((s) => s.labels.resource === 'storage')
        .map((s) => ({
          labels: { namespace: s.labels.namespace ?? '', persistentvolumeclaim: s.labels.persistentvolumeclaim ?? '' },
          value: s.value,
        })),
  },
];
