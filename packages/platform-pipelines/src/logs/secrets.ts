// The Secret values a pod can see, to mask in its logs: env valueFrom.secretKeyRef, envFrom
// secretRef and secret volumes (workspaces bound to a Secret among them).
import type { V1Pod, V1Secret } from '@kubernetes/client-node';

/** Secret names and, where only one key is used, that key. */
export function secretRefs(pod: V1Pod): { name: string; key?: string }[] {
  const out: { name: string; key?: string }[] = [];
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of containers) {
    for (const e of c.env ?? [])
      if (e.valueFrom?.secretKeyRef?.name)
        out.push({ name: e.valueFrom.secretKeyRef.name, key: e.valueFrom.secretKeyRef.key });
    for (const e of c.envFrom ?? []) if (e.secretRef?.name) out.push({ name: e.secretRef.name });
  }
  for (const v of pod.spec?.volumes ?? []) {
    if (v.secret?.secretName) out.push({ name: v.secret.secretName });
    for (const s of v.projected?.sources ?? []) if (s.secret?.name) out.push({ name: s.secret.name });
  }
  return out;
}

/** The decoded values of those references, given the Secrets. */
export function secretValues(
  refs: readonly { name: string; key?: string }[],
  secrets: ReadonlyMap<string, V1Secret>,
): string[] {
  const out: string[] = [];
  for (const r of refs) {
    const s = secrets.get(r.name);
    const entries = Object.entries(s?.data ?? {}).filter(([k]) => r.key === undefined || k === r.key);
    for (const [, v] of entries) out.push(Buffer.from(v, 'base64').toString('utf8'));
    for (const [k, v] of Object.entries(s?.stringData ?? {})) if (r.key === undefined || k === r.key) out.push(v);
  }
  return out;
}
