// The Applier with the real promtool and amtool: a good rule file goes live, a broken edit is
// refused with promtool's message while the previous file stays, a deleted object's file goes,
// and one bad AlertmanagerConfig does not keep the others out.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Applier } from './apply.js';
import { realTools } from './tools.js';

const good = 'groups:\n- name: g\n  rules:\n  - alert: Up\n    expr: up == 0\n';
const broken = 'groups:\n- name: g\n  rules:\n  - alert: Up\n    expr: up == (\n';

describe('Applier', () => {
  const dirs: string[] = [];
  const applier = (): { a: Applier; dir: string } => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-apply-'));
    dirs.push(dir);
    return {
      a: new Applier(
        {
          rulesDir: join(dir, 'rules'),
          prometheusConfigFile: join(dir, 'prometheus.yml'),
          alertmanagerConfigFile: join(dir, 'am.yml'),
        },
        realTools(),
      ),
      dir,
    };
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps the last good rule file when an edit does not parse, and says why', async () => {
    const { a, dir } = applier();
    expect((await a.applyRules([{ key: 'ns/r', file: 'ns-r.yaml', text: good }])).get('ns/r')).toEqual({
      accepted: true,
      message: '',
    });
    const v = (await a.applyRules([{ key: 'ns/r', file: 'ns-r.yaml', text: broken }])).get('ns/r');
    expect(v?.accepted).toBe(false);
    expect(v?.message).toBe(
      '5:11: group "g", rule 1, "Up": could not parse expression: 1:8: parse error: unclosed left parenthesis',
    );
    expect(readFileSync(join(dir, 'rules', 'ns-r.yaml'), 'utf8')).toBe(good);
    await a.applyRules([]);
    expect(readdirSync(join(dir, 'rules'))).toEqual([]);
  });

  it('leaves a rejected AlertmanagerConfig out and applies the others', async () => {
    const { a, dir } = applier();
    const configs: Record<string, unknown> = {
      'a/ok': { name: 'a/ok', webhook_configs: [{ url: 'http://127.0.0.1:1/x' }] },
      'b/bad': { name: 'b/bad', webhook_configs: [{ url: 'not a url' }] },
    };
    const render = (keys: readonly string[]): Record<string, unknown> => ({
      route: { receiver: 'null' },
      receivers: [{ name: 'null' }, ...keys.map((k) => configs[k])],
    });
    const verdicts = await a.applyAlertmanager(['a/ok', 'b/bad'], render);
    expect(verdicts.get('a/ok')?.accepted).toBe(true);
    expect(verdicts.get('b/bad')).toEqual({ accepted: false, message: 'unsupported scheme "" for URL' });
    const live = readFileSync(join(dir, 'am.yml'), 'utf8');
    expect(live).toContain('a/ok');
    expect(live).not.toContain('b/bad');
  });
});
