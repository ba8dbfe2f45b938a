// Which pipeline a pushed ref runs: the first rule whose branch (or tag) globs match. Globs as
// Tekton triggers and GitHub Actions write them: `*` within one path segment, `**` across them.
import type { RepositorySpec, TriggerRule } from './types.js';

export type RefKind = { kind: 'branch' | 'tag'; name: string } | { kind: 'other'; name: string };

export function parseRef(ref: string): RefKind {
  if (ref.startsWith('refs/heads/')) return { kind: 'branch', name: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice('refs/tags/'.length) };
  return { kind: 'other', name: ref };
}

const escape = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** A glob as an anchored regular expression. */
export function globRegExp(glob: string): RegExp {
  const body = glob
    .split('**')
    .map((part) => part.split('*').map(escape).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

export const globMatch = (glob: string, name: string): boolean => globRegExp(glob).test(name);

/** The rule a ref runs, or undefined: a push nobody builds ("no pipeline for branch"). */
export function matchRule(spec: RepositorySpec, ref: string): TriggerRule | undefined {
  const r = parseRef(ref);
  if (r.kind === 'other') return undefined;
  return spec.rules?.find((rule) =>
    (r.kind === 'branch' ? rule.branches : rule.tags)?.some((g) => globMatch(g, r.name)),
  );
}
