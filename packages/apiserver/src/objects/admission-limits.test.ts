import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@wharf/api';
import { ApiError } from '../errors.js';
import { ResourceRegistry, type Served } from '../registry.js';
import { SqliteStore } from '../storage/index.js';
import { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { LIMIT_RANGER_ANNOTATION, limitRanger } from './admission-limits.js';

async function setup(limits: unknown[]) {
  const store = new SqliteStore({ path: ':memory:' });
  const registry = new ResourceRegistry();
  const api = new ObjectApi({ store, registry, admission: [limitRanger(store)] });
  const served = (r: string): Served => registry.lookup('', 'v1', r) as Served;
  await api.create(served('limitranges'), 'default', { metadata: { name: 'lr' }, spec: { limits } }, internalContext());
  const pod = (name: string, containers: unknown[]) =>
    api.create(served('pods'), 'default', { metadata: { name }, spec: { containers } }, internalContext());
  const claim = (name: string, storage: string) =>
    api.create(
      served('persistentvolumeclaims'),
      'default',
      { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } },
      internalContext(),
    );
  return { pod, claim };
}

async function refusal(fn: () => Promise<unknown>): Promise<ApiError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the request to be refused');
}

const res = (o: KubeObject, i = 0) =>
  ((o.spec as { containers: { resources: unknown }[] }).containers[i] as { resources: unknown }).resources;

describe('LimitRanger', () => {
  it('fills default requests and limits, notes them in the annotation, and the QoS follows', async () => {
    const { pod } = await setup([
      {
        type: 'Container',
        default: { cpu: '500m', memory: '512Mi' },
        defaultRequest: { cpu: '100m', memory: '256Mi' },
      },
    ]);
    const p = await pod('web', [
      { name: 'web', image: 'nginx' },
      { name: 'side', image: 'busybox', resources: { limits: { memory: '128Mi' } } },
    ]);
    expect(res(p)).toEqual({ limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '256Mi' } });
    // The sidecar's memory request came from its own limit (API defaulting), not from the LimitRange.
    expect(res(p, 1)).toEqual({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    expect(p.metadata.annotations?.[LIMIT_RANGER_ANNOTATION]).toBe(
      'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web; cpu request for container side; cpu limit for container side',
    );
    expect((p.status as { qosClass: string }).qosClass).toBe('Burstable');
  });

  it('derives default and defaultRequest from max when only max is set', async () => {
    const { pod } = await setup([{ type: 'Container', max: { memory: '1Gi' } }]);
    expect(res(await pod('p', [{ name: 'c', image: 'nginx' }]))).toEqual({
      limits: { memory: '1Gi' },
      requests: { memory: '1Gi' },
    });
  });

  it('refuses a container over max with the real message', async () => {
    const { pod } = await setup([{ type: 'Container', max: { memory: '1Gi' } }]);
    const e = await refusal(() =>
      pod('big', [{ name: 'c', image: 'nginx', resources: { limits: { memory: '2Gi' } } }]),
    );
    expect(e.code).toBe(403);
    expect(e.reason).toBe('Forbidden');
    expect(e.message).toBe('pods "big" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi');
  });

  it('checks min, the limit/request ratio and Pod totals; several reasons print as a list', async () => {
    const { pod } = await setup([
      { type: 'Container', min: { cpu: '100m' }, maxLimitRequestRatio: { cpu: '2' } },
      { type: 'Pod', max: { cpu: '1' } },
    ]);
    const e = await refusal(() =>
      pod('p', [
        { name: 'a', image: 'nginx', resources: { requests: { cpu: '50m' }, limits: { cpu: '500m' } } },
        { name: 'b', image: 'nginx', resources: { requests: { cpu: '600m' }, limits: { cpu: '600m' } } },
      ]),
    );
    expect(e.message).toBe(
      'pods "p" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, cpu max limit to request ratio per Container is 2, but provided ratio is 10.000000, maximum cpu usage per Pod is 1, but limit is 1100m]',
    );
    const ok = await pod('ok', [
      { name: 'a', image: 'nginx', resources: { requests: { cpu: '200m' }, limits: { cpu: '400m' } } },
    ]);
    expect(ok.metadata.name).toBe('ok');
  });

  it('says when a bound needs a request or limit that is missing', async () => {
    const { pod } = await setup([{ type: 'Pod', min: { memory: '64Mi' } }]);
    expect((await refusal(() => pod('p', [{ name: 'c', image: 'nginx' }]))).message).toBe(
      'pods "p" is forbidden: minimum memory usage per Pod is 64Mi.  No request is specified',
    );
  });

  it('refuses a default request above the limit the user set, as validation would', async () => {
    const { pod } = await setup([
      { type: 'Container', defaultRequest: { memory: '1Gi' }, default: { memory: '512Mi' } },
    ]);
    expect((await refusal(() => pod('q', [{ name: 'c', image: 'nginx' }]))).message).toBe(
      'Pod "q" is invalid: spec.containers[0].resources.requests: Invalid value: "1Gi": must be less than or equal to memory limit of 512Mi',
    );
  });

  it('bounds PersistentVolumeClaim storage requests', async () => {
    const { claim } = await setup([
      { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } },
    ]);
    expect((await refusal(() => claim('big', '20Gi'))).message).toBe(
      'persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
    );
    expect((await refusal(() => claim('small', '500Mi'))).message).toBe(
      'persistentvolumeclaims "small" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
    );
    expect((await claim('ok', '5Gi')).metadata.name).toBe('ok');
  });
});
