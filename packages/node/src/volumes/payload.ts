// Turning API objects into volume payloads with the kubelet's semantics: all keys or only `items`
// (key → path, per-item mode over defaultMode), `optional` for a missing object or key, and the
// downward API's fieldRef/resourceFieldRef values.
import type { V1DownwardAPIVolumeFile, V1KeyToPath, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from '@wharf/api';
import type { DataObject } from './api.js';
import type { FileProjection } from './atomic-writer.js';
import { VolumeError } from './plugin.js';

/** 0644, the API's default for defaultMode. */
export const DEFAULT_MODE = 0o644;

export interface KeyedSource {
  readonly kind: 'configmap' | 'secret';
  readonly name: string;
  readonly items?: readonly V1KeyToPath[];
  readonly optional?: boolean;
}

/**
 * The files of a configMap or secret source. `object` undefined = not found: an empty payload when
 * optional, an error otherwise. Secret values (and every binaryData value) are base64.
 */
export function keyedPayload(
  source: KeyedSource,
  object: DataObject | undefined,
  defaultMode: number,
): Map<string, FileProjection> {
  const out = new Map<string, FileProjection>();
  if (!object) {
    if (source.optional) return out;
    throw new VolumeError(`${source.kind} "${source.name}" not found`);
  }
  const value = (key: string): Buffer | undefined => {
    const text = object.data?.[key];
    if (text !== undefined) return source.kind === 'secret' ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    const bin = object.binaryData?.[key];
    return bin !== undefined ? Buffer.from(bin, 'base64') : undefined;
  };
  if (!source.items?.length) {
    for (const key of [...Object.keys(object.data ?? {}), ...Object.keys(object.binaryData ?? {})])
      out.set(key, { data: value(key)!, mode: defaultMode });
    return out;
  }
  for (const item of source.items) {
    const data = value(item.key);
    if (data === undefined) {
      if (source.optional) continue;
      throw new VolumeError(
        source.kind === 'secret'
          ? `secret references non-existent secret key: ${item.key}`
          : `configmap references non-existent config key: ${item.key}`,
      );
    }
    out.set(item.path, { data, mode: item.mode ?? defaultMode });
  }
  return out;
}

/** Node allocatable, the value of a resourceFieldRef whose container sets no limit. */
export interface Allocatable {
  readonly cpu: number;
  readonly memory: number;
  readonly ephemeralStorage: number;
}

/** The files of a downwardAPI source. */
export function downwardPayload(
  pod: V1Pod,
  items: readonly V1DownwardAPIVolumeFile[],
  defaultMode: number,
  allocatable: Allocatable,
): Map<string, FileProjection> {
  const out = new Map<string, FileProjection>();
  for (const item of items) {
    let text: string;
    if (item.fieldRef) text = fieldValue(pod, item.fieldRef.fieldPath);
    else if (item.resourceFieldRef) text = resourceValue(pod, item.resourceFieldRef, allocatable, item.path);
    else throw new VolumeError(`downwardAPI item "${item.path}" has neither fieldRef nor resourceFieldRef`);
    out.set(item.path, { data: Buffer.from(text, 'utf8'), mode: item.mode ?? defaultMode });
  }
  return out;
}

function fieldValue(pod: V1Pod, fieldPath: string): string {
  const m = pod.metadata ?? {};
  const one = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (one) return (one[1] === 'labels' ? m.labels : m.annotations)?.[one[2] ?? ''] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return m.name ?? '';
    case 'metadata.namespace':
      return m.namespace ?? '';
    case 'metadata.uid':
      return m.uid ?? '';
    case 'metadata.labels':
      return formatMap(m.labels ?? {});
    case 'metadata.annotations':
      return formatMap(m.annotations ?? {});
    default:
      throw new VolumeError(
        `downwardAPI fieldRef "${fieldPath}" is not supported in volumes (only metadata.name, namespace, uid, labels, annotations)`,
      );
  }
}

/** `key="value"` lines sorted by key, values quoted as Go's %q, no trailing newline (kubelet's FormatMap). */
export function formatMap(m: Readonly<Record<string, string>>): string {
  return Object.keys(m)
    .sort()
    .map((k) => `${k}=${goQuote(m[k] ?? '')}`)
    .join('\n');
}

function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function resourceValue(
  pod: V1Pod,
  ref: NonNullable<V1DownwardAPIVolumeFile['resourceFieldRef']>,
  allocatable: Allocatable,
  itemPath: string,
): string {
  const field = `downwardAPI item "${itemPath}" resourceFieldRef`;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const c = containers.find((x) => x.name === ref.containerName);
  if (!c) throw new VolumeError(`${field}: container "${ref.containerName ?? ''}" is not in the pod`);
  const [kind, res] = ref.resource.split('.', 2) as [string, string | undefined];
  if (
    (kind !== 'limits' && kind !== 'requests') ||
    (res !== 'cpu' && res !== 'memory' && res !== 'ephemeral-storage')
  ) {
    throw new VolumeError(`${field}: unsupported resource "${ref.resource}"`);
  }
  const q = (kind === 'limits' ? c.resources?.limits : (c.resources?.requests ?? c.resources?.limits))?.[res];
  let value: number;
  if (q !== undefined) value = parseQuantity(String(q), `${field}.${ref.resource}`);
  else if (kind === 'limits')
    value = res === 'cpu' ? allocatable.cpu : res === 'memory' ? allocatable.memory : allocatable.ephemeralStorage;
  else value = 0;
  const divisor = ref.divisor !== undefined ? parseQuantity(String(ref.divisor), `${field}.divisor`) : 1;
  if (divisor <= 0) throw new VolumeError(`${field}: divisor must be positive`);
  return String(Math.ceil(value / divisor - 1e-9));
}
