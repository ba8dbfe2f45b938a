import { describe, expect, it } from 'vitest';
import { JsonPathError, compileJsonPath } from './jsonpath.js';

const obj = {
  metadata: { name: 'db', labels: { 'app.kubernetes.io/name': 'postgres' } },
  spec: { replicas: 3, tags: ['a', 'b', 'c'] },
  status: {
    conditions: [
      { type: 'Synced', status: 'True' },
      { type: 'Ready', status: 'False', reason: 'Starting' },
    ],
  },
};

const run = (path: string): unknown[] => compileJsonPath(path).evaluate(obj);

describe('compileJsonPath', () => {
  it('follows fields, with or without braces and $', () => {
    expect(run('.spec.replicas')).toEqual([3]);
    expect(run('{.metadata.name}')).toEqual(['db']);
    expect(run('$.metadata.name')).toEqual(['db']);
    expect(run('.')).toEqual([obj]);
  });

  it('yields nothing for missing keys', () => {
    expect(run('.spec.missing.deeper')).toEqual([]);
  });

  it('indexes, slices and wildcards arrays', () => {
    expect(run('.spec.tags[1]')).toEqual(['b']);
    expect(run('.spec.tags[-1]')).toEqual(['c']);
    expect(run('.spec.tags[0:2]')).toEqual(['a', 'b']);
    expect(run('.spec.tags[*]')).toEqual(['a', 'b', 'c']);
    expect(run('.status.conditions[*].type')).toEqual(['Synced', 'Ready']);
  });

  it('filters by equality and existence', () => {
    expect(run('.status.conditions[?(@.type=="Ready")].status')).toEqual(['False']);
    expect(run(".status.conditions[?(@.type == 'Synced')].status")).toEqual(['True']);
    expect(run('.status.conditions[?(@.reason)].type')).toEqual(['Ready']);
    expect(run('.status.conditions[?(@.type!="Ready")].type')).toEqual(['Synced']);
  });

  it('reads keys with dots through quotes or escapes', () => {
    expect(run(".metadata.labels['app.kubernetes.io/name']")).toEqual(['postgres']);
    expect(run('.metadata.labels.app\\.kubernetes\\.io/name')).toEqual(['postgres']);
  });

  it('descends recursively', () => {
    expect(run('..type')).toEqual(['Synced', 'Ready']);
  });

  it('names the expression and position of a syntax error', () => {
    expect(() => compileJsonPath('.spec.tags[')).toThrow(JsonPathError);
    expect(() => compileJsonPath('.status.conditions[?(@.type=="Ready"]')).toThrow(
      /"\.status\.conditions\[\?\(@\.type==\\"Ready\\"\]" at position \d+/,
    );
  });
});
