import { describe, expect, it } from 'vitest';
import type { Application, ConfigRef } from '@wharf/platform-apps';
import { changesBetween } from './diff.js';
import { impactOf, renderImpact } from './impact.js';

const app = (name: string, ...config: ConfigRef[]): Application => ({
  metadata: { name },
  spec: { components: [{ name: 'web', runtime: { image: 'a' }, config }] },
});
const apps = [
  app(
    'shop',
    { configSet: 'settings', as: 'env' },
    { configSet: 'settings', as: 'file', mountPath: '/www/conf', update: 'inPlace' },
  ),
  app('admin', { configSet: 'settings', as: 'args', keys: ['PORT'] }),
  app('batch', { configSet: 'settings', as: 'env', update: 'manual', keys: ['GREETING'] }),
  app('other', { configSet: 'elsewhere', as: 'env' }),
];

describe('impactOf', () => {
  it('says who reads which changed key, how, and what happens', () => {
    const changes = changesBetween(
      { data: { GREETING: 'hello', PORT: '80' } },
      { data: { GREETING: 'hi', PORT: '80' } },
    );
    const got = impactOf('settings', changes, apps);
    expect(got.map((e) => [e.application, e.reads, e.keys.join(','), e.effect])).toEqual([
      ['shop', 'env', 'GREETING', 'rollout'],
      ['shop', 'file /www/conf', 'GREETING', 'inPlace'],
      ['admin', 'args', '', 'rollout'],
      ['batch', 'env', 'GREETING', 'nothing'],
    ]);
    expect(got[2]?.note).toContain('reads none of the changed keys, but pins every version');
    expect(got[3]?.note).toContain('update: manual');
  });

  it('warns when a removed key is one a component lists', () => {
    const changes = changesBetween({ data: { GREETING: 'hello', PORT: '80' } }, { data: { GREETING: 'hello' } });
    const got = impactOf('settings', changes, apps);
    expect(got.find((e) => e.application === 'admin')?.problem).toBe(
      'reads removed key PORT: the application will report ConfigKeyNotFound and not roll out',
    );
    expect(renderImpact('settings', 'demo', got)).toContain('warning: admin/web reads removed key PORT');
  });

  it('renders a table, or says nobody reads the ConfigSet', () => {
    const changes = changesBetween({ data: { GREETING: 'hello' } }, { data: { GREETING: 'hi' } });
    const table = renderImpact('settings', 'demo', impactOf('settings', changes, apps)).split('\n');
    expect(table[0]).toMatch(/^APPLICATION\s+COMPONENT\s+READS\s+CHANGED KEYS READ\s+EFFECT\s+WHY$/);
    expect(table[2]).toMatch(
      /^shop\s+web\s+file \/www\/conf\s+GREETING\s+in place\s+files change in the running pods, no restart$/,
    );
    expect(renderImpact('unused', 'demo', impactOf('unused', changes, apps))).toBe(
      'No application in namespace demo reads configset unused: nothing else changes.\n',
    );
  });
});
