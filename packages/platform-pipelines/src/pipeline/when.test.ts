import { describe, expect, it } from 'vitest';
import { resolveWhen, whenAllows } from './when.js';

const vars = new Map<string, string | string[]>([
  ['params.branches', ['main', 'hotfix']],
  ['params.path', 'README.md'],
  ['tasks.check.results.exists', 'yes'],
]);

describe('when expressions', () => {
  it('substitutes inputs and spreads array values before evaluating in and notin', () => {
    const resolved = resolveWhen(
      [
        { input: 'main', operator: 'in', values: ['$(params.branches[*])'] },
        { input: '$(params.path)', operator: 'notin', values: ['x.md'] },
      ],
      vars,
    );
    expect(resolved).toEqual([
      { input: 'main', operator: 'in', values: ['main', 'hotfix'] },
      { input: 'README.md', operator: 'notin', values: ['x.md'] },
    ]);
    expect(whenAllows(resolved)).toBe(true);
  });

  it('needs every expression to hold', () => {
    expect(
      whenAllows(
        resolveWhen(
          [
            { input: '$(tasks.check.results.exists)', operator: 'in', values: ['yes'] },
            { input: 'master', operator: 'in', values: ['$(params.branches[*])'] },
          ],
          vars,
        ),
      ),
    ).toBe(false);
    expect(whenAllows(resolveWhen([{ input: '$(params.path)', operator: 'notin', values: ['README.md'] }], vars))).toBe(
      false,
    );
    expect(whenAllows([])).toBe(true);
  });
});
