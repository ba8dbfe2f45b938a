import { describe, expect, it } from 'vitest';
import { editedData, impactOf, publishedVersion, readersOf } from './configsets.js';
import type { Application, ConfigSet } from './platform.js';

const app = (name: string, config: NonNullable<Application['spec']['components'][number]['config']>): Application => ({
  metadata: { name },
  spec: { components: [{ name: 'web', runtime: { image: 'busybox:1' }, config }] },
});
const cs: ConfigSet = { metadata: { name: 'shop-settings', resourceVersion: '7' }, spec: { data: { A: '1', B: '2' } } };

describe("the Configuration page's edit of a ConfigSet", () => {
  it('sets or removes one key and leaves the others', () => {
    expect(editedData(cs, { key: 'A', value: 'x' })).toEqual({ A: 'x', B: '2' });
    expect(editedData(cs, { key: 'B', value: null })).toEqual({ A: '1' });
    expect(cs.spec.data).toEqual({ A: '1', B: '2' });
  });
  it('previews the effect as `wharf config set --dry-run`: rollout pins every version, inPlace only when it reads a changed key, manual waits', () => {
    const apps = [
      app('shop', [{ configSet: 'shop-settings', as: 'env' }]),
      app('site', [{ configSet: 'shop-settings', as: 'file', mountPath: '/etc/site', update: 'inPlace', keys: ['B'] }]),
      app('batch', [{ configSet: 'shop-settings', as: 'env', update: 'manual', keys: ['A'] }]),
      app('other', [{ configSet: 'other', as: 'env' }]),
    ];
    const impact = impactOf('shop-settings', [{ key: 'A', change: 'removed', before: '1' }], apps);
    expect(impact.map((e) => [e.application, e.effect, e.why, e.reads, e.keys.join(), e.missing.join()])).toEqual([
      ['shop', 'rollout', 'rollout', 'env', 'A', ''],
      ['site', 'nothing', 'inPlaceNone', 'file /etc/site', '', ''],
      ['batch', 'nothing', 'manual', 'env', 'A', 'A'],
    ]);
    expect(readersOf('shop-settings', apps)).toEqual(['batch', 'shop', 'site']);
  });
  it('counts a version as published only once the controller has observed the write', () => {
    const at = (version: number, observedGeneration: number): ConfigSet => ({
      ...cs,
      status: { version, observedGeneration },
    });
    expect(publishedVersion(at(2, 2), 2, 3)).toBeUndefined();
    expect(publishedVersion(at(2, 3), 2, 3)).toBeUndefined();
    expect(publishedVersion(at(3, 3), 2, 3)).toBe(3);
  });
});
