import { describe, expect, it } from 'vitest';
import { FieldSet, comparePathElements, field, index, keyElement, pathString, valueElement } from './fieldset.js';

const f = field;

describe('FieldSet', () => {
  it('round-trips the FieldsV1 format, with "." for members that have children', () => {
    const v1 = {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:template': {
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    };
    const s = FieldSet.fromFieldsV1(v1);
    expect(s.has([f('metadata'), f('labels')])).toBe(true);
    expect(s.has([f('metadata')])).toBe(false);
    expect(
      s.has([f('spec'), f('template'), f('spec'), f('containers'), keyElement({ name: 'nginx' }), f('image')]),
    ).toBe(true);
    expect(s.toFieldsV1()).toEqual(v1);
    expect(JSON.stringify(s.toFieldsV1())).toBe(JSON.stringify(v1));
  });

  it('orders elements as upstream: fields, keys, values, indexes', () => {
    const els = [index(2), valueElement('b'), keyElement({ name: 'a' }), f('z'), f('a'), index(10)];
    expect(els.sort(comparePathElements)).toEqual([f('a'), f('z'), 'k:{"name":"a"}', 'v:"b"', 'i:2', 'i:10']);
  });

  it('serializes list-map keys with sorted key names', () => {
    expect(keyElement({ protocol: 'TCP', containerPort: 80 })).toBe('k:{"containerPort":80,"protocol":"TCP"}');
  });

  it('union, difference and intersection work on membership', () => {
    const a = FieldSet.of([
      [f('spec'), f('replicas')],
      [f('spec'), f('paused')],
    ]);
    const b = FieldSet.of([[f('spec'), f('replicas')], [f('data')]]);
    expect(a.union(b).paths().map(pathString)).toEqual(['.data', '.spec.paused', '.spec.replicas']);
    expect(a.difference(b).paths().map(pathString)).toEqual(['.spec.paused']);
    expect(a.intersection(b).paths().map(pathString)).toEqual(['.spec.replicas']);
    expect(a.difference(a).isEmpty()).toBe(true);
  });

  it('recursiveDifference drops everything under a member of the other set', () => {
    const a = FieldSet.of([
      [f('status'), f('replicas')],
      [f('spec'), f('replicas')],
    ]);
    expect(
      a
        .recursiveDifference(FieldSet.of([[f('status')]]))
        .paths()
        .map(pathString),
    ).toEqual(['.spec.replicas']);
  });

  it('prints paths as conflict messages do', () => {
    expect(pathString([f('spec'), f('containers'), keyElement({ name: 'nginx' }), f('image')])).toBe(
      '.spec.containers[name="nginx"].image',
    );
    expect(pathString([f('metadata'), f('finalizers'), valueElement('x')])).toBe('.metadata.finalizers[="x"]');
    expect(pathString([f('spec'), f('ports'), keyElement({ port: 80, protocol: 'TCP' })])).toBe(
      '.spec.ports[port=80,protocol="TCP"]',
    );
  });
});
