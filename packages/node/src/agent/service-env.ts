// The environment variables the kubelet gives every container for Services (Docker links style):
// for each Service with a cluster IP, NAME_SERVICE_HOST, NAME_SERVICE_PORT, NAME_SERVICE_PORT_<PORT>
// for named ports and NAME_PORT / NAME_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]. The pod's own
// namespace's Services come only with enableServiceLinks (default true); the `kubernetes` Service
// of `default` always, so in-cluster clients find the API (KUBERNETES_SERVICE_HOST/PORT).
import type { V1Pod, V1Service } from '@kubernetes/client-node';

type EnvVar = { name: string; value: string };

const envName = (s: string): string => s.toUpperCase().replace(/-/g, '_');

function serviceVars(svc: V1Service): EnvVar[] {
  const ip = svc.spec?.clusterIP;
  const ports = svc.spec?.ports ?? [];
  if (!ip || ip === 'None' || ports.length === 0) return [];
  const name = envName(svc.metadata?.name ?? '');
  const first = ports[0]!;
  const out: EnvVar[] = [
    { name: `${name}_SERVICE_HOST`, value: ip },
    { name: `${name}_SERVICE_PORT`, value: String(first.port) },
  ];
  for (const p of ports)
    if (p.name) out.push({ name: `${name}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
  const url = (p: (typeof ports)[number]): string => `${(p.protocol ?? 'TCP').toLowerCase()}://${ip}:${p.port}`;
  out.push({ name: `${name}_PORT`, value: url(first) });
  for (const p of ports) {
    const proto = p.protocol ?? 'TCP';
    const prefix = `${name}_PORT_${p.port}_${proto}`;
    out.push(
      { name: prefix, value: url(p) },
      { name: `${prefix}_PROTO`, value: proto.toLowerCase() },
      { name: `${prefix}_PORT`, value: String(p.port) },
      { name: `${prefix}_ADDR`, value: ip },
    );
  }
  return out;
}

/**
 * Service variables for a container of `pod`: `services` are those of the pod's namespace,
 * `master` the `kubernetes` Service of `default` (if it exists). Later entries win, as the
 * kubelet's map does; the container's own env overrides all of them.
 */
export function serviceEnv(pod: V1Pod, services: readonly V1Service[], master: V1Service | undefined): EnvVar[] {
  const chosen =
    pod.spec?.enableServiceLinks === false
      ? []
      : [...services].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  if (master && !chosen.some((s) => s.metadata?.namespace === 'default' && s.metadata.name === 'kubernetes'))
    chosen.push(master);
  return chosen.flatMap(serviceVars);
}
