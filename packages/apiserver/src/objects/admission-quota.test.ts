import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { ResourceRegistry, type Served } from '../registry.js';
import { SqliteStore } from '../storage/index.js';
import { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { limitRanger } from './admission-limits.js';
import { resourceQuotaAdmission } from './admission-quota.js';
import { serviceAllocation } from './service-ips.js';
import { ResourceQuotaController } from './quota-controller.js';

function setup() {
  const store = new SqliteStore({ path: ':memory:' });
  const registry = new ResourceRegistry();
  const api = new ObjectApi({
    store,
    registry,
    admission: [limitRanger(store), serviceAllocation(store), resourceQuotaAdmission(store)],
  });
  const served = (r: string, g = ''): Served => registry.lookup(g, 'v1', r) as Served;
  const ctx = internalContext();
  const quota = (name: string, spec: Record<string, unknown>) =>
    api.create(served('resourcequotas'), 'ns', { metadata: { name }, spec }, ctx);
  const pod = (name: string, resources?: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    api.create(
      served('pods'),
      'ns',
      {
        metadata: { name },
        spec: { containers: [{ name: 'c', image: 'nginx', ...(resources ? { resources } : {}) }], ...extra },
      },
      ctx,
    );
  return { store, api, served, ctx, quota, pod };
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

describe('ResourceQuota admission', () => {
  it('refuses the pod past the count with the real message; terminal pods free their place', async () => {
    const { api, served, ctx, quota, pod } = setup();
    await quota('pods', { hard: { pods: '2' } });
    await pod('p1');
    await pod('p2');
    const e = await refusal(() => pod('p3'));
    expect(e.code).toBe(403);
    expect(e.message).toBe(
      'pods "p3" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2',
    );
    expect(e.details).toMatchObject({ name: 'p3', kind: 'pods' });
    const done = api.get(served('pods'), 'ns', 'p1');
    await api.update(served('pods'), 'ns', 'p1', { ...done, status: { phase: 'Succeeded' } }, ctx, 'status');
    expect((await pod('p3')).metadata.name).toBe('p3');
  });

  it('asks every container for the compute resources a quota limits', async () => {
    const { quota, pod } = setup();
    await quota('compute', { hard: { 'limits.cpu': '2', 'requests.memory': '1Gi' } });
    expect((await refusal(() => pod('p'))).message).toBe(
      'pods "p" is forbidden: failed quota: compute: must specify limits.cpu for: c; requests.memory for: c',
    );
    await pod('ok', { requests: { memory: '600Mi' }, limits: { cpu: '1' } });
    expect((await refusal(() => pod('more', { requests: { memory: '600Mi' }, limits: { cpu: '500m' } }))).message).toBe(
      'pods "more" is forbidden: exceeded quota: compute, requested: requests.memory=600Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi',
    );
  });

  it('counts LimitRange defaults, since LimitRanger runs first', async () => {
    const { api, served, ctx, quota, pod } = setup();
    await api.create(
      served('limitranges'),
      'ns',
      { metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', default: { cpu: '1' } }] } },
      ctx,
    );
    await quota('cpu', { hard: { 'limits.cpu': '1500m' } });
    await pod('a');
    expect((await refusal(() => pod('b'))).message).toBe(
      'pods "b" is forbidden: exceeded quota: cpu, requested: limits.cpu=1, used: limits.cpu=1, limited: limits.cpu=1500m',
    );
  });

  it('applies scoped quotas only to pods in scope', async () => {
    const { quota, pod } = setup();
    await quota('besteffort', { hard: { pods: '1' }, scopes: ['BestEffort'] });
    await pod('be');
    expect((await refusal(() => pod('be2'))).message).toContain('exceeded quota: besteffort');
    expect((await pod('burstable', { requests: { cpu: '100m' } })).metadata.name).toBe('burstable');
    await quota('terminating', {
      hard: { pods: '0' },
      scopeSelector: { matchExpressions: [{ scopeName: 'Terminating', operator: 'Exists' }] },
    });
    expect(
      (await refusal(() => pod('job', { requests: { cpu: '1' } }, { activeDeadlineSeconds: 60 }))).message,
    ).toContain('exceeded quota: terminating');
  });

  it('counts objects of any kind with count/<resource>.<group>', async () => {
    const { api, served, ctx, quota } = setup();
    await quota('objects', { hard: { 'count/deployments.apps': '1', configmaps: '1' } });
    const deploy = (name: string) =>
      api.create(
        served('deployments', 'apps'),
        'ns',
        {
          metadata: { name },
          spec: {
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
          },
        },
        ctx,
      );
    await deploy('one');
    expect((await refusal(() => deploy('two'))).message).toBe(
      'deployments.apps "two" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    );
    await api.create(served('configmaps'), 'ns', { metadata: { name: 'a' } }, ctx);
    expect(
      (await refusal(() => api.create(served('configmaps'), 'ns', { metadata: { name: 'b' } }, ctx))).message,
    ).toContain('requested: configmaps=1');
  });

  it('checks updates that grow usage: a Service turning NodePort', async () => {
    const { api, served, ctx, quota } = setup();
    await quota('svc', { hard: { services: '2', 'services.nodeports': '1' } });
    const svc = await api.create(
      served('services'),
      'ns',
      {
        metadata: { name: 's' },
        spec: {
          ports: [
            { name: 'a', port: 80 },
            { name: 'b', port: 81 },
          ],
        },
      },
      ctx,
    );
    expect(
      (
        await refusal(() =>
          api.update(
            served('services'),
            'ns',
            's',
            { ...svc, spec: { ...(svc.spec as object), type: 'NodePort' } },
            ctx,
          ),
        )
      ).message,
    ).toBe(
      'services "s" is forbidden: exceeded quota: svc, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1',
    );
  });

  it('keeps status.hard and status.used current', async () => {
    const { api, served, ctx, quota, pod } = setup();
    const controller = new ResourceQuotaController(api, { debounceMs: 1_000_000 });
    controller.start();
    try {
      await quota('q', {
        hard: { pods: '5', 'requests.cpu': '2', 'requests.memory': '1Gi', 'count/configmaps': '10' },
      });
      await pod('a', { requests: { cpu: '500m', memory: '128Mi' } });
      await pod('b', { requests: { cpu: '250m', memory: '128Mi' } });
      await controller.flush();
      const status = () => api.get(served('resourcequotas'), 'ns', 'q').status;
      expect(status()).toEqual({
        hard: { 'count/configmaps': '10', pods: '5', 'requests.cpu': '2', 'requests.memory': '1Gi' },
        used: { 'count/configmaps': '0', pods: '2', 'requests.cpu': '750m', 'requests.memory': '256Mi' },
      });
      const b = api.get(served('pods'), 'ns', 'b');
      await api.update(served('pods'), 'ns', 'b', { ...b, status: { phase: 'Failed' } }, ctx, 'status');
      await controller.flush();
      expect(status()).toMatchObject({ used: { pods: '1', 'requests.cpu': '500m', 'requests.memory': '128Mi' } });
      const rv = api.get(served('resourcequotas'), 'ns', 'q').metadata.resourceVersion;
      await controller.flush();
      expect(api.get(served('resourcequotas'), 'ns', 'q').metadata.resourceVersion).toBe(rv);
    } finally {
      controller.stop();
    }
  });
});
