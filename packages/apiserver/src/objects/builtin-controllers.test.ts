// The API server's namespace, CRD and quota controllers on a real (in-memory SQLite) store: each
// finishes its work from store events alone (no periodic rescan), including when the last thing
// holding it up goes away long after the first pass.
import { eventually } from '@wharf/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceRegistry, type Served } from '../registry.js';
import { SqliteStore } from '../storage/index.js';
import { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { CrdController } from './crds.js';
import { deleteObject } from './delete.js';
import { NamespaceController } from './namespaces.js';
import { ResourceQuotaController } from './quota-controller.js';

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

function setup() {
  const store = new SqliteStore({ path: ':memory:' });
  const registry = new ResourceRegistry();
  const api = new ObjectApi({ store, registry, admission: [] });
  const served = (r: string, g = '', v = 'v1'): Served => {
    const s = registry.lookup(g, v, r);
    if (!s) throw new Error(`not served: ${g}/${v}/${r}`);
    return s;
  };
  stops.push(() => store.close());
  return { store, api, served, ctx: internalContext() };
}

function started<T extends { start(): void; stop(): void }>(c: T): T {
  c.start();
  stops.push(() => c.stop());
  return c;
}

describe('NamespaceController', () => {
  it('finalizes a namespace once the last object held by a finalizer is released', async () => {
    const { api, served, ctx } = setup();
    started(new NamespaceController(api));
    await api.create(served('namespaces'), '', { metadata: { name: 'team' } }, ctx);
    await api.create(served('configmaps'), 'team', { metadata: { name: 'plain' } }, ctx);
    await api.create(
      served('configmaps'),
      'team',
      { metadata: { name: 'held', finalizers: ['example.com/hold'] } },
      ctx,
    );
    await deleteObject(api, served('namespaces'), '', 'team', {}, ctx);

    await eventually(
      () => api.tryGet(served('configmaps'), 'team', 'plain') === undefined || undefined,
      5_000,
      'plain configmap deleted',
    );
    const held = api.get(served('configmaps'), 'team', 'held');
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(api.get(served('namespaces'), '', 'team').status).toMatchObject({ phase: 'Terminating' });

    // Releasing the finalizer deletes the object; that event alone lets the namespace go.
    await api.update(
      served('configmaps'),
      'team',
      'held',
      { ...held, metadata: { ...held.metadata, finalizers: [] } },
      ctx,
    );
    await eventually(
      () => api.tryGet(served('namespaces'), '', 'team') === undefined || undefined,
      5_000,
      'namespace gone',
    );
  });
});

describe('CrdController', () => {
  const crd = {
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };

  it('establishes a CRD, and removes it once its last custom resource is released', async () => {
    const { api, served, ctx } = setup();
    started(new CrdController(api));
    const crds = served('customresourcedefinitions', 'apiextensions.k8s.io');
    await api.create(crds, '', crd, ctx);
    const widgets = await eventually(
      () => api.registry.lookup('example.com', 'v1', 'widgets'),
      5_000,
      'widgets served',
    );
    await api.create(widgets, 'd', { metadata: { name: 'w1', finalizers: ['example.com/hold'] } }, ctx);

    await deleteObject(api, crds, '', crd.metadata.name, {}, ctx);
    await eventually(() => api.get(widgets, 'd', 'w1').metadata.deletionTimestamp, 5_000, 'widget being deleted');
    expect(api.tryGet(crds, '', crd.metadata.name)).toBeDefined();

    const w1 = api.get(widgets, 'd', 'w1');
    await api.update(widgets, 'd', 'w1', { ...w1, metadata: { ...w1.metadata, finalizers: [] } }, ctx);
    await eventually(() => api.tryGet(crds, '', crd.metadata.name) === undefined || undefined, 5_000, 'CRD gone');
    expect(api.registry.lookup('example.com', 'v1', 'widgets')).toBeUndefined();
  });
});

describe('ResourceQuotaController', () => {
  it('stops counting a terminating pod when its grace period runs out, without a resync', async () => {
    const { api, served, ctx } = setup();
    started(new ResourceQuotaController(api, { debounceMs: 10 }));
    await api.create(served('resourcequotas'), 'ns', { metadata: { name: 'q' }, spec: { hard: { pods: '5' } } }, ctx);
    await api.create(
      served('pods'),
      'ns',
      {
        metadata: { name: 'p' },
        spec: { nodeName: 'n1', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox' }] },
      },
      ctx,
    );
    const used = (): unknown =>
      (api.get(served('resourcequotas'), 'ns', 'q').status as { used?: { pods?: string } } | undefined)?.used?.pods;
    await eventually(() => used() === '1' || undefined, 5_000, 'pod counted');

    // A bound pod is only marked for deletion; it counts until its grace period has passed.
    await deleteObject(api, served('pods'), 'ns', 'p', {}, ctx);
    expect(api.get(served('pods'), 'ns', 'p').metadata.deletionGracePeriodSeconds).toBe(1);
    await eventually(() => used() === '0' || undefined, 5_000, 'pod no longer counted');
  });
});
