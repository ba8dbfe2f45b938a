import { describe, expect, it } from 'vitest';
import { parseRef, refsIn, substituteDeep, substituteList, substituteString, type VarValue } from './substitute.js';

const vars = new Map<string, VarValue>([
  ['params.name', 'app'],
  ['params.dotted.name', 'dots'],
  ['params.flags', ['-v', '--fast']],
  ['params.obj', { url: 'https://git', rev: 'main' }],
  ['results.digest.path', '/tekton/results/digest'],
]);

describe('Tekton variable substitution', () => {
  it('parses the dot, bracket and index forms', () => {
    expect(parseRef('params.name')).toEqual({ key: 'params.name' });
    expect(parseRef('params["dotted.name"]')).toEqual({ key: 'params.dotted.name' });
    expect(parseRef("params['flags'][*]")).toEqual({ key: 'params.flags', index: '*' });
    expect(parseRef(' params.flags[1] ')).toEqual({ key: 'params.flags', index: 1 });
    expect(refsIn('a $(params.x) b $(results.y.path)').map((r) => r.key)).toEqual(['params.x', 'results.y.path']);
  });

  it('replaces known names in strings and leaves shell command substitution alone', () => {
    expect(substituteString('build $(params.name) to $(results.digest.path)', vars)).toBe(
      'build app to /tekton/results/digest',
    );
    expect(substituteString('$(params["dotted.name"]) $(params.obj.url) $(params.flags[0])', vars)).toBe(
      'dots https://git -v',
    );
    expect(substituteString('echo $(date) $(params.unknown)', vars)).toBe('echo $(date) $(params.unknown)');
  });

  it('spreads an array param given as a whole list element, and joins it inside a string', () => {
    expect(substituteList(['build', '$(params.flags[*])', '$(params.name)'], vars)).toEqual([
      'build',
      '-v',
      '--fast',
      'app',
    ]);
    expect(substituteList(['flags: $(params.flags[*])'], vars)).toEqual(['flags: -v --fast']);
    expect(substituteList(undefined, vars)).toBeUndefined();
  });

  it('substitutes inside nested values (env vars, volume sources)', () => {
    expect(substituteDeep({ env: [{ name: 'N', value: '$(params.name)' }], n: 3 }, vars)).toEqual({
      env: [{ name: 'N', value: 'app' }],
      n: 3,
    });
  });
});
