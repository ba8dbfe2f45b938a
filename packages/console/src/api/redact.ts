// What of a Secret the console never puts on screen: its values, and the copy of them that
// `kubectl apply` keeps in the last-applied-configuration annotation.
import type { KubeObject } from './types.js';

export const MASK = '••••••';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function redactSecret(o: KubeObject): KubeObject {
  if (o.kind !== 'Secret') return o;
  const mask = (v: unknown): unknown =>
    v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).map((k) => [k, MASK])) : v;
  const annotations =
    o.metadata.annotations && LAST_APPLIED in o.metadata.annotations
      ? { ...o.metadata.annotations, [LAST_APPLIED]: MASK }
      : o.metadata.annotations;
  return {
    ...o,
    metadata: { ...o.metadata, ...(annotations ? { annotations } : {}) },
    ...(o.data ? { data: mask(o.data) } : {}),
    ...(o.stringData ? { stringData: mask(o.stringData) } : {}),
  };
}
