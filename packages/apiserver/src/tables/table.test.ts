import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject, ResourceInfo } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { toTable } from './table.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const CONFIGMAPS = BUILTIN_RESOURCES.find((r) => r.resource === 'configmaps') as ResourceInfo;
const cm: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'settings',
    namespace: 'shop',
    uid: 'u-1',
    resourceVersion: '42',
    creationTimestamp: '2024-05-01T11:59:15Z',
  },
  data: { mode: 'fast' },
};

describe('toTable', () => {
  it('is a meta.k8s.io/v1 Table with list metadata and full column definitions', () => {
    const t = toTable(CONFIGMAPS, [cm], { now: NOW, resourceVersion: '99', continue: 'tok', remainingItemCount: 3 });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata).toEqual({ resourceVersion: '99', continue: 'tok', remainingItemCount: 3 });
    expect(t.columnDefinitions[1]).toEqual({
      name: 'Data',
      type: 'string',
      format: '',
      description: expect.stringMatching(/^Data contains/),
      priority: 0,
    });
    expect(t.rows[0]?.cells).toEqual(['settings', 1, '45s']);
  });

  it('attaches PartialObjectMetadata by default', () => {
    const t = toTable(CONFIGMAPS, [cm], { now: NOW });
    expect(t.metadata).toEqual({});
    expect(t.rows[0]?.object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: cm.metadata,
    });
  });

  it('attaches the whole object for includeObject=Object and nothing for None', () => {
    expect(toTable(CONFIGMAPS, [cm], { now: NOW, includeObject: 'Object' }).rows[0]?.object).toBe(cm);
    expect(toTable(CONFIGMAPS, [cm], { now: NOW, includeObject: 'None' }).rows[0]).toEqual({
      cells: ['settings', 1, '45s'],
    });
  });

  it('omits column definitions for watch events after the first', () => {
    const t = toTable(CONFIGMAPS, [cm], { now: NOW, omitColumnDefinitions: true });
    expect(t.columnDefinitions).toEqual([]);
    expect(t.rows).toHaveLength(1);
  });

  it('prints <unknown> age without a creation timestamp', () => {
    expect(toTable(CONFIGMAPS, [{ metadata: { name: 'a' } }], { now: NOW }).rows[0]?.cells).toEqual([
      'a',
      0,
      '<unknown>',
    ]);
  });

  it('does not share column definition objects between tables', () => {
    const a = toTable(CONFIGMAPS, [], { now: NOW });
    const first = a.columnDefinitions[0];
    if (first !== undefined) first.name = 'changed';
    expect(toTable(CONFIGMAPS, [], { now: NOW }).columnDefinitions[0]?.name).toBe('Name');
  });
});
