// How every wharf command fails: one line on stderr, exit 1.

export function failInOneLine(e: unknown): never {
  // One line: scripts read the first line of stderr, people read all of it.
  process.stderr.write(`wharf: ${((e as Error).message ?? String(e)).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}
