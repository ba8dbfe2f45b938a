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

/** A value as the user gives it: typed text (stored as UTF-8), or a file's bytes. */
export type SecretValue = string | Uint8Array<ArrayBuffer>;

/** Bytes as the base64 a Secret's `data` holds. */
export function encodeBytes(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** UTF-8 text, or a file's bytes, as the base64 a Secret's `data` holds. */
export function encodeValue(value: SecretValue): string {
  return encodeBytes(typeof value === 'string' ? new TextEncoder().encode(value) : value);
}

/** A `data` value as text when it is UTF-8; otherwise its bytes (a keystore, a key in DER): shown as a download. */
export function decodeValue(b64: string): SecretValue {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes;
  }
}

export async function readKeys(namespace: string, name: string): Promise<SecretKeys> {
  return keysOf(await api<Secret>(secretPath(namespace, name)));
}

/** The one value the user asked to see. */
export async function revealKey(namespace: string, name: string, key: string): Promise<SecretValue> {
  const s = await api<Secret>(secretPath(namespace, name));
  const b64 = s.data?.[key];
  return b64 === undefined ? '' : decodeValue(b64);
}

/** Sets a key (text or bytes) or removes it (null); needs only `patch` on the Secret. */
export function writeKey(namespace: string, name: string, key: string, value: SecretValue | null): Promise<unknown> {
  return api(secretPath(namespace, name), {
    method: 'PATCH',
    contentType: MERGE,
    body: { data: { [key]: value === null ? null : encodeValue(value) } },
  });
}

export function createSecret(namespace: string, name: string, key: string, value: SecretValue): Promise<unknown> {
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
