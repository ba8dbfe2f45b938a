import type { V1Namespace } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { LABELS, type ConfigSet } from '../types.js';
import { reconcileSharing } from './sharing.js';

const ns = (name: string, labels: Record<string, string> = {}): V1Namespace => ({ metadata: { name, labels } });
const source: ConfigSet = {
  metadata: { name: 'company', namespace: 'wharf-platform' },
  spec: { data: { PROXY: 'http://proxy:3128' }, shareWith: { namespaceSelector: { matchLabels: { team: 'shop' } } } },
  status: {
    version: 2,
    history: [{ version: 2, configMap: 'company-v2', time: 't', hash: 'h', keys: ['PROXY'], message: 'new proxy' }],
  },
};
const copy = (namespace: string, data: Record<string, string>, shared = true): ConfigSet => ({
  metadata: {
    name: 'company',
    namespace,
    resourceVersion: '7',
    labels: shared ? { [LABELS.sharedFrom]: 'wharf-platform.company' } : {},
  },
  spec: { data },
});

describe('reconcileSharing', () => {
  const namespaces = [
    ns('wharf-platform', { team: 'shop' }),
    ns('shop-dev', { team: 'shop' }),
    ns('shop-prod', { team: 'shop' }),
    ns('other'),
    ns('mine', { team: 'shop' }),
    ns('left'),
  ];

  it('copies the published data into matching namespaces, never over a ConfigSet the namespace owns, and removes copies that stop matching', () => {
    const actions = reconcileSharing('company', source, namespaces, [
      copy('shop-prod', { PROXY: 'old' }),
      copy('mine', { X: '1' }, false),
      copy('left', { PROXY: 'old' }),
    ]);
    expect(actions.map((a) => [a.type, a.namespace])).toEqual([
      ['put', 'shop-dev'],
      ['put', 'shop-prod'],
      ['conflict', 'mine'],
      ['delete', 'left'],
    ]);
    const put = actions[1];
    expect(put?.type === 'put' && put.configSet).toMatchObject({
      metadata: {
        namespace: 'shop-prod',
        resourceVersion: '7',
        annotations: { 'platform.wharf.dev/change-message': 'shared from wharf-platform/company v2: new proxy' },
      },
      spec: { data: { PROXY: 'http://proxy:3128' } },
    });
  });

  it('writes nothing when the copies are current, and removes them all when the source goes', () => {
    const current = reconcileSharing('company', source, namespaces, [
      copy('shop-dev', source.spec.data!),
      copy('shop-prod', source.spec.data!),
      copy('mine', source.spec.data!),
    ]);
    expect(current).toEqual([]);
    expect(reconcileSharing('company', undefined, namespaces, [copy('shop-dev', {}), copy('mine', {}, false)])).toEqual(
      [{ type: 'delete', namespace: 'shop-dev', name: 'company' }],
    );
  });
});
