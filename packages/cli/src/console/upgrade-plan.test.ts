import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KUBERNETES_MINORS } from '@wharf/apiserver';
import { clusterOf, upgradeTargets } from './upgrade-plan.js';

describe("the Cluster page's upgrade plan", () => {
  it('offers the latest patch of the running minor and the next minor, never a skip or a downgrade', () => {
    const [first = '', second = '', third = ''] = Object.keys(KUBERNETES_MINORS);
    const latest = (m: string): string => `${m}.${KUBERNETES_MINORS[m] ?? 0}`;
    expect(upgradeTargets(`${first}.0`)).toEqual([latest(first), latest(second)]);
    expect(upgradeTargets(latest(first))).toEqual([latest(second)]);
    expect(upgradeTargets(latest(second))).toEqual(third ? [latest(third)] : []);
    expect(upgradeTargets(latest(Object.keys(KUBERNETES_MINORS).at(-1) ?? ''))).toEqual([]);
  });

  it('finds the wharf cluster whose record names this data dir, and none for a plain wharf up', () => {
    const state = mkdtempSync(join(tmpdir(), 'wharf-state-'));
    try {
      mkdirSync(join(state, 'prod'));
      writeFileSync(
        join(state, 'prod', 'cluster.json'),
        JSON.stringify({ spec: { name: 'prod', dataDir: join(state, 'prod', 'data') } }),
      );
      mkdirSync(join(state, 'stray'));
      expect(clusterOf(join(state, 'prod', 'data/'), state)).toBe('prod');
      expect(clusterOf('/var/lib/other', state)).toBeUndefined();
      expect(clusterOf('/var/lib/other', join(state, 'missing'))).toBeUndefined();
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});
