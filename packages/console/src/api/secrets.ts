// Secrets as the Configuration page edits them: write-only unless the user may read them. The
// editor keeps a Secret's key names and sizes, never its values; one value is fetched only when
// the user reveals that key. Writes are merge patches of `data`, so a key is set or removed
// without the others ever being read.
import { api } from './client.js';
import type { KubeObject } from './types.js';

const MERGE = 'application/merge-patch+json';

export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/** What the editor shows of a Secret: its type, and each key with its value's size in bytes. */
export interface SecretKeys {
  readonly type: string;
  readonly keys: readonly { readonly key: string; readonly bytes: number }[];
}

export const secretPath = (namespace: string, name = ''): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets${name ? `/${encodeURIComponent(name)}` : ''}`;

/** The console's page editing a Secret's keys (the Configuration page's). */
export const secretRoute = (ns: string, name: string): string =>
  `/configuration/secrets/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;

/** A Secret's keys and value sizes; its values are dropped here, before any state holds them. */
export function keysOf(s: Secret): SecretKeys {
  return {
    type: s.type ?? 'Opaque',
    keys: Object.entries(s.data ?? {})
      .map(([key, b64]) => ({ key, bytes: base64Bytes(b64) }))
      .sort((a, b) => a.key.localeCompare(b.key)),
  };
}

/** Decoded length of base64 text, without decoding it. */
export function base64Bytes(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((b64.length * 3) / 4) - pad);
}

/** UTF-8 text as the base64 a Secret's `data` holds. */
export function encodeValue(value: string): string {
  let binary = '';
  for (const b of new TextEncoder().encode(value)) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** A `data` value as text (UTF-8; other bytes show as U+FFFD). */
export function decodeValue(b64: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}

export async function readKeys(namespace: string, name: string): Promise<SecretKeys> {
  return keysOf(await api<Secret>(secretPath(namespace, name)));
}

/** The one value the user asked to see. */
export async function revealKey(namespace: string, name: string, key: string): Promise<string> {
  const s = await api<Secret>(secretPath(namespace, name));
  const b64 = s.data?.[key];
  return b64 === undefined ? '' : decodeValue(b64);
}

/** Sets a key (a string) or removes it (null); needs only `patch` on the Secret. */
export function writeKey(namespace: string, name: string, key: string, value: string | null): Promise<unknown> {
  return api(secretPath(namespace, name), {
    method: 'PATCH',
    contentType: MERGE,
    body: { data: { [key]: value === null ? null : encodeValue(value) } },
  });
}

export function createSecret(namespace: string, name: string, key: string, value: string): Promise<unknown> {
  return api(secretPath(namespace), {
    method: 'POST',
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
      type: 'Opaque',
      data: { [key]: encodeValue(value) },
    },
  });
}
