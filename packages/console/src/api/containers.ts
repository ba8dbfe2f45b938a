// The common edits of a workload's containers as form values and back: image, environment variables
// (plain, or a key of a ConfigMap or Secret) and CPU/memory requests and limits. Each edit is a
// JSON patch of one field of one container of the pod template, guarded by a test of the
// container's name, so a list changed meanwhile is refused instead of the wrong container edited.
import { pointer, type PatchOp } from './jsonPatch.js';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name?: string; key?: string; optional?: boolean };
    secretKeyRef?: { name?: string; key?: string; optional?: boolean };
    [other: string]: unknown;
  };
}

export interface Container {
  name: string;
  image?: string;
  env?: EnvVar[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string>; [other: string]: unknown };
  [other: string]: unknown;
}

/** Where a variable's value comes from; `other` (fieldRef, resourceFieldRef) is kept as it is, not edited. */
export type EnvSource = 'value' | 'configMap' | 'secret' | 'other';

export interface EnvRow {
  name: string;
  source: EnvSource;
  /** The plain value, or the ConfigMap's or Secret's name. */
  value: string;
  /** The key in the ConfigMap or Secret. */
  key: string;
  /** A source the form does not edit, written back unchanged. */
  kept?: EnvVar['valueFrom'];
}

/** The pod template's containers of a Deployment, StatefulSet or DaemonSet. */
export const TEMPLATE_CONTAINERS = '/spec/template/spec/containers';
/** The same place as the API names fields in its causes. */
export const templateField = (index: number): string => `spec.template.spec.containers[${index}]`;

export function toEnvRows(env: readonly EnvVar[] | undefined): EnvRow[] {
  return (env ?? []).map((e): EnvRow => {
    const cm = e.valueFrom?.configMapKeyRef;
    const secret = e.valueFrom?.secretKeyRef;
    if (cm) return { name: e.name, source: 'configMap', value: cm.name ?? '', key: cm.key ?? '' };
    if (secret) return { name: e.name, source: 'secret', value: secret.name ?? '', key: secret.key ?? '' };
    if (e.valueFrom) return { name: e.name, source: 'other', value: '', key: '', kept: e.valueFrom };
    return { name: e.name, source: 'value', value: e.value ?? '', key: '' };
  });
}

export function fromEnvRows(rows: readonly EnvRow[]): EnvVar[] {
  return rows.map((r): EnvVar => {
    if (r.source === 'configMap')
      return { name: r.name, valueFrom: { configMapKeyRef: { name: r.value, key: r.key } } };
    if (r.source === 'secret') return { name: r.name, valueFrom: { secretKeyRef: { name: r.value, key: r.key } } };
    if (r.source === 'other') return { name: r.name, valueFrom: r.kept };
    return { name: r.name, value: r.value };
  });
}

export const RESOURCE_NAMES = ['cpu', 'memory'] as const;
export type ResourceForm = Record<'requests' | 'limits', Record<(typeof RESOURCE_NAMES)[number], string>>;

export function toResourceForm(r: Container['resources']): ResourceForm {
  const pick = (m: Record<string, string> | undefined) => ({ cpu: m?.cpu ?? '', memory: m?.memory ?? '' });
  return { requests: pick(r?.requests), limits: pick(r?.limits) };
}

/**
 * The container's resources with the form's CPU and memory: an empty input removes that entry;
 * other resources (ephemeral-storage, GPUs) and fields stay as they were.
 */
export function fromResourceForm(form: ResourceForm, was: Container['resources']): NonNullable<Container['resources']> {
  const out: NonNullable<Container['resources']> = { ...was };
  for (const list of ['requests', 'limits'] as const) {
    const m: Record<string, string> = { ...was?.[list] };
    for (const n of RESOURCE_NAMES) {
      const v = form[list][n].trim();
      if (v) m[n] = v;
      else delete m[n];
    }
    if (Object.keys(m).length) out[list] = m;
    else delete out[list];
  }
  return out;
}

/**
 * The patch that sets one field of container `index` (whose name must still be `name`); an
 * undefined or empty value removes the field when the container has it.
 */
export function containerPatch(
  containers: readonly Container[],
  index: number,
  fieldName: 'image' | 'env' | 'resources',
  value: unknown,
): PatchOp[] {
  const at = `${TEMPLATE_CONTAINERS}/${index}`;
  const guard: PatchOp = { op: 'test', path: `${at}/name`, value: containers[index]?.name };
  const empty =
    value === undefined ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
  const path = `${at}/${pointer(fieldName)}`;
  if (!empty) return [guard, { op: 'add', path, value }];
  return containers[index]?.[fieldName] === undefined ? [guard] : [guard, { op: 'remove', path }];
}
