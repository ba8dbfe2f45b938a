// Integer flags of the commands (`--nodes`, ports, limits): a one-line error naming the flag.
// Apart from up-options.ts, whose API server imports every other command would load at start.
export function optionalInteger(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < 0)
    throw new Error(`${flag} must be a non-negative integer, got "${v}"`);
  return n;
}

export function positiveInteger(flag: string, v: string | undefined, fallback: number): number {
  const n = optionalInteger(flag, v) ?? fallback;
  if (n < 1) throw new Error(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

export function portOf(flag: string, v: string | undefined, fallback: number): number {
  const n = optionalInteger(flag, v) ?? fallback;
  if (n > 65535) throw new Error(`${flag} must be a port number (0-65535), got "${v}"`);
  return n;
}
