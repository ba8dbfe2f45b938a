// Per-key changes between two versions of a ConfigSet (or two contents of a Secret) and their
// rendering as unified diffs (the `diff` package). Secret values never reach a diff: a secret
// key only ever says "added", "changed" or "removed".
import { createTwoFilesPatch } from 'diff';

export interface Content {
  readonly data?: Readonly<Record<string, string>>;
  /** base64 values. */
  readonly binaryData?: Readonly<Record<string, string>>;
}

export interface KeyChange {
  readonly key: string;
  readonly change: 'added' | 'changed' | 'removed';
  /** Text values (absent for binary keys). */
  readonly before?: string;
  readonly after?: string;
  /** A binary value's sizes in bytes, before and after. */
  readonly binary?: { readonly before?: number; readonly after?: number };
}

const size = (b64: string | undefined): number | undefined =>
  b64 === undefined ? undefined : Buffer.from(b64, 'base64').length;

/** The keys that differ between `a` and `b`, sorted. */
export function changesBetween(a: Content, b: Content): KeyChange[] {
  const keys = new Set([
    ...Object.keys(a.data ?? {}),
    ...Object.keys(a.binaryData ?? {}),
    ...Object.keys(b.data ?? {}),
    ...Object.keys(b.binaryData ?? {}),
  ]);
  const out: KeyChange[] = [];
  for (const key of [...keys].sort()) {
    const ta = a.data?.[key];
    const tb = b.data?.[key];
    const ba = a.binaryData?.[key];
    const bb = b.binaryData?.[key];
    const had = ta !== undefined || ba !== undefined;
    const has = tb !== undefined || bb !== undefined;
    if (ta === tb && ba === bb) continue;
    const change = !had ? 'added' : !has ? 'removed' : 'changed';
    if (ba !== undefined || bb !== undefined)
      out.push({
        key,
        change,
        binary: {
          before: size(ba ?? (ta === undefined ? undefined : Buffer.from(ta).toString('base64'))),
          after: size(bb ?? (tb === undefined ? undefined : Buffer.from(tb).toString('base64'))),
        },
      });
    else
      out.push({
        key,
        change,
        ...(ta !== undefined ? { before: ta } : {}),
        ...(tb !== undefined ? { after: tb } : {}),
      });
  }
  return out;
}

/** A text with a final newline, so the diff does not end in "\ No newline at end of file" for one-line values. */
const lines = (s: string | undefined): string => (s === undefined || s === '' ? '' : s.endsWith('\n') ? s : `${s}\n`);

export interface DiffLabels {
  /** e.g. `version 3`. */
  readonly from: string;
  readonly to: string;
  /** Secret values: say that a key changed, never how. */
  readonly secret?: boolean;
}

/** One key's change as a unified diff (or one line for binary and secret keys). */
export function renderChange(c: KeyChange, l: DiffLabels): string {
  if (l.secret) return `${c.key}: ${c.change} (secret value not shown)\n`;
  if (c.binary) return `${c.key}: binary, ${c.change} (${c.binary.before ?? 0} → ${c.binary.after ?? 0} bytes)\n`;
  const patch = createTwoFilesPatch(
    `${c.key} (${l.from})`,
    `${c.key} (${l.to})`,
    lines(c.before),
    lines(c.after),
    undefined,
    undefined,
    { context: 3 },
  );
  // The patch opens with an "Index:"-less header of two "===" lines in some versions: keep from "---".
  return patch.slice(patch.indexOf('---'));
}

export function renderChanges(changes: readonly KeyChange[], l: DiffLabels): string {
  return changes.map((c) => renderChange(c, l)).join('');
}
