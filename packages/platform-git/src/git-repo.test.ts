import { describe, expect, it } from 'vitest';
import { changedRefs } from './git-repo.js';

describe('refs a push changed', () => {
  it('created, moved and deleted refs; unchanged ones left out', () => {
    const before = new Map([
      ['refs/heads/main', 'a'],
      ['refs/heads/old', 'b'],
      ['refs/tags/v1', 'c'],
    ]);
    const after = new Map([
      ['refs/heads/main', 'a2'],
      ['refs/heads/new', 'd'],
      ['refs/tags/v1', 'c'],
    ]);
    expect(changedRefs(before, after)).toEqual([
      { ref: 'refs/heads/main', commit: 'a2' },
      { ref: 'refs/heads/new', commit: 'd' },
      { ref: 'refs/heads/old' },
    ]);
  });
});
