import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@wharf/api';
import { FieldSet } from './fieldset.js';
import {
  decodeManagedFields,
  encodeManagedFields,
  ignoredFields,
  MAX_UPDATE_MANAGERS,
  recordUpdate,
  type WriteInfo,
} from './managers.js';
import { builtinShape } from './shape.js';
import { zeroObject } from './zero.js';

const write = (manager: string, now = '2026-01-01T00:00:00Z', subresource = ''): WriteInfo => ({
  manager,
  apiVersion: 'v1',
  subresource,
  now,
  shape: builtinShape('V1ConfigMap'),
  ignored: new FieldSet(),
});
const cm = (data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'default', ...(labels ? { labels } : {}) },
  data,
});
const withManaged = (obj: KubeObject, managed: ReturnType<typeof recordUpdate>): KubeObject => ({
  ...obj,
  metadata: { ...obj.metadata, managedFields: encodeManagedFields(managed) },
});

describe('recordUpdate', () => {
  it('gives a create\'s fields to its manager; new maps are members ("." in FieldsV1)', () => {
    const m = recordUpdate(undefined, cm({ a: '1' }), write('kubectl-create'));
    expect(encodeManagedFields(m)).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2026-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } },
      },
    ]);
  });

  it('moves changed fields to the writer, drops removed ones, merges entries of the same manager', () => {
    const live = withManaged(cm({ a: '1', b: '2' }), recordUpdate(undefined, cm({ a: '1', b: '2' }), write('creator')));
    const next = cm({ a: '9' }, { x: 'y' });
    const m = recordUpdate(live, next, write('editor', '2026-01-02T00:00:00Z'));
    const byName = Object.fromEntries(encodeManagedFields(m).map((e) => [e.manager, e.fieldsV1]));
    expect(byName).toEqual({
      creator: { 'f:data': {} },
      editor: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } },
    });
    const again = recordUpdate(
      withManaged(next, m),
      cm({ a: '9', c: '3' }, { x: 'y' }),
      write('editor', '2026-01-03T00:00:00Z'),
    );
    const editor = encodeManagedFields(again).filter((e) => e.manager === 'editor');
    expect(editor).toHaveLength(1);
    expect(editor[0]?.time).toBe('2026-01-03T00:00:00Z');
    expect(editor[0]?.fieldsV1).toEqual({
      'f:data': { 'f:a': {}, 'f:c': {} },
      'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } },
    });
  });

  it('leaves the entries alone when nothing changed (no new time)', () => {
    const live = withManaged(cm({ a: '1' }), recordUpdate(undefined, cm({ a: '1' }), write('creator')));
    expect(encodeManagedFields(recordUpdate(live, cm({ a: '1' }), write('other', '2027-01-01T00:00:00Z')))).toEqual(
      live.metadata?.managedFields,
    );
  });

  it('keeps subresource writes apart, and honours managedFields sent on a main-resource write', () => {
    const live = withManaged(cm({ a: '1' }), recordUpdate(undefined, cm({ a: '1' }), write('creator')));
    const sub = encodeManagedFields(recordUpdate(live, cm({ a: '2' }), write('ctl', undefined, 'status')));
    expect(sub.find((e) => e.manager === 'ctl')?.subresource).toBe('status');
    const reset = {
      ...cm({ a: '1' }),
      metadata: {
        ...cm({}).metadata,
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Apply',
            apiVersion: 'v1',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': { 'f:a': {} } },
          },
        ],
      },
    };
    expect(encodeManagedFields(recordUpdate(live, reset, write('x'))).map((e) => e.manager)).toEqual(['kubectl']);
  });

  it('caps Update entries at ten, folding the oldest into ancient-changes', () => {
    let live: KubeObject = cm({});
    for (let i = 0; i < MAX_UPDATE_MANAGERS + 2; i++) {
      const next = cm({ ...(live.data as Record<string, string>), [`k${i}`]: 'v' });
      live = withManaged(
        next,
        recordUpdate(
          live,
          next,
          write(`m${String(i).padStart(2, '0')}`, `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`),
        ),
      );
    }
    const names = decodeManagedFields(live.metadata?.managedFields).map((e) => e.manager);
    expect(names).toHaveLength(MAX_UPDATE_MANAGERS);
    expect(names).toContain('ancient-changes');
    expect(names).not.toContain('m00');
  });
});

describe('zeroObject and ignoredFields', () => {
  it('holds the non-pointer structs of the Go zero value', () => {
    expect(zeroObject('V1Deployment')).toMatchObject({
      metadata: {},
      spec: { strategy: {}, template: { metadata: {}, spec: { containers: null } } },
      status: {},
    });
  });

  it('ignores status on the main resource and the rest on /status', () => {
    expect(ignoredFields(true, '', undefined).paths()).toEqual([['f:status']]);
    expect(ignoredFields(false, '', undefined).isEmpty()).toBe(true);
    expect(ignoredFields(true, 'status', { spec: {}, status: {} }).paths()).toEqual([['f:spec']]);
  });
});
