import { describe, expect, it } from 'vitest';
import { FieldSet, field, keyElement, valueElement } from './fieldset.js';
import { mergeValues, removeItems } from './merge.js';
import { builtinShape, customResourceShape } from './shape.js';

const pod = builtinShape('V1PodSpec');
const crd = customResourceShape({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        args: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' },
        owner: {
          type: 'object',
          properties: { a: { type: 'string' }, b: { type: 'string' } },
          'x-kubernetes-map-type': 'atomic',
        },
      },
    },
  },
});

describe('mergeValues', () => {
  it('merges list-map items by key and keeps live-only items in place', () => {
    const live = {
      containers: [
        { name: 'a', image: 'a:1', tty: true },
        { name: 'side', image: 's' },
      ],
    };
    const config = {
      containers: [
        { name: 'a', image: 'a:2' },
        { name: 'b', image: 'b:1' },
      ],
    };
    expect(mergeValues(live, config, pod)).toEqual({
      containers: [
        { name: 'a', image: 'a:2', tty: true },
        { name: 'side', image: 's' },
        { name: 'b', image: 'b:1' },
      ],
    });
  });

  it('unions set lists, replaces atomic lists and atomic maps', () => {
    const live = { spec: { tags: ['x', 'y'], args: ['1', '2'], owner: { a: '1', b: '2' } } };
    const config = { spec: { tags: ['y', 'z'], args: ['3'], owner: { a: '9' } } };
    expect(mergeValues(live, config, crd)).toEqual({ spec: { tags: ['x', 'y', 'z'], args: ['3'], owner: { a: '9' } } });
  });

  it('takes the configuration order for shared items', () => {
    const live = { containers: [{ name: 'a' }, { name: 'b' }] };
    expect(mergeValues(live, { containers: [{ name: 'b' }, { name: 'a' }] }, pod)).toEqual({
      containers: [{ name: 'b' }, { name: 'a' }],
    });
  });
});

describe('removeItems', () => {
  it('removes fields, list items and set values unless kept', () => {
    const obj = { spec: { tags: ['x', 'y'], args: ['1'] } };
    const remove = FieldSet.of([
      [field('spec'), field('tags'), valueElement('x')],
      [field('spec'), field('args')],
    ]);
    removeItems(obj, remove, undefined, crd);
    expect(obj).toEqual({ spec: { tags: ['y'] } });
  });

  it('keeps a list item another manager owns a field of', () => {
    const obj = { containers: [{ name: 'a', image: 'a' }, { name: 'b' }] };
    const remove = FieldSet.of([
      [field('containers'), keyElement({ name: 'a' })],
      [field('containers'), keyElement({ name: 'b' })],
    ]);
    const keep = FieldSet.of([[field('containers'), keyElement({ name: 'a' }), field('image')]]);
    removeItems(obj, remove, keep, pod);
    expect(obj).toEqual({ containers: [{ name: 'a', image: 'a' }] });
  });

  it('drops maps a removal emptied', () => {
    const obj: Record<string, unknown> = { spec: { args: ['1'] } };
    removeItems(obj, FieldSet.of([[field('spec'), field('args')]]), undefined, crd);
    expect(obj).toEqual({});
  });
});

describe('mergeValues list order (structured-merge-diff)', () => {
  it('moves shared items to the configuration order after live-only items before them', () => {
    const live = { containers: [{ name: 'b' }, { name: 'x' }, { name: 'a' }] };
    expect(mergeValues(live, { containers: [{ name: 'a' }, { name: 'b' }] }, pod)).toEqual({
      containers: [{ name: 'x' }, { name: 'a' }, { name: 'b' }],
    });
  });
});
