// The forms' writes: a JSON patch (RFC 6902), asked of the API server with dryRun=All first and then
// made, the same request `kubectl patch --type=json` sends; the form shows that command. A refusal's
// causes name API fields (spec.ports[0].port): the form puts each beside the input for that field.
import { ApiError, api } from './client.js';
import type { KindInfo } from './kinds.js';
import type { KubeObject } from './types.js';

export type PatchOp =
  | { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

export const JSON_PATCH = 'application/json-patch+json';

/** Dry run, then the write: a refusal of either throws the API's Status, and nothing is stored. */
export async function patchChecked(path: string, patch: readonly PatchOp[]): Promise<KubeObject> {
  const o = { method: 'PATCH', contentType: JSON_PATCH, body: patch };
  await api(`${path}?dryRun=All&fieldManager=wharf-console`, o);
  return api<KubeObject>(`${path}?fieldManager=wharf-console`, o);
}

/** The kubectl command that makes the same change, for the user to read or run themselves. */
export function kubectlPatch(k: KindInfo, namespace: string | undefined, name: string, patch: readonly PatchOp[]) {
  const resource = k.group ? `${k.plural}.${k.group}` : k.plural;
  const ns = k.namespaced && namespace ? ` -n ${namespace}` : '';
  // The shell's single quotes: a quote inside ends them, is escaped, and starts them again.
  const json = JSON.stringify(patch).replace(/'/g, `'\\''`);
  return `kubectl patch ${resource} ${name}${ns} --type=json -p '${json}'`;
}

/** A JSON pointer token: "~" and "/" escaped (RFC 6901), for keys like a label's. */
export const pointer = (token: string | number): string => String(token).replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The messages of the API's causes about `field` or anything under it (`spec.ports[0]` takes
 * `spec.ports[0].port`), as "field: message" when the cause is about a field below it.
 */
export function causesAt(error: unknown, field: string): string[] {
  if (!(error instanceof ApiError)) return [];
  return error.causes
    .filter((c) => c.field === field || c.field?.startsWith(`${field}.`) || c.field?.startsWith(`${field}[`))
    .map((c) => c.message ?? c.reason ?? '');
}

/** Whether a form's fields placed every cause of the error; if not, the form shows the whole error too. */
export function placesAll(error: unknown, fields: readonly string[]): boolean {
  if (!(error instanceof ApiError) || error.causes.length === 0) return false;
  return error.causes.every((c) => fields.some((f) => causesAt(new ApiError(0, '', '', [c]), f).length > 0));
}
