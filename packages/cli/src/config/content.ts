// A ConfigSet's content after `wharf config set` arguments (KEY=VALUE, --from-file KEY=PATH,
// --unset KEY), and the merge patch that writes it: pure, apart from reading the files.
import { readFileSync } from 'node:fs';
import { parseKeyValue } from '../app/spec.js';
import { CliError } from '../kube/errors.js';
import type { Content } from './diff.js';

/** A file's bytes: text when they are UTF-8 without NULs, else binaryData. */
export function fileValue(path: string): { text?: string; base64?: string } {
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) && !text.includes('\0')
    ? { text }
    : { base64: bytes.toString('base64') };
}

/** The ConfigSet's content after `KEY=VALUE`, `--from-file KEY=PATH` and `--unset KEY`. */
export function editedContent(
  before: Content,
  pairs: readonly string[],
  files: readonly [string, { text?: string; base64?: string }][],
  unset: readonly string[],
): Content {
  const data: Record<string, string> = { ...(before.data ?? {}) };
  const binaryData: Record<string, string> = { ...(before.binaryData ?? {}) };
  const put = (key: string, v: { text?: string; base64?: string }): void => {
    delete data[key];
    delete binaryData[key];
    if (v.text !== undefined) data[key] = v.text;
    if (v.base64 !== undefined) binaryData[key] = v.base64;
  };
  for (const p of pairs) {
    const [k, v] = parseKeyValue('KEY=VALUE', p);
    put(k, { text: v });
  }
  for (const [k, v] of files) put(k, v);
  for (const k of unset) {
    if (!(k in data) && !(k in binaryData)) throw new CliError(`--unset ${k}: the configset has no key ${k}`);
    put(k, {});
  }
  return { data, ...(Object.keys(binaryData).length ? { binaryData } : {}) };
}

/** A merge patch turning `before` into `after` (null removes a key). */
export function patchOf(
  before: Content,
  after: Content,
): { data: Record<string, string | null>; binaryData: Record<string, string | null> } {
  const diff = (
    a: Readonly<Record<string, string>> = {},
    b: Readonly<Record<string, string>> = {},
  ): Record<string, string | null> => {
    const out: Record<string, string | null> = {};
    for (const k of Object.keys(a)) if (!(k in b)) out[k] = null;
    for (const [k, v] of Object.entries(b)) if (a[k] !== v) out[k] = v;
    return out;
  };
  return { data: diff(before.data, after.data), binaryData: diff(before.binaryData, after.binaryData) };
}
