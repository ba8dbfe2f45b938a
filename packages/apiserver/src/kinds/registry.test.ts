import { BUILTIN_RESOURCES } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { allStrategies, strategyFor, strategyForResource } from './registry.js';

describe('kind registry', () => {
  it('holds one strategy per group/kind and per group/resource', () => {
    const kinds = allStrategies().map((s) => `${s.group}/${s.kind}`);
    const resources = allStrategies().map((s) => `${s.group}/${s.resource}`);
    expect(kinds.filter((k, i) => kinds.indexOf(k) !== i)).toEqual([]);
    expect(resources.filter((r, i) => resources.indexOf(r) !== i)).toEqual([]);
  });

  it("names each served kind's resource as discovery does, so its table and field labels apply", () => {
    for (const s of allStrategies()) {
      const served = BUILTIN_RESOURCES.find((r) => r.group === s.group && r.kind === s.kind);
      if (served) expect(`${s.group}/${s.kind} → ${s.resource}`).toBe(`${s.group}/${s.kind} → ${served.resource}`);
    }
  });

  it('finds the Pod by kind and by resource, and nothing for custom kinds', () => {
    expect(strategyFor('', 'Pod')).toBe(strategyForResource('', 'pods'));
    expect(strategyFor('', 'Pod')?.gracePeriod).toBeDefined();
    expect(strategyFor('example.com', 'Widget')).toBeUndefined();
    expect(strategyForResource('apps', 'widgets')).toBeUndefined();
  });
});
