import { describe, expect, it } from 'vitest';
import { formatLabelSelector, formatLabels, humanDuration, listWithMore, selectorString, since } from './format.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [45 * S, '45s'],
    [119 * S, '119s'],
    [2 * M + 3 * S, '2m3s'],
    [5 * M, '5m'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H + 5 * M, '3h5m'],
    [4 * H, '4h'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D + 3 * H, '2d3h'],
    [5 * D, '5d'],
    [100 * D, '100d'],
    [729 * D, '729d'],
    [2 * 365 * D + 100 * D, '2y100d'],
    [3 * 365 * D, '3y'],
    [9 * 365 * D + 20 * D, '9y'],
  ])('%d ms reads %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('tolerates clock skew under 2 s and calls more "<invalid>"', () => {
    expect(humanDuration(-1500)).toBe('0s');
    expect(humanDuration(-3000)).toBe('<invalid>');
  });
});

describe('since', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  it('is the age of a timestamp and "<unknown>" without one', () => {
    expect(since('2024-05-01T11:55:00Z', now)).toBe('5m');
    expect(since(undefined, now)).toBe('<unknown>');
    expect(since('not a time', now)).toBe('<unknown>');
  });
});

describe('labels and selectors', () => {
  it('formats labels sorted by key, "<none>" when empty', () => {
    expect(formatLabels({ tier: 'web', app: 'shop' })).toBe('app=shop,tier=web');
    expect(formatLabels({})).toBe('<none>');
    expect(formatLabels(undefined)).toBe('<none>');
  });

  it('writes selector requirements sorted by key with sorted values', () => {
    const sel = {
      matchLabels: { app: 'shop' },
      matchExpressions: [
        { key: 'zone', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'gpu', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    };
    expect(selectorString(sel)).toBe('app=shop,env notin (dev),gpu,!legacy,zone in (a,b)');
  });

  it('reads an empty or missing selector as "" and formats it as "<none>"', () => {
    expect(selectorString({})).toBe('');
    expect(selectorString(undefined)).toBe('');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(selectorString({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toBe('<invalid>');
  });
});

describe('listWithMore', () => {
  it('shows three entries and counts the rest', () => {
    expect(listWithMore(['a', 'b'])).toBe('a,b');
    expect(listWithMore(['a', 'b', 'c', 'd', 'e'])).toBe('a,b,c + 2 more...');
    expect(listWithMore([])).toBe('<unset>');
  });
});
