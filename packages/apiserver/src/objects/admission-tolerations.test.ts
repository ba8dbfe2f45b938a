import { describe, expect, it } from 'vitest';
import { ResourceRegistry, type Served } from '../registry.js';
import { SqliteStore } from '../storage/index.js';
import { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { defaultTolerationSeconds } from './admission-tolerations.js';

function setup(seconds?: number) {
  const registry = new ResourceRegistry();
  const api = new ObjectApi({
    store: new SqliteStore({ path: ':memory:' }),
    registry,
    admission: [defaultTolerationSeconds(seconds)],
  });
  const pods = registry.lookup('', 'v1', 'pods') as Served;
  return async (name: string, tolerations?: unknown[]) =>
    (
      await api.create(
        pods,
        'default',
        {
          metadata: { name },
          spec: { containers: [{ name: 'c', image: 'nginx' }], ...(tolerations ? { tolerations } : {}) },
        },
        internalContext(),
      )
    ).spec as { tolerations: unknown[] };
}

describe('DefaultTolerationSeconds', () => {
  it('adds not-ready and unreachable NoExecute tolerations of 300 s by default', async () => {
    expect((await setup()('p')).tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });

  it('uses the configured seconds and keeps what the pod already tolerates', async () => {
    const pod = setup(5);
    const own = {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 60,
    };
    expect((await pod('p', [own])).tolerations).toEqual([
      own,
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
    ]);
    // An empty key with operator Exists tolerates every taint: nothing to add.
    expect((await pod('q', [{ operator: 'Exists' }])).tolerations).toEqual([{ operator: 'Exists' }]);
  });
});
