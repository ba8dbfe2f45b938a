import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ANNOTATIONS, type ConfigSet } from '../types.js';
import { reconcileConfigSet, type ConfigSetAction } from './reconcile.js';

const NOW = '2026-12-05T10:00:00Z';
const cs = (data: Record<string, string>, extra: Partial<ConfigSet> = {}): ConfigSet => ({
  apiVersion: 'platform.wharf.dev/v1alpha1',
  kind: 'ConfigSet',
  metadata: {
    name: 'shop-settings',
    namespace: 'demo',
    uid: 'u1',
    generation: 1,
    annotations: { [ANNOTATIONS.changeAuthor]: 'alice', [ANNOTATIONS.changeMessage]: 'say hello' },
  },
  spec: { data },
  ...extra,
});
const created = (actions: ConfigSetAction[]): V1ConfigMap[] =>
  actions.flatMap((a) => (a.type === 'createConfigMap' ? [a.configMap] : []));
const status = (actions: ConfigSetAction[]) => actions.flatMap((a) => (a.type === 'status' ? [a.status] : []))[0];

/** Runs the reconcile as the runner would: what it creates is in the cache next time. */
function publish(
  c: ConfigSet,
  cms: V1ConfigMap[],
  pinned: string[] = [],
): { actions: ConfigSetAction[]; cms: V1ConfigMap[]; cs: ConfigSet } {
  const actions = reconcileConfigSet(c, { configMaps: cms, pinned: new Set(pinned), now: NOW });
  const deleted = new Set(actions.flatMap((a) => (a.type === 'deleteConfigMap' ? [a.name] : [])));
  const next = [...cms.filter((m) => !deleted.has(m.metadata?.name ?? '')), ...created(actions)];
  return { actions, cms: next, cs: { ...c, status: status(actions) ?? c.status } };
}

describe('reconcileConfigSet', () => {
  it('publishes the first version as an immutable ConfigMap NAME-v1 with author, time and message', () => {
    const { actions } = publish(cs({ GREETING: 'hello' }), []);
    const [cm] = created(actions);
    expect(cm?.metadata?.name).toBe('shop-settings-v1');
    expect(cm?.immutable).toBe(true);
    expect(cm?.data).toEqual({ GREETING: 'hello' });
    expect(cm?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ConfigSet', name: 'shop-settings', uid: 'u1' });
    expect(status(actions)).toMatchObject({
      version: 1,
      configMap: 'shop-settings-v1',
      history: [{ version: 1, author: 'alice', message: 'say hello', time: NOW, keys: ['GREETING'] }],
    });
  });

  it('publishes a new version only when the data changes, newest first in history', () => {
    let s = publish(cs({ GREETING: 'hello' }), []);
    s = publish({ ...s.cs, metadata: { ...s.cs.metadata, generation: 2 } }, s.cms);
    expect(created(s.actions)).toEqual([]);
    s = publish({ ...s.cs, spec: { data: { GREETING: 'hi' } } }, s.cms);
    expect(created(s.actions).map((c) => c.metadata?.name)).toEqual(['shop-settings-v2']);
    expect(s.cs.status?.version).toBe(2);
    expect(s.cs.status?.history?.map((h) => h.version)).toEqual([2, 1]);
  });

  it('publishes again when data returns to an older value (a rollback is a new version)', () => {
    let s = publish(cs({ A: '1' }), []);
    s = publish({ ...s.cs, spec: { data: { A: '2' } } }, s.cms);
    s = publish({ ...s.cs, spec: { data: { A: '1' } } }, s.cms);
    expect(s.cs.status?.version).toBe(3);
  });

  it('waits for its own last publish to reach the cache instead of publishing twice', () => {
    const s = publish(cs({ A: '1' }), []);
    expect(reconcileConfigSet(s.cs, { configMaps: [], pinned: new Set(), now: NOW })).toEqual([]);
  });

  it('rebuilds a lost status from the version ConfigMaps', () => {
    const s = publish(cs({ A: '1' }), []);
    const again = reconcileConfigSet(
      { ...s.cs, status: undefined },
      { configMaps: s.cms, pinned: new Set(), now: NOW },
    );
    expect(created(again)).toEqual([]);
    expect(status(again)).toMatchObject({ version: 1, history: [{ version: 1, author: 'alice' }] });
  });

  it('prunes versions beyond historyLimit unless a kept revision pins them', () => {
    let s = publish(cs({ A: '0' }, { spec: { data: { A: '0' }, historyLimit: 2 } }), []);
    for (let i = 1; i <= 3; i++)
      s = publish({ ...s.cs, spec: { ...s.cs.spec, data: { A: String(i) } } }, s.cms, ['shop-settings-v1']);
    expect(s.cms.map((c) => c.metadata?.name).sort()).toEqual([
      'shop-settings-v1',
      'shop-settings-v3',
      'shop-settings-v4',
    ]);
    expect(s.cs.status?.history?.map((h) => h.version)).toEqual([4, 3, 1]);
  });

  it('writes no status when nothing changed', () => {
    const s = publish(cs({ A: '1' }), []);
    expect(reconcileConfigSet(s.cs, { configMaps: s.cms, pinned: new Set(), now: '2026-12-05T11:00:00Z' })).toEqual([]);
  });
});
