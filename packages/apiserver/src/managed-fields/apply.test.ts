import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@wharf/api';
import { apply, ApplyConflictError, LAST_APPLIED, UndeclaredFieldError } from './apply.js';
import { encodeManagedFields, recordUpdate, type WriteInfo } from './managers.js';
import { FieldSet } from './fieldset.js';
import { builtinShape } from './shape.js';

const write = (manager: string, now = '2026-01-01T00:00:00Z'): WriteInfo => ({
  manager,
  apiVersion: 'apps/v1',
  subresource: '',
  now,
  shape: builtinShape('V1Deployment'),
  ignored: FieldSet.of([['f:status']]),
});

const deploy = (replicas: number, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } },
    ...extra,
  },
});

function applied(live: KubeObject | undefined, config: KubeObject, manager: string, force = false): KubeObject {
  const r = apply({ live, config, force, write: write(manager) });
  return { ...r.object, metadata: { ...r.object.metadata, managedFields: encodeManagedFields(r.managed) } };
}

describe('apply', () => {
  it('records the applier as upstream does (the docs example shape)', () => {
    const obj = applied(undefined, deploy(1), 'a');
    expect(obj.metadata?.managedFields).toEqual([
      {
        manager: 'a',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2026-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
            },
          },
        },
      },
    ]);
  });

  it('conflicts on a field another applier owns with another value, naming manager and path', () => {
    const live = applied(undefined, deploy(1), 'a');
    expect(() => apply({ live, config: deploy(2), force: false, write: write('b') })).toThrow(ApplyConflictError);
    expect(() => apply({ live, config: deploy(2), force: false, write: write('b') })).toThrow(
      'Apply failed with 1 conflict: conflict with "a": .spec.replicas',
    );
  });

  it('names Update managers with their apiVersion, and counts conflicts', () => {
    const live = applied(undefined, deploy(1), 'a');
    const edited = { ...deploy(5), metadata: { ...live.metadata } };
    const managed = recordUpdate(live, edited, write('kubectl-edit'));
    const withEdit = { ...edited, metadata: { ...edited.metadata, managedFields: encodeManagedFields(managed) } };
    const config = deploy(2);
    (config.spec as Record<string, unknown>).minReadySeconds = 1;
    (
      (
        (config.spec as Record<string, Record<string, Record<string, unknown[]>>>).template as Record<
          string,
          Record<string, unknown[]>
        >
      ).spec as Record<string, unknown[]>
    ).containers = [{ name: 'nginx', image: 'nginx:2' }];
    expect(() => apply({ live: withEdit, config, force: false, write: write('b') })).toThrow(
      'Apply failed with 2 conflicts: conflicts with "a":\n- .spec.template.spec.containers[name="nginx"].image\nconflicts with "kubectl-edit" using apps/v1:\n- .spec.replicas',
    );
  });

  it('shares a field applied with the same value; force takes it', () => {
    const live = applied(undefined, deploy(1), 'a');
    const shared = applied(live, deploy(1), 'b');
    expect((shared.metadata?.managedFields ?? []).map((e) => (e as { manager: string }).manager).sort()).toEqual([
      'a',
      'b',
    ]);
    const forced = applied(shared, deploy(3), 'b', true);
    expect((forced.spec as { replicas: number }).replicas).toBe(3);
    const a = (
      forced.metadata?.managedFields as { manager: string; fieldsV1: { 'f:spec': Record<string, unknown> } }[]
    ).find((e) => e.manager === 'a');
    expect(a?.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
  });

  it('removes a field the applier stopped sending unless another manager owns it', () => {
    const live = applied(undefined, deploy(1, { minReadySeconds: 5, paused: true }), 'a');
    const other = applied(
      live,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { paused: true } },
      'b',
    );
    const after = applied(other, deploy(1), 'a');
    expect((after.spec as Record<string, unknown>).minReadySeconds).toBeUndefined();
    expect((after.spec as Record<string, unknown>).paused).toBe(true);
  });

  it('lets kubectl take fields client-side apply set (last-applied upgrade) and keeps the annotation in step', () => {
    const csa = deploy(1);
    csa.metadata = { ...csa.metadata, annotations: { [LAST_APPLIED]: JSON.stringify(deploy(1)) } };
    const managed = recordUpdate(undefined, csa, write('kubectl-client-side-apply'), {});
    const live = { ...csa, metadata: { ...csa.metadata, managedFields: encodeManagedFields(managed) } };
    expect(() => apply({ live, config: deploy(4), force: false, write: write('other') })).toThrow(
      /conflict with "kubectl-client-side-apply" using apps\/v1/,
    );
    const r = apply({ live, config: deploy(4), force: false, write: write('kubectl') });
    expect((r.object.spec as { replicas: number }).replicas).toBe(4);
    expect(JSON.parse(r.object.metadata?.annotations?.[LAST_APPLIED] ?? '{}').spec.replicas).toBe(4);
  });
});

describe('apply of fields the schema does not declare', () => {
  it('is refused, naming the first such field', () => {
    const config = deploy(1, { replicaz: 2 });
    expect(() => apply({ live: undefined, config, force: false, write: write('a') })).toThrow(UndeclaredFieldError);
    expect(() => apply({ live: undefined, config, force: false, write: write('a') })).toThrow(
      '.spec.replicaz: field not declared in schema',
    );
  });

  it('allows any key of a map and any field under an untyped (RawExtension-like) node', () => {
    const config = deploy(1);
    (config.metadata as Record<string, unknown>).labels = { anything: 'goes' };
    expect(() => apply({ live: undefined, config, force: false, write: write('a') })).not.toThrow();
  });
});
