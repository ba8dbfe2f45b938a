// The default rules under the real `promtool test rules` (Debian's promtool): every alert has a
// case in default-rules.tests.yaml, and all cases pass against the rule file the operator writes.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ruleFileText } from '../operator/render-rules.js';
import { DEFAULT_RULE_GROUPS, defaultRules } from './default-rules.js';

const TESTS = fileURLToPath(new URL('./default-rules.tests.yaml', import.meta.url));

describe('default PrometheusRule', () => {
  it('passes promtool test rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-rules-'));
    try {
      writeFileSync(join(dir, 'default-rules.yaml'), ruleFileText(defaultRules()));
      copyFileSync(TESTS, join(dir, 'tests.yaml'));
      const out = execFileSync('promtool', ['test', 'rules', join(dir, 'tests.yaml')], { encoding: 'utf8' });
      expect(out).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a promtool case for every alert', () => {
    const tested = new Set(
      (parse(readFileSync(TESTS, 'utf8')) as { tests: { alert_rule_test?: { alertname: string }[] }[] }).tests.flatMap(
        (t) => (t.alert_rule_test ?? []).map((a) => a.alertname),
      ),
    );
    const alerts = DEFAULT_RULE_GROUPS.flatMap((g) => g.rules.map((r) => r.alert ?? ''));
    expect(alerts.filter((a) => !tested.has(a))).toEqual([]);
    expect(alerts).toEqual(
      expect.arrayContaining(['KubePodCrashLooping', 'KubeNodeNotReady', 'TargetDown', 'Watchdog', 'KubeJobFailed']),
    );
  });

  it('shortens every `for` when asked, for demos and tests', () => {
    const rules = defaultRules({ forOverride: '30s' }).spec.groups?.flatMap((g) => g.rules) ?? [];
    expect(rules.find((r) => r.alert === 'KubePodCrashLooping')?.for).toBe('30s');
    expect(rules.find((r) => r.alert === 'Watchdog')?.for).toBeUndefined();
  });
});
