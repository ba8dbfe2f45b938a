// Options are resolved once per component: the defaults applied in one place, giving a fully
// resolved type that the component reads without `?? default` at each use.

/** T with the options K always present (their defaults applied). */
export type Resolved<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]-?: Exclude<T[P], undefined> };

/**
 * The options with each left-out or undefined value among `defaults` replaced by its default.
 * Unlike `{ ...defaults, ...options }`, an option passed as undefined still gets its default, so
 * callers pass what they have (`port: flags.port`) without spreading conditionally.
 */
export function withDefaults<T extends object, K extends keyof T>(
  defaults: { readonly [P in K]-?: Exclude<T[P], undefined> },
  options: T,
): Resolved<T, K> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as Resolved<T, K>;
}
