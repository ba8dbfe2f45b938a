import { describe, expect, it } from 'vitest';
import { ResourceRegistry, type Served } from '../registry.js';
import { SqliteStore } from '../storage/index.js';
import { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { serviceAccountTokenAdmission } from './admission-serviceaccount.js';

interface PodSpec {
  serviceAccountName?: string;
  volumes?: { name: string; projected?: { sources: unknown[] } }[];
  containers: { volumeMounts?: unknown[] }[];
  imagePullSecrets?: unknown[];
}

function setup() {
  const store = new SqliteStore({ path: ':memory:' });
  const registry = new ResourceRegistry();
  const api = new ObjectApi({
    store,
    registry,
    admission: [serviceAccountTokenAdmission(store, { suffix: () => 'abcde' })],
  });
  const served = (r: string): Served => registry.lookup('', 'v1', r) as Served;
  const sa = (body: Record<string, unknown>) =>
    api.create(served('serviceaccounts'), 'default', body, internalContext());
  const pod = async (name: string, spec: Record<string, unknown> = {}) =>
    (
      await api.create(
        served('pods'),
        'default',
        { metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } },
        internalContext(),
      )
    ).spec as PodSpec;
  return { sa, pod };
}

describe('ServiceAccount admission with tokens', () => {
  it('mounts the projected kube-api-access volume for the default service account', async () => {
    const { pod } = setup();
    const spec = await pod('p');
    expect(spec.serviceAccountName).toBe('default');
    expect(spec.volumes?.[0]).toEqual({
      name: 'kube-api-access-abcde',
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
          {
            downwardAPI: {
              items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }],
            },
          },
        ],
      },
    });
    expect(spec.containers[0]?.volumeMounts).toEqual([
      { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: 'kube-api-access-abcde', readOnly: true },
    ]);
  });

  it('mounts nothing when the pod or its service account opts out', async () => {
    const { sa, pod } = setup();
    expect((await pod('p', { automountServiceAccountToken: false })).volumes).toBeUndefined();
    await sa({
      metadata: { name: 'quiet' },
      automountServiceAccountToken: false,
      imagePullSecrets: [{ name: 'regcred' }],
    });
    const spec = await pod('q', { serviceAccountName: 'quiet' });
    expect(spec.volumes).toBeUndefined();
    expect(spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    // The pod's own setting wins over the account's.
    expect(
      (await pod('r', { serviceAccountName: 'quiet', automountServiceAccountToken: true })).volumes?.[0]?.name,
    ).toBe('kube-api-access-abcde');
  });
});
