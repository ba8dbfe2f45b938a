import { describe, expect, it } from 'vitest';
import { elementType, fieldsOf, isListType, isObjectType } from '@wharf/api';
import { MERGE_KEYS, mergeStrategyOf } from './mergekeys.js';

describe('mergeStrategyOf', () => {
  it('knows the merge keys kubectl relies on', () => {
    expect(mergeStrategyOf('V1PodSpec', 'containers')).toEqual({ strategy: 'merge', key: 'name' });
    expect(mergeStrategyOf('V1Container', 'ports')).toEqual({ strategy: 'merge', key: 'containerPort' });
    expect(mergeStrategyOf('V1ServiceSpec', 'ports')).toEqual({ strategy: 'merge', key: 'port' });
    expect(mergeStrategyOf('V1PodSpec', 'volumes')).toEqual({ strategy: 'merge,retainKeys', key: 'name' });
    expect(mergeStrategyOf('V1DeploymentSpec', 'strategy')).toEqual({ strategy: 'retainKeys' });
    expect(mergeStrategyOf('V1ObjectMeta', 'finalizers')).toEqual({ strategy: 'merge' });
    expect(mergeStrategyOf('V1NodeStatus', 'addresses')).toEqual({ strategy: 'merge', key: 'type' });
  });

  it('has no strategy for lists that are replaced whole', () => {
    for (const [type, field] of [
      ['V1Container', 'args'],
      ['V1Container', 'command'],
      ['V1Container', 'envFrom'],
      ['V1PodSpec', 'tolerations'],
      ['V1NodeSpec', 'taints'],
    ] as const) {
      expect(mergeStrategyOf(type, field)).toBeUndefined();
    }
  });

  it('every entry names a real field of the generated schema, with a key field on its elements', () => {
    for (const [name, s] of Object.entries(MERGE_KEYS)) {
      const [typeName = '', field = ''] = name.split('.');
      const fields = fieldsOf(typeName);
      if (!fields) continue; // kinds Wharf does not serve (e.g. ComponentStatus)
      const type = fields[field];
      expect(type, name).toBeDefined();
      if (s.strategy === 'retainKeys') {
        expect(isObjectType(type ?? ''), name).toBe(true);
        continue;
      }
      expect(isListType(type ?? ''), name).toBe(true);
      const element = elementType(type ?? '');
      if (s.key === undefined) expect(isObjectType(element), name).toBe(false);
      else expect(fieldsOf(element)?.[s.key], `${name} key ${s.key}`).toBeDefined();
    }
  });
});
