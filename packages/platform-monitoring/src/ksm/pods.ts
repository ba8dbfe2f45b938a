// kube-state-metrics' pod families (v2 names and labels): info, owner, phase, readiness,
// container restarts, waiting/terminated reasons, requests and limits.
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { conditionSamples, resourceSamples, type Family, type Sample } from './family.js';

const PHASES = ['Pending', 'Succeeded', 'Failed', 'Unknown', 'Running'];

function base(p: V1Pod): Record<string, string> {
  return { namespace: p.metadata?.namespace ?? '', pod: p.metadata?.name ?? '', uid: p.metadata?.uid ?? '' };
}

function containers(p: V1Pod): V1ContainerStatus[] {
  return [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
}

function perContainer(p: V1Pod, f: (c: V1ContainerStatus, b: Record<string, string>) => Sample | undefined): Sample[] {
  const out: Sample[] = [];
  for (const c of p.status?.containerStatuses ?? []) {
    const s = f(c, { ...base(p), container: c.name });
    if (s) out.push(s);
  }
  return out;
}

function owner(p: V1Pod): { kind: string; name: string; controller: string } {
  const ref = p.metadata?.ownerReferences?.find((o) => o.controller) ?? p.metadata?.ownerReferences?.[0];
  return ref
    ? { kind: ref.kind, name: ref.name, controller: String(ref.controller === true) }
    : { kind: '<none>', name: '<none>', controller: '<none>' };
}

export const podFamilies: readonly Family<V1Pod>[] = [
  {
    name: 'kube_pod_info',
    help: 'Information about pod.',
    samples: (p) => {
      const o = owner(p);
      return [
        {
          labels: {
            ...base(p),
            host_ip: p.status?.hostIP ?? '',
            pod_ip: p.status?.podIP ?? '',
            node: p.spec?.nodeName ?? '',
            created_by_kind: o.kind,
            created_by_name: o.name,
            priority_class: p.spec?.priorityClassName ?? '',
            host_network: String(p.spec?.hostNetwork === true),
          },
          value: 1,
        },
      ];
    },
  },
  {
    name: 'kube_pod_owner',
    help: "Information about the Pod's owner.",
    samples: (p) => {
      const o = owner(p);
      return [
        { labels: { ...base(p), owner_kind: o.kind, owner_name: o.name, owner_is_controller: o.controller }, value: 1 },
      ];
    },
  },
  {
    name: 'kube_pod_status_phase',
    help: 'The pods current phase.',
    samples: (p) =>
      PHASES.map((phase) => ({ labels: { ...base(p), phase }, value: p.status?.phase === phase ? 1 : 0 })),
  },
  {
    name: 'kube_pod_status_ready',
    help: 'Describes whether the pod is ready to serve requests.',
    samples: (p) => {
      const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
      return ready ? conditionSamples(base(p), ready.status, 'condition') : [];
    },
  },
  {
    name: 'kube_pod_container_status_restarts_total',
    help: 'The number of container restarts per container.',
    type: 'counter',
    samples: (p) => perContainer(p, (c, b) => ({ labels: b, value: c.restartCount })),
  },
  {
    name: 'kube_pod_container_status_ready',
    help: 'Describes whether the containers readiness check succeeded.',
    samples: (p) => perContainer(p, (c, b) => ({ labels: b, value: c.ready ? 1 : 0 })),
  },
  {
    name: 'kube_pod_container_status_running',
    help: 'Describes whether the container is currently in running state.',
    samples: (p) => perContainer(p, (c, b) => ({ labels: b, value: c.state?.running ? 1 : 0 })),
  },
  {
    name: 'kube_pod_container_status_waiting',
    help: 'Describes whether the container is currently in waiting state.',
    samples: (p) => perContainer(p, (c, b) => ({ labels: b, value: c.state?.waiting ? 1 : 0 })),
  },
  {
    name: 'kube_pod_container_status_waiting_reason',
    help: 'Describes the reason the container is currently in waiting state.',
    samples: (p) =>
      perContainer(p, (c, b) =>
        c.state?.waiting?.reason ? { labels: { ...b, reason: c.state.waiting.reason }, value: 1 } : undefined,
      ),
  },
  {
    name: 'kube_pod_container_status_terminated_reason',
    help: 'Describes the reason the container is currently in terminated state.',
    samples: (p) =>
      perContainer(p, (c, b) =>
        c.state?.terminated ? { labels: { ...b, reason: c.state.terminated.reason ?? 'Error' }, value: 1 } : undefined,
      ),
  },
  {
    name: 'kube_pod_container_status_last_terminated_reason',
    help: 'Describes the last reason the container was in terminated state.',
    samples: (p) =>
      perContainer(p, (c, b) =>
        c.lastState?.terminated
          ? { labels: { ...b, reason: c.lastState.terminated.reason ?? 'Error' }, value: 1 }
          : undefined,
      ),
  },
  {
    name: 'kube_pod_container_resource_requests',
    help: 'The number of requested request resource by a container.',
    samples: (p) =>
      (p.spec?.containers ?? []).flatMap((c) =>
        resourceSamples({ ...base(p), container: c.name, node: p.spec?.nodeName ?? '' }, c.resources?.requests),
      ),
  },
  {
    name: 'kube_pod_container_resource_limits',
    help: 'The number of requested limit resource by a container.',
    samples: (p) =>
      (p.spec?.containers ?? []).flatMap((c) =>
        resourceSamples({ ...base(p), container: c.name, node: p.spec?.nodeName ?? '' }, c.resources?.limits),
      ),
  },
  {
    name: 'kube_pod_container_info',
    help: 'Information about a container in a pod.',
    samples: (p) =>
      containers(p).map((c) => ({
        labels: {
          ...base(p),
          container: c.name,
          image: c.image,
          image_id: c.imageID,
          container_id: c.containerID ?? '',
        },
        value: 1,
      })),
  },
];
