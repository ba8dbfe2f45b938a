// Replaces secret values with `***` in a stream of text. A value may arrive split across two
// chunks, so the last (longest value - 1) characters are held back until the next chunk shows
// whether they start a secret; flush() releases them at the end.

/** Values shorter than this are not masked: masking `a` or `1` would make every log unreadable. */
export const MIN_MASKED_LENGTH = 3;
export const MASK = '***';

/** The strings to mask for one secret value: itself, and without a trailing newline (files often end with one). */
export function maskedForms(values: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const v of values) {
    for (const f of [v, v.replace(/\r?\n$/, '')]) if (f.length >= MIN_MASKED_LENGTH) out.add(f);
  }
  // Longest first: where one value contains another, the whole of the longer one is masked.
  return [...out].sort((a, b) => b.length - a.length);
}

export class Masker {
  private pending = '';
  private readonly hold: number;

  constructor(private readonly secrets: readonly string[]) {
    this.hold = Math.max(0, ...secrets.map((s) => s.length)) - 1;
  }

  /** The masked text that is safe to emit now. */
  write(chunk: string): string {
    if (!this.secrets.length) return chunk;
    const buf = this.pending + chunk;
    // A secret starting before `safe` lies wholly inside buf, so it is matched here or never.
    return this.mask(buf, Math.max(0, buf.length - this.hold));
  }

  /** The held-back tail, masked: the stream ended. */
  flush(): string {
    const rest = this.pending;
    return this.mask(rest, rest.length);
  }

  /** Masks `buf` up to `upto` (a secret starting there may run past it); keeps the rest pending. */
  private mask(buf: string, upto: number): string {
    let out = '';
    let i = 0;
    while (i < upto) {
      const hit = this.secrets.find((s) => buf.startsWith(s, i));
      if (hit) {
        out += MASK;
        i += hit.length;
      } else {
        out += buf[i];
        i += 1;
      }
    }
    this.pending = buf.slice(i);
    return out;
  }
}
