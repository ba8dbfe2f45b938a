import { describe, expect, it } from 'vitest';
import { globMatch, matchRule, parseRef } from './rules.js';
import type { RepositorySpec } from './types.js';

const spec: RepositorySpec = {
  source: { type: 'builtin' },
  rules: [
    { branches: ['main'], pipelineRef: { name: 'deploy' } },
    { branches: ['release/*'], pipelineRef: { name: 'release' } },
    { branches: ['feature/**'], pipelineRef: { name: 'test' } },
    { tags: ['v*'], pipelineRef: { name: 'publish' } },
  ],
};

describe('branch rules', () => {
  it('the first matching rule names the pipeline', () => {
    expect(matchRule(spec, 'refs/heads/main')?.pipelineRef.name).toBe('deploy');
    expect(matchRule(spec, 'refs/heads/release/1.2')?.pipelineRef.name).toBe('release');
    expect(matchRule(spec, 'refs/heads/feature/a/b')?.pipelineRef.name).toBe('test');
    expect(matchRule(spec, 'refs/tags/v1.0.0')?.pipelineRef.name).toBe('publish');
  });

  it('an unmatched branch, a tag only branch rules would match and other refs run nothing', () => {
    expect(matchRule(spec, 'refs/heads/docs')).toBeUndefined();
    expect(matchRule(spec, 'refs/heads/release/1/2')).toBeUndefined();
    expect(matchRule(spec, 'refs/tags/main')).toBeUndefined();
    expect(matchRule(spec, 'refs/notes/commits')).toBeUndefined();
    expect(matchRule({ source: { type: 'builtin' } }, 'refs/heads/main')).toBeUndefined();
  });

  it('globs: * stays in a segment, ** crosses them, regex characters are literal', () => {
    expect(globMatch('release/*', 'release/x/y')).toBe(false);
    expect(globMatch('**', 'a/b/c')).toBe(true);
    expect(globMatch('v1.0', 'v1x0')).toBe(false);
    expect(globMatch('fix-(x)', 'fix-(x)')).toBe(true);
    expect(parseRef('refs/tags/v1')).toEqual({ kind: 'tag', name: 'v1' });
  });
});
