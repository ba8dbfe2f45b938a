// Dry run persists nothing. Every write verb on every built-in kind — create, update, the three
// patch types, server-side apply (creating and updating, and of status and scale), delete, deletecollection, and the
// status, scale, finalize, eviction and binding
// subresources — with dryRun=All in the query, and for deletes also in the DeleteOptions body as
// kubectl sends it, must leave the store's revision where it was and the object as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BUILTIN_RESOURCES, groupVersionString, isRecord, parseApiVersion, type ResourceInfo } from '@wharf/api';
import { KINDS } from '@wharf/testing';
import { ApiServer } from '../server.js';
import type { StoreEvent } from '../storage/index.js';

const NS = 'dry';

/** Kinds the kubectl suite's fixtures do not cover. */
const EXTRA: string[] = [
  `apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  replicas: 1
  selector: {app: rc}
  template:
    metadata: {labels: {app: rc}}
    spec: {containers: [{name: c, image: busybox:1}]}`,
  `apiVersion: v1
kind: PodTemplate
metadata: {name: tmpl}
template:
  metadata: {labels: {app: tmpl}}
  spec: {containers: [{name: c, image: busybox:1}]}`,
  `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]`,
  `apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: web-0.pulled}
eventTime: "2026-12-05T06:00:00.000000Z"
reportingController: wharf.dev/test
reportingInstance: test-1
action: Pull
reason: Pulled
type: Normal
note: pulled
regarding: {kind: Pod, name: web-0, namespace: dry}`,
  `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: dry-csr}
spec:
  signerName: example.com/dry
  usages: [client auth]
  request: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIV01INENBUUF3SERFTU1Bb0dBMVVFQ2d3RFpISjVNUXd3Q2dZRFZRUUREQU5rY25rd1dUQVRCZ2NxaGtqTwpQUUlCQmdncWhrak9QUU1CQndOQ0FBUnFBMytRZEhRalhuSndLakQwOEY1QVBFWjNkYklhU25Bb2hhaitRK3VvCmx1S0pGWkdvWXByYVNzeHVOQVhqR0M5OXhEYmp2b3AzSENvL2xBeEMxTWVsb0FBd0NnWUlLb1pJemowRUF3SUQKU0FBd1JRSWdPUGc5R0tHZ2JoRUJHZHRuYTlWOXR4SlB3cUY2b1MrMFBjWHhKeEhWanpzQ0lRQzg0Skl1empqWApPTGJFRXNVTVI0b3ZKUTQwUC91Nm1MVkc5UWdFVFM0U3Z3PT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==`,
  `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1alpha1.dry.example.com}
spec: {group: dry.example.com, version: v1alpha1, groupPriorityMinimum: 100, versionPriority: 10}`,
  `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: dry-validating}
webhooks: []`,
  `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: dry-mutating}
webhooks: []`,
  `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: dry-policy}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]}
  validations: [{expression: "object.spec.replicas <= 5"}]`,
  `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: dry-binding}
spec: {policyName: dry-policy, validationActions: [Warn]}`,
  `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000`,
];

interface Fixture {
  info: ResourceInfo;
  object: Record<string, unknown>;
  name: string;
}

describe('dryRun=All on every write path of every built-in kind', () => {
  let server: ApiServer;
  let port: number;
  const writes: StoreEvent[] = [];
  const fixtures = new Map<string, Fixture>();

  const call = (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ code: number; json: Record<string, unknown> }> =>
    new Promise((resolve, reject) => {
      // A DELETE body needs its length: Node sends DELETE without chunked encoding.
      const text = body === undefined ? '' : JSON.stringify(body);
      const headers = {
        'content-type': contentType,
        'content-length': Buffer.byteLength(text),
        authorization: `Bearer ${server.adminToken}`,
      };
      const req = request({ host: '127.0.0.1', port, method, path, ca: server.pki.caCert, headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ code: res.statusCode ?? 0, json: JSON.parse(text || '{}') as Record<string, unknown> }),
        );
      });
      req.on('error', reject);
      req.end(text);
    });

  const collection = (info: ResourceInfo): string => {
    const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
    return info.namespaced ? `${base}/namespaces/${NS}/${info.resource}` : `${base}/${info.resource}`;
  };
  const item = (f: Fixture): string => `${collection(f.info)}/${f.name}`;

  /** Runs one dry-run request and returns the keys it wrote (none, if dry run holds). */
  const written = async (
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ code: number; json: Record<string, unknown>; keys: string[] }> => {
    const before = server.store.revision;
    writes.length = 0;
    const r = await call(method, path, body, contentType);
    const keys = writes.map((w) => `${w.type} ${w.key}`);
    if (server.store.revision !== before && !keys.length)
      keys.push(`revision moved ${before} → ${server.store.revision}`);
    return { ...r, keys };
  };

  beforeAll(async () => {
    server = await ApiServer.create({ dataDir: mkdtempSync(join(tmpdir(), 'wharf-dry-')), port: 0 });
    port = await server.start();
    expect((await call('POST', '/api/v1/namespaces', { metadata: { name: NS } })).code).toBe(201);
    for (const manifest of [...KINDS.map((k) => k.manifest), ...EXTRA]) {
      const object = parse(manifest) as Record<string, unknown>;
      const { group, version } = parseApiVersion(String(object.apiVersion));
      const info = BUILTIN_RESOURCES.find((r) => r.group === group && r.version === version && r.kind === object.kind);
      if (!info) throw new Error(`no built-in kind for ${String(object.apiVersion)} ${String(object.kind)}`);
      const name = String((object.metadata as { name: string }).name);
      const f: Fixture = { info, object, name };
      const created = await call('POST', collection(info), object);
      if (created.code !== 201)
        throw new Error(`creating ${info.resource}/${name}: ${created.code} ${JSON.stringify(created.json)}`);
      fixtures.set(`${info.group}/${info.resource}`, f);
    }
    // The API server's own controllers answer these creates (the CRD becomes established, the
    // namespace gets its default service account and root CA); wait for them before watching.
    await until(async () => {
      const crd = await call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.crud.example.com');
      const conds =
        isRecord(crd.json.status) && Array.isArray(crd.json.status.conditions) ? crd.json.status.conditions : [];
      const sa = await call('GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`);
      const quota = await call('GET', `/api/v1/namespaces/${NS}/resourcequotas/compute`);
      return (
        conds.some((c) => isRecord(c) && c.type === 'Established' && c.status === 'True') &&
        sa.code === 200 &&
        (quota.code === 404 || (isRecord(quota.json.status) && isRecord(quota.json.status.used)))
      );
    });
    server.store.watch('/registry/', server.store.revision, (ev) => {
      if (ev) writes.push(ev);
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('has a fixture for every stored built-in kind', () => {
    const missing = BUILTIN_RESOURCES.filter((r) => !r.virtual && !fixtures.has(`${r.group}/${r.resource}`)).map(
      (r) => `${groupVersionString(r.group, r.version)} ${r.resource}`,
    );
    expect(missing).toEqual([]);
  });

  const kinds = BUILTIN_RESOURCES.filter((r) => !r.virtual).map(
    (r) => [`${r.resource}${r.group ? `.${r.group}` : ''}`, r] as const,
  );

  it.each(kinds)('%s: create, update, patch, delete, deletecollection', async (_label, info) => {
    const f = fixtures.get(`${info.group}/${info.resource}`);
    if (!f) throw new Error(`no fixture for ${info.resource}`);
    const stored = await call('GET', item(f));
    expect(stored.code).toBe(200);
    const q = '?dryRun=All';

    const twin = twinOf(f);
    const create = await written('POST', `${collection(info)}${q}`, twin.object);
    expect([create.code, create.keys]).toEqual([201, []]);
    expect((await call('GET', `${collection(info)}/${twin.name}`)).code).toBe(404);

    const labelled = { ...stored.json, metadata: { ...(stored.json.metadata as object), labels: { dry: 'run' } } };
    const update = await written('PUT', `${item(f)}${q}`, labelled);
    expect([update.code, update.keys]).toEqual([200, []]);
    expect((update.json.metadata as { labels?: object }).labels).toMatchObject({ dry: 'run' });

    const patches: [string, unknown][] = [
      ['application/merge-patch+json', { metadata: { labels: { dry: 'merge' } } }],
      ['application/json-patch+json', [{ op: 'add', path: '/metadata/annotations', value: { dry: 'json' } }]],
    ];
    if (!info.group || !info.resource.includes('.'))
      patches.push(['application/strategic-merge-patch+json', { metadata: { labels: { dry: 'smp' } } }]);
    for (const [type, body] of patches) {
      const patched = await written('PATCH', `${item(f)}${q}`, body, type);
      expect([type, patched.code, patched.keys]).toEqual([type, 200, []]);
    }

    const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    const applyQ = `${q}&fieldManager=dry-runner`;
    const applied = await written(
      'PATCH',
      `${item(f)}${applyQ}`,
      { apiVersion, kind: info.kind, metadata: { name: f.name, labels: { dry: 'apply' } } },
      'application/apply-patch+yaml',
    );
    expect([applied.code, applied.keys]).toEqual([200, []]);
    expect(
      (applied.json.metadata as { managedFields?: { manager: string }[] }).managedFields?.some(
        (e) => e.manager === 'dry-runner',
      ),
    ).toBe(true);
    const applyCreate = await written(
      'PATCH',
      `${collection(info)}/${twin.name}${applyQ}`,
      { ...twin.object, apiVersion, kind: info.kind },
      'application/apply-patch+yaml',
    );
    expect([applyCreate.code, applyCreate.keys]).toEqual([201, []]);
    expect((await call('GET', `${collection(info)}/${twin.name}`)).code).toBe(404);

    // 200 when the object would go at once, 202 when it would wait for finalizers (namespaces).
    const viaQuery = await written('DELETE', `${item(f)}${q}`);
    expect([accepted(viaQuery.code), viaQuery.keys]).toEqual([true, []]);
    const viaBody = await written('DELETE', item(f), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
      dryRun: ['All'],
    });
    expect([accepted(viaBody.code), viaBody.keys]).toEqual([true, []]);
    const foreground = await written('DELETE', item(f), { propagationPolicy: 'Foreground', dryRun: ['All'] });
    expect([accepted(foreground.code), foreground.keys]).toEqual([true, []]);

    if (info.verbs.includes('deletecollection')) {
      const all = await written('DELETE', `${collection(info)}${q}`);
      expect([all.code, all.keys]).toEqual([200, []]);
      const allBody = await written('DELETE', collection(info), { dryRun: ['All'] });
      expect([allBody.code, allBody.keys]).toEqual([200, []]);
      expect(Array.isArray(allBody.json.items) && allBody.json.items.length).toBeGreaterThan(0);
    }

    const after = await call('GET', item(f));
    expect(after.json).toEqual(stored.json);
  });

  it.each(
    kinds.filter(([, r]) => (r.subresources ?? []).some((s) => s === 'status' || s === 'scale' || s === 'finalize')),
  )('%s: status, scale and finalize subresources', async (_label, info) => {
    const f = fixtures.get(`${info.group}/${info.resource}`);
    if (!f) throw new Error(`no fixture for ${info.resource}`);
    const stored = await call('GET', item(f));
    for (const sub of (info.subresources ?? []).filter((s) => s === 'status' || s === 'finalize')) {
      const put = await written('PUT', `${item(f)}/${sub}?dryRun=All`, {
        ...stored.json,
        status: { ...(isRecord(stored.json.status) ? stored.json.status : {}) },
      });
      expect([sub, put.code, put.keys]).toEqual([sub, 200, []]);
      if (sub === 'status') {
        const patch = await written(
          'PATCH',
          `${item(f)}/status?dryRun=All`,
          { metadata: { labels: { dry: 'status' } } },
          'application/merge-patch+json',
        );
        expect([patch.code, patch.keys]).toEqual([200, []]);
        const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
        const apply = await written(
          'PATCH',
          `${item(f)}/status?dryRun=All&fieldManager=dry-runner`,
          { apiVersion, kind: info.kind, metadata: { name: f.name }, status: {} },
          'application/apply-patch+yaml',
        );
        expect([apply.code, apply.keys]).toEqual([200, []]);
      }
    }
    if ((info.subresources ?? []).includes('scale')) {
      const put = await written('PUT', `${item(f)}/scale?dryRun=All`, {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: { name: f.name, namespace: NS },
        spec: { replicas: 7 },
      });
      expect([put.code, put.keys, (put.json.spec as { replicas: number }).replicas]).toEqual([200, [], 7]);
      const patch = await written(
        'PATCH',
        `${item(f)}/scale?dryRun=All`,
        { spec: { replicas: 5 } },
        'application/merge-patch+json',
      );
      expect([patch.code, patch.keys]).toEqual([200, []]);
      const apply = await written(
        'PATCH',
        `${item(f)}/scale?dryRun=All&fieldManager=dry-runner&force=true`,
        { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: f.name }, spec: { replicas: 6 } },
        'application/apply-patch+yaml',
      );
      expect([apply.code, apply.keys, (apply.json.spec as { replicas: number }).replicas]).toEqual([200, [], 6]);
    }
    expect((await call('GET', item(f))).json).toEqual(stored.json);
  });

  it('pods: eviction (dryRun in the query and in deleteOptions) and binding', async () => {
    const f = fixtures.get('/pods');
    if (!f) throw new Error('no pod fixture');
    const stored = await call('GET', item(f));
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: f.name, namespace: NS } };
    const q = await written('POST', `${item(f)}/eviction?dryRun=All`, eviction);
    expect([q.code, q.keys]).toEqual([201, []]);
    const b = await written('POST', `${item(f)}/eviction`, { ...eviction, deleteOptions: { dryRun: ['All'] } });
    expect([b.code, b.keys]).toEqual([201, []]);
    const binding = await written('POST', `${item(f)}/binding?dryRun=All`, {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: f.name },
      target: { kind: 'Node', name: 'crud-node-1' },
    });
    expect([binding.code, binding.keys]).toEqual([201, []]);
    expect((await call('GET', item(f))).json).toEqual(stored.json);
  });

  it('a dryRun value other than All is refused and deletes nothing', async () => {
    const f = fixtures.get('/configmaps');
    if (!f) throw new Error('no configmap fixture');
    const bad = await written('DELETE', item(f), { dryRun: ['Some'] });
    expect([bad.code, bad.json.reason, bad.keys]).toEqual([400, 'BadRequest', []]);
    expect(bad.json.message).toContain('dryRun: Unsupported value: "Some"');
    expect((await call('GET', item(f))).code).toBe(200);
  });
});

const accepted = (code: number): boolean => code === 200 || code === 202;

/** A second object of the fixture's kind (CRD and APIService names are made of their group). */
function twinOf(f: Fixture): { name: string; object: Record<string, unknown> } {
  if (f.info.kind === 'APIService') {
    const spec = f.object.spec as Record<string, unknown>;
    return {
      name: 'v1alpha1.twin.example.com',
      object: {
        ...f.object,
        metadata: { name: 'v1alpha1.twin.example.com' },
        spec: { ...spec, group: 'twin.example.com' },
      },
    };
  }
  if (f.info.kind === 'CustomResourceDefinition') {
    const spec = f.object.spec as Record<string, unknown>;
    return {
      name: 'widgets.twin.example.com',
      object: {
        ...f.object,
        metadata: { name: 'widgets.twin.example.com' },
        spec: { ...spec, group: 'twin.example.com' },
      },
    };
  }
  const name = `${f.name}-twin`;
  return { name, object: { ...f.object, metadata: { ...(f.object.metadata as object), name } } };
}

/** Polls `check` until it holds, failing after 10 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}
