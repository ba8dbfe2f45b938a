import { describe, expect, it } from 'vitest';
import { previewConfigChange } from './preview.js';
import type { Application, ConfigSet } from './types.js';

const cs: ConfigSet = {
  metadata: { name: 'shop-settings', namespace: 'demo' },
  spec: { data: { GREETING: 'hello', 'site.conf': 'a=1\nb=2\n', OLD: 'x' } },
  status: { version: 3 },
};
const app = (name: string, ns = 'demo'): Application => ({
  metadata: { name, namespace: ns },
  spec: {
    components: [
      {
        name: 'web',
        replicas: 2,
        runtime: { image: 'busybox:1', args: ['--greet=$(GREETING)'] },
        config: [
          { configSet: 'shop-settings', as: 'env' },
          { configSet: 'shop-settings', as: 'file', mountPath: '/etc/shop', update: 'inPlace', keys: ['site.conf'] },
        ],
      },
      {
        name: 'worker',
        runtime: { image: 'busybox:1' },
        config: [{ configSet: 'shop-settings', as: 'env', update: 'manual', keys: ['OLD'] }],
      },
      { name: 'other', runtime: { image: 'busybox:1' }, config: [{ configSet: 'elsewhere', as: 'env' }] },
    ],
  },
});

describe('previewConfigChange', () => {
  const p = previewConfigChange(cs, { GREETING: 'hi', 'site.conf': 'a=1\nb=3\n', NEW: 'y' }, [
    app('shop'),
    app('far', 'prod'),
  ]);

  it('lists the changed keys with a unified diff per key', () => {
    expect(p.version).toBe(4);
    expect(p.changes.map((c) => [c.key, c.change])).toEqual([
      ['GREETING', 'changed'],
      ['NEW', 'added'],
      ['OLD', 'removed'],
      ['site.conf', 'changed'],
    ]);
    expect(p.changes.find((c) => c.key === 'site.conf')?.diff).toContain(
      '--- site.conf (v3)\n+++ site.conf (new)\n@@ -1,2 +1,2 @@\n a=1\n-b=2\n+b=3\n',
    );
  });

  it('says which component reads which key how, and what will happen', () => {
    expect(p.impacts.map((i) => [i.application, i.component, i.key, i.as, i.action])).toEqual([
      ['shop', 'web', 'GREETING', 'args', 'rollout'],
      ['shop', 'web', 'NEW', 'env', 'rollout'],
      ['shop', 'web', 'OLD', 'env', 'rollout'],
      ['shop', 'web', 'site.conf', 'env', 'rollout'],
      ['shop', 'web', 'site.conf', 'file', 'inPlace'],
      ['shop', 'worker', 'OLD', 'env', 'breaks'],
    ]);
    expect(p.impacts.find((i) => i.action === 'inPlace')?.detail).toBe(
      'file /etc/shop/site.conf changes in 2 running pod(s) without a restart',
    );
  });
});
