// The author of a config version is the user of the request that changed spec.data: only the
// API server knows it, so the platform serves a mutating admission webhook for ConfigSets that
// writes the request's username into an annotation, which the ConfigSet controller records in
// the version. A write that does not set a new change message drops the previous one, so a
// message never describes a later change. failurePolicy Ignore: without the platform running,
// writes still go through (their versions then have no author).
// It also refuses keys a ConfigMap would refuse (also file names): a CEL rule in the CRD cannot
// check map keys within the API server's cost budget.
import { ANNOTATIONS } from '../types.js';

interface Meta {
  annotations?: Record<string, string>;
}
interface ConfigSetLike {
  metadata?: Meta;
  spec?: { data?: unknown; binaryData?: unknown };
}

export interface AdmissionRequest {
  uid: string;
  operation: string;
  userInfo?: { username?: string };
  object?: ConfigSetLike;
  oldObject?: ConfigSetLike;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
  patchType?: 'JSONPatch';
  /** base64 of the JSON patch. */
  patch?: string;
}

const KEY = /^[-._a-zA-Z0-9]+$/;

/** The first key of data or binaryData a ConfigMap would refuse, as the API server words it. */
export function invalidKey(spec: ConfigSetLike['spec']): string | undefined {
  for (const field of ['data', 'binaryData'] as const) {
    const map = spec?.[field];
    if (!map || typeof map !== 'object') continue;
    for (const key of Object.keys(map)) {
      if (key.length > 253 || !KEY.test(key) || key === '.' || key === '..') {
        return `spec.${field}[${JSON.stringify(key).slice(0, 80)}]: Invalid value: keys must consist of alphanumerics, '-', '_' or '.', be at most 253 characters, and not be '.' or '..'`;
      }
    }
  }
  return undefined;
}

/** RFC 6901 escaping of a key in a JSON pointer. */
const pointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

export function admitConfigSet(req: AdmissionRequest): AdmissionResponse {
  const obj = req.object ?? {};
  const bad = req.operation === 'DELETE' ? undefined : invalidKey(obj.spec);
  if (bad) return { uid: req.uid, allowed: false, status: { code: 422, reason: 'Invalid', message: bad } };
  const old = req.oldObject;
  const changed =
    req.operation === 'CREATE' ||
    JSON.stringify([obj.spec?.data ?? {}, obj.spec?.binaryData ?? {}]) !==
      JSON.stringify([old?.spec?.data ?? {}, old?.spec?.binaryData ?? {}]);
  if (!changed) return { uid: req.uid, allowed: true };
  const annotations = obj.metadata?.annotations;
  const ops: unknown[] = [];
  if (!annotations) ops.push({ op: 'add', path: '/metadata/annotations', value: {} });
  ops.push({
    op: 'add',
    path: `/metadata/annotations/${pointer(ANNOTATIONS.changeAuthor)}`,
    value: req.userInfo?.username ?? 'unknown',
  });
  const message = annotations?.[ANNOTATIONS.changeMessage];
  if (message !== undefined && old && old.metadata?.annotations?.[ANNOTATIONS.changeMessage] === message) {
    ops.push({ op: 'remove', path: `/metadata/annotations/${pointer(ANNOTATIONS.changeMessage)}` });
  }
  return {
    uid: req.uid,
    allowed: true,
    patchType: 'JSONPatch',
    patch: Buffer.from(JSON.stringify(ops)).toString('base64'),
  };
}
