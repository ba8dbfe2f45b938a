import { describe, expect, it } from 'vitest';
import {
  SelectorError,
  escapeFieldValue,
  fieldExactMatch,
  fieldSelectorString,
  matchesFields,
  parseFieldSelector,
} from './index.js';

describe('parseFieldSelector', () => {
  it('parses =, == and != terms, sorted by their text', () => {
    expect(parseFieldSelector('status.phase!=Failed,spec.nodeName==n1,metadata.name=web')).toEqual([
      { field: 'metadata.name', operator: '=', value: 'web' },
      { field: 'spec.nodeName', operator: '=', value: 'n1' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
  });

  it('the empty selector and empty terms give no requirements', () => {
    expect(parseFieldSelector('')).toEqual([]);
    expect(parseFieldSelector(',,')).toEqual([]);
  });

  it('an empty value is allowed (kubectl describe node: spec.nodeName=)', () => {
    expect(parseFieldSelector('spec.nodeName=')).toEqual([{ field: 'spec.nodeName', operator: '=', value: '' }]);
  });

  it('unescapes \\, \\= and \\\\ in values', () => {
    expect(parseFieldSelector('metadata.name=a\\,b\\=c\\\\d')).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a,b=c\\d' },
    ]);
  });

  it('an escaped comma does not split terms', () => {
    expect(parseFieldSelector('a=x\\,y,b=z')).toHaveLength(2);
  });

  it('a term without an operator is refused with the real message', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow(
      new SelectorError("invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
    );
  });

  it('an unescaped = in a value is refused', () => {
    expect(() => parseFieldSelector('a=b=c')).toThrow('invalid field selector: unescaped character in value: =');
  });

  it('an unknown escape is refused', () => {
    expect(() => parseFieldSelector('a=b\\n')).toThrow('invalid field selector: invalid escape sequence: \\n');
    expect(() => parseFieldSelector('a=b\\')).toThrow('invalid field selector: invalid escape sequence: \\');
  });

  it('the first operator splits: a!=b is not-equal, a==b is equal', () => {
    expect(parseFieldSelector('a!=b')[0]).toEqual({ field: 'a', operator: '!=', value: 'b' });
    expect(parseFieldSelector('a==b')[0]).toEqual({ field: 'a', operator: '=', value: 'b' });
  });
});

describe('matchesFields', () => {
  const fields = { 'metadata.name': 'web', 'status.phase': 'Running', 'spec.nodeName': '' };

  it('every requirement must hold', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=web,status.phase!=Failed'), fields)).toBe(true);
    expect(matchesFields(parseFieldSelector('metadata.name=web,status.phase=Failed'), fields)).toBe(false);
  });

  it('a missing field reads as the empty string', () => {
    expect(matchesFields(parseFieldSelector('spec.other='), fields)).toBe(true);
    expect(matchesFields(parseFieldSelector('spec.other!=x'), fields)).toBe(true);
    expect(matchesFields(parseFieldSelector('spec.other=x'), fields)).toBe(false);
  });

  it('no requirements match everything', () => {
    expect(matchesFields([], {})).toBe(true);
  });
});

describe('helpers', () => {
  it('fieldExactMatch finds the pinned value', () => {
    const reqs = parseFieldSelector('metadata.name=web,metadata.namespace!=x');
    expect(fieldExactMatch(reqs, 'metadata.name')).toBe('web');
    expect(fieldExactMatch(reqs, 'metadata.namespace')).toBeUndefined();
  });

  it('escape and string form round-trip', () => {
    expect(escapeFieldValue('a,b=c\\')).toBe('a\\,b\\=c\\\\');
    const s = fieldSelectorString([{ field: 'metadata.name', operator: '=', value: 'a,b' }]);
    expect(s).toBe('metadata.name=a\\,b');
    expect(parseFieldSelector(s)[0]?.value).toBe('a,b');
  });
});
