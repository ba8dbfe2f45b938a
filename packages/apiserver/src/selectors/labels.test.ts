import { describe, expect, it } from 'vitest';
import { LabelSelector, SelectorError, fromLabelSelectorObject, selectorFromSet } from './index.js';

describe('fromLabelSelectorObject (metav1.LabelSelector)', () => {
  it('null or absent matches nothing; {} matches everything', () => {
    expect(fromLabelSelectorObject(null).matches({ a: 'b' })).toBe(false);
    expect(fromLabelSelectorObject(undefined).matches({})).toBe(false);
    expect(fromLabelSelectorObject(null).matchesNothing()).toBe(true);
    const all = fromLabelSelectorObject({});
    expect(all.isEmpty()).toBe(true);
    expect(all.matches(undefined)).toBe(true);
    expect(fromLabelSelectorObject({ matchLabels: {}, matchExpressions: [] }).matches({ x: 'y' })).toBe(true);
  });

  it('ANDs matchLabels and matchExpressions', () => {
    const s = fromLabelSelectorObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['frontend', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(s.matches({ app: 'web', tier: 'edge', env: 'prod', team: 'a' })).toBe(true);
    expect(s.matches({ app: 'web', tier: 'edge', team: 'a' })).toBe(true);
    expect(s.matches({ app: 'web', tier: 'edge', env: 'dev', team: 'a' })).toBe(false);
    expect(s.matches({ app: 'web', tier: 'edge', team: 'a', legacy: 'true' })).toBe(false);
    expect(s.matches({ app: 'web', tier: 'edge' })).toBe(false);
    expect(s.matches({ app: 'api', tier: 'edge', team: 'a' })).toBe(false);
    expect(s.toString()).toBe('app=web,env notin (dev),!legacy,team,tier in (edge,frontend)');
  });

  it('rejects an unknown operator with the real message', () => {
    expect(() =>
      fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }),
    ).toThrow(new SelectorError('"Equals" is not a valid label selector operator'));
  });

  it('In with no values is invalid', () => {
    expect(() => fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow(
      "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    );
  });

  it('Exists with values is invalid', () => {
    expect(() =>
      fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
    ).toThrow('values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist');
  });

  it('a bad matchLabels key or value is named', () => {
    expect(() => fromLabelSelectorObject({ matchLabels: { 'bad key': 'x' } })).toThrow(
      /^key: Invalid value: "bad key": name part must consist/,
    );
    expect(() => fromLabelSelectorObject({ matchLabels: { app: 'a b' } })).toThrow(
      /^values\[0\]\[app\]: Invalid value: "a b"/,
    );
  });

  it('collects several errors in brackets', () => {
    expect(() =>
      fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'In', values: ['-x', '-y'] }] }),
    ).toThrow(/^\[values\[0\]\[a\]: Invalid value: "-x": .*, values\[1\]\[a\]: Invalid value: "-y": .*\]$/);
  });

  it('rejects malformed shapes, naming the field', () => {
    expect(() => fromLabelSelectorObject('app=web')).toThrow(SelectorError);
    expect(() => fromLabelSelectorObject({ matchLabels: { app: 3 } })).toThrow('matchLabels.app: must be a string');
    expect(() => fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'In', values: 'x' }] })).toThrow(
      'matchExpressions[0].values: must be a list of strings',
    );
  });
});

describe('selectorFromSet', () => {
  it('requires every label of the set', () => {
    const s = selectorFromSet({ app: 'web', tier: 'fe' });
    expect(s.matches({ app: 'web', tier: 'fe', extra: 'x' })).toBe(true);
    expect(s.matches({ app: 'web' })).toBe(false);
  });

  it('an empty or absent set matches everything', () => {
    expect(selectorFromSet({}).matches({ a: 'b' })).toBe(true);
    expect(selectorFromSet(undefined).isEmpty()).toBe(true);
  });
});

describe('LabelSelector', () => {
  it('everything and nothing', () => {
    expect(LabelSelector.everything().matches(undefined)).toBe(true);
    expect(LabelSelector.nothing().matches({})).toBe(false);
    expect(LabelSelector.nothing().isEmpty()).toBe(false);
  });

  it('does not treat inherited properties as labels', () => {
    expect(selectorFromSet({ constructor: 'x' }).matches({})).toBe(false);
    expect(fromLabelSelectorObject({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }).matches({})).toBe(
      false,
    );
  });
});
