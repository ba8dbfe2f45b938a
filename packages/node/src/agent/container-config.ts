// A pod's container as the runtime's ContainerConfig: argv from image + command/args, env
// (values, fieldRef, configMap/secret keys, envFrom, $(VAR) expansion), workingDir, user,
// securityContext (pod level, then container level) and resource limits.
import os from 'node:os';
import type { V1Container, V1Pod, V1SecurityContext, V1Service } from '@kubernetes/client-node';
import type { BindMount, ContainerConfig, SecurityContext } from '../runtime/types.js';
import { resolveArgs } from '../runtime/oci-spec.js';
import type { ImageConfig } from './image-provider.js';
import { serviceEnv } from './service-env.js';
import { bytes, milliCpu, parseQuantity } from '@wharf/api';

/** The container cannot be configured (missing configMap key, bad quantity...): CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/**
 * Reads configMaps and secrets of the pod's namespace; undefined when absent. Secret values are base64 as in the API.
 */
export interface ConfigSource {
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** The namespace's Services and the `kubernetes` Service of `default`, for service variables. */
  services?(namespace: string): { services: readonly V1Service[]; master: V1Service | undefined };
}

export interface PodFacts {
  readonly podIP: string;
  readonly hostIP: string;
}

type EnvVar = { name: string; value: string };

export async function containerEnv(
  pod: V1Pod,
  c: V1Container,
  facts: PodFacts,
  source: ConfigSource,
): Promise<EnvVar[]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const out = new Map<string, string>();
  // Service variables first: envFrom and env override them, and $(VAR) may refer to them.
  const svc = source.services?.(ns);
  if (svc) for (const v of serviceEnv(pod, svc.services, svc.master)) out.set(v.name, v.value);
  for (const [i, from] of (c.envFrom ?? []).entries()) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const data = await source.configMap(ns, from.configMapRef.name ?? '');
      if (!data && !from.configMapRef.optional)
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found (envFrom[${i}])`);
      for (const [k, v] of Object.entries(data ?? {})) out.set(prefix + k, v);
    } else if (from.secretRef) {
      const data = await source.secret(ns, from.secretRef.name ?? '');
      if (!data && !from.secretRef.optional)
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found (envFrom[${i}])`);
      for (const [k, v] of Object.entries(data ?? {})) out.set(prefix + k, decode(v));
    }
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      out.set(e.name, expand(e.value ?? '', out));
      continue;
    }
    const v = await valueFrom(pod, c, e.name, e.valueFrom, facts, source);
    if (v !== undefined) out.set(e.name, v);
  }
  return [...out].map(([name, value]) => ({ name, value }));
}

async function valueFrom(
  pod: V1Pod,
  c: V1Container,
  name: string,
  from: NonNullable<NonNullable<V1Container['env']>[number]['valueFrom']>,
  facts: PodFacts,
  source: ConfigSource,
): Promise<string | undefined> {
  const ns = pod.metadata?.namespace ?? 'default';
  if (from.fieldRef) return fieldRef(pod, from.fieldRef.fieldPath, facts, name);
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const data = await source.configMap(ns, ref.name ?? '');
    const v = data?.[ref.key];
    if (v === undefined && !ref.optional)
      throw new ContainerConfigError(
        data
          ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name} (env ${name})`
          : `configmap "${ref.name}" not found (env ${name})`,
      );
    return v;
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const data = await source.secret(ns, ref.name ?? '');
    const v = data?.[ref.key];
    if (v === undefined && !ref.optional)
      throw new ContainerConfigError(
        data
          ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name} (env ${name})`
          : `secret "${ref.name}" not found (env ${name})`,
      );
    return v === undefined ? undefined : decode(v);
  }
  if (from.resourceFieldRef) {
    const r = from.resourceFieldRef;
    const target = r.containerName
      ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === r.containerName)
      : c;
    const [kind, res] = r.resource.split('.') as [string, string];
    const q = (kind === 'limits' ? target?.resources?.limits : target?.resources?.requests)?.[res];
    // No limit: the node's allocatable, as the kubelet reports it.
    const value =
      q !== undefined ? parseQuantity(String(q), `env ${name}`) : res === 'cpu' ? os.cpus().length : os.totalmem();
    const divisor = r.divisor !== undefined ? parseQuantity(String(r.divisor), `env ${name} divisor`) : 1;
    return String(Math.ceil(value / (divisor || 1) - 1e-9));
  }
  throw new ContainerConfigError(`env ${name}: unsupported valueFrom`);
}

function fieldRef(pod: V1Pod, path: string, facts: PodFacts, name: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2] ?? ''] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return facts.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return facts.hostIP;
    default:
      throw new ContainerConfigError(`env ${name}: unsupported fieldRef.fieldPath "${path}"`);
  }
}

/** `$(VAR)` → the variable's value when defined (else left as is); `$$(VAR)` → `$(VAR)`. */
export function expand(s: string, env: ReadonlyMap<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) => {
    if (all === '$$') return '$';
    return name !== undefined && env.has(name) ? (env.get(name) ?? '') : all;
  });
}

function decode(b64: string): string {
  return Buffer.from(b64, 'base64').toString('utf8');
}

export interface BuildInput {
  readonly pod: V1Pod;
  readonly container: V1Container;
  readonly image: { readonly rootfs: string; readonly config: ImageConfig };
  readonly env: readonly EnvVar[];
  readonly mounts: readonly BindMount[];
  readonly attempt: number;
}

export function buildContainerConfig(i: BuildInput): ContainerConfig {
  const { pod, container: c, image } = i;
  const imageEnv = (image.config.env ?? []).map((kv) => {
    const at = kv.indexOf('=');
    return at < 0 ? { name: kv, value: '' } : { name: kv.slice(0, at), value: kv.slice(at + 1) };
  });
  const envMap = new Map(i.env.map((e) => [e.name, e.value]));
  const args = resolveArgs(image.config, {
    ...(c.command ? { command: c.command.map((a) => expand(a, envMap)) } : {}),
    ...(c.args ? { args: c.args.map((a) => expand(a, envMap)) } : {}),
  });
  if (args.length === 0)
    throw new ContainerConfigError(`container ${c.name}: no command specified and the image has no entrypoint or cmd`);
  return {
    name: c.name,
    attempt: i.attempt,
    rootfs: image.rootfs,
    args,
    env: [...imageEnv, ...i.env],
    workingDir: c.workingDir || image.config.workingDir || '/',
    securityContext: securityContext(pod, c, image.config.user),
    resources: resources(c),
    mounts: i.mounts,
    ...(c.stdin ? { stdin: true, stdinOnce: c.stdinOnce ?? false } : {}),
    ...(c.tty ? { tty: true } : {}),
  };
}

function securityContext(pod: V1Pod, c: V1Container, imageUser: string | undefined): SecurityContext {
  const p = pod.spec?.securityContext ?? {};
  const s: V1SecurityContext = c.securityContext ?? {};
  const [u, g] = (imageUser ?? '').split(':');
  const imageUid = u && /^\d+$/.test(u) ? Number(u) : undefined;
  const imageGid = g && /^\d+$/.test(g) ? Number(g) : undefined;
  const runAsUser = s.runAsUser ?? p.runAsUser ?? imageUid;
  const runAsGroup = s.runAsGroup ?? p.runAsGroup ?? imageGid;
  const groups = [...(p.supplementalGroups ?? []), ...(p.fsGroup !== undefined ? [p.fsGroup] : [])];
  if ((s.runAsNonRoot ?? p.runAsNonRoot) && (runAsUser ?? 0) === 0) {
    throw new ContainerConfigError(
      `container ${c.name}: runAsNonRoot is set but the container would run as root (securityContext.runAsUser)`,
    );
  }
  return {
    ...(runAsUser !== undefined ? { runAsUser } : {}),
    ...(runAsGroup !== undefined ? { runAsGroup } : {}),
    ...(groups.length ? { supplementalGroups: groups } : {}),
    ...(s.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
    ...(s.privileged ? { privileged: true } : {}),
    ...(s.allowPrivilegeEscalation !== undefined ? { allowPrivilegeEscalation: s.allowPrivilegeEscalation } : {}),
    ...(s.capabilities
      ? {
          capabilities: {
            ...(s.capabilities.add ? { add: s.capabilities.add } : {}),
            ...(s.capabilities.drop ? { drop: s.capabilities.drop } : {}),
          },
        }
      : {}),
  };
}

function resources(c: V1Container): ContainerConfig['resources'] {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const f = (k: string): string => `containers[${c.name}].resources.${k}`;
  const memory = limits.memory !== undefined ? bytes(String(limits.memory), f('limits.memory')) : undefined;
  const cpuLimit = limits.cpu !== undefined ? milliCpu(String(limits.cpu), f('limits.cpu')) : undefined;
  // As the API server defaults requests to limits when only limits are given.
  const cpuReq = requests.cpu ?? limits.cpu;
  const cpuRequest = cpuReq !== undefined ? milliCpu(String(cpuReq), f('requests.cpu')) : undefined;
  return {
    ...(memory ? { memoryLimitBytes: memory } : {}),
    ...(cpuLimit ? { cpuLimitMillis: cpuLimit } : {}),
    ...(cpuRequest ? { cpuRequestMillis: cpuRequest } : {}),
  };
}
