// The log view's search, apart from the view so it is tested without a browser.

/** The lines containing `q`, case-insensitively; all of them for an empty search. */
export function search(lines: readonly string[], q: string): readonly string[] {
  const needle = q.trim().toLowerCase();
  return needle ? lines.filter((l) => l.toLowerCase().includes(needle)) : lines;
}
