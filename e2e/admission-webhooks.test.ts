// Admission webhooks with kubectl 1.32 against a webhook server written here (HTTPS on loopback,
// reached by URL and through a Service): a validating webhook that denies, a mutating webhook
// whose JSONPatch is stored, namespace selectors, DELETE reviews, dry runs that reach webhooks but
// store nothing, and failurePolicy Ignore and Fail for a webhook that cannot be called.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crdManifest, json, Kubectl, KUBECTL_132, RawApi, servingCertificate, WharfProcess } from '@wharf/testing';

const ON = 'hooked';
const OFF = 'plain';
let wharf: WharfProcess;
let k: Kubectl;
let server: Server;

interface Review {
  uid: string;
  operation: string;
  name: string;
  namespace: string;
  dryRun: boolean;
  subResource?: string;
  kind: { group: string; version: string; kind: string };
  userInfo: { username: string };
  object: {
    metadata?: { labels?: Record<string, string> };
    data?: Record<string, string>;
    spec?: { replicas?: number };
  } | null;
  oldObject: { metadata?: { labels?: Record<string, string> } } | null;
}
/** Every review the server received, by path. */
const reviews: { path: string; request: Review }[] = [];

/** A review of an object whose `race` data key is `hold` waits (once) until the test releases it. */
let hold: { arrived: () => void; released: Promise<void> } | undefined;

/** /validate denies a `forbidden` data key and deleting a `protected` object; /mutate labels what it sees. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  let text = '';
  req.on('data', (c: Buffer) => (text += c.toString()));
  req.on('end', async () => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const request = (JSON.parse(text) as { request: Review }).request;
    reviews.push({ path, request });
    const held = hold;
    if (path === '/validate' && held && request.object?.data?.race === 'hold') {
      hold = undefined;
      held.arrived();
      await held.released;
    }
    const answer = (response: Record<string, unknown>): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: request.uid, ...response },
        }),
      );
    };
    if (path === '/validate') {
      if (request.object?.data?.forbidden !== undefined)
        return answer({
          allowed: false,
          status: { code: 403, reason: 'Forbidden', message: 'the key "forbidden" is not allowed here' },
        });
      if (request.operation === 'DELETE' && request.oldObject?.metadata?.labels?.protected === 'true')
        return answer({ allowed: false, status: { message: 'this object is protected' } });
      return answer({ allowed: true, warnings: request.dryRun ? ['validated a dry run'] : [] });
    }
    if (path === '/cap-scale') {
      // At most 3 replicas through the scale subresource.
      const replicas = request.object?.spec?.replicas ?? 0;
      if (replicas <= 3) return answer({ allowed: true });
      return answer({
        allowed: true,
        patchType: 'JSONPatch',
        patch: Buffer.from(JSON.stringify([{ op: 'replace', path: '/spec/replicas', value: 3 }])).toString('base64'),
      });
    }
    if (path === '/deny-eviction') {
      if (request.name.startsWith('keeper'))
        return answer({ allowed: false, status: { code: 403, message: 'keeper pods are not evicted' } });
      return answer({ allowed: true });
    }
    if (path === '/deny-status')
      return answer({
        allowed: false,
        status: { code: 403, message: 'status writes of this service are reviewed and refused' },
      });
    if (path === '/mutate') {
      const labels = request.object?.metadata?.labels;
      const patch = labels
        ? [{ op: 'add', path: '/metadata/labels/mutated-by', value: 'wharf-test' }]
        : [{ op: 'add', path: '/metadata/labels', value: { 'mutated-by': 'wharf-test' } }];
      return answer({
        allowed: true,
        patchType: 'JSONPatch',
        patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
      });
    }
    answer({ allowed: false, status: { message: `no handler for ${path}` } });
  });
}

const hookRule = (operations: string[], resource: string): string =>
  `[{operations: [${operations.join(', ')}], apiGroups: [""], apiVersions: [v1], resources: [${resource}], scope: Namespaced}]`;

beforeAll(async () => {
  const certs = servingCertificate(['hooks.webhooks.svc'], ['127.0.0.1']);
  server = createServer({ cert: certs.cert, key: certs.key }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const ca = Buffer.from(certs.ca).toString('base64');
  wharf = await WharfProcess.start();
  k = new Kubectl(wharf.kubeconfig, KUBECTL_132);
  await k.ok(['create', 'namespace', 'webhooks']);
  await k.ok(['create', 'namespace', ON]);
  await k.ok(['label', 'namespace', ON, 'webhooks=on']);
  await k.ok(['create', 'namespace', OFF]);
  await k.ok(['apply', '-f', '-'], {
    stdin: `
apiVersion: v1
kind: Service
metadata: {name: hooks, namespace: webhooks}
spec: {ports: [{port: 443, targetPort: ${port}}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: hooks, namespace: webhooks}
subsets: [{addresses: [{ip: 127.0.0.1}], ports: [{port: ${port}}]}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: deny-forbidden}
webhooks:
- name: deny.wharf.test
  clientConfig: {url: "https://127.0.0.1:${port}/validate", caBundle: ${ca}}
  rules: ${hookRule(['CREATE', 'UPDATE', 'DELETE'], 'configmaps')}
  namespaceSelector: {matchLabels: {webhooks: "on"}}
  sideEffects: None
  admissionReviewVersions: [v1]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: label-everything}
webhooks:
- name: label.wharf.test
  clientConfig: {service: {namespace: webhooks, name: hooks, path: /mutate}, caBundle: ${ca}}
  rules: ${hookRule(['CREATE', 'UPDATE'], 'configmaps')}
  namespaceSelector: {matchLabels: {webhooks: "on"}}
  objectSelector: {matchExpressions: [{key: skip-mutation, operator: DoesNotExist}]}
  sideEffects: NoneOnDryRun
  admissionReviewVersions: [v1]
`,
  });
}, 90_000);

afterAll(async () => {
  await wharf?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const labelsOf = async (ns: string, name: string): Promise<Record<string, string>> =>
  (
    JSON.parse(await k.ok(['get', 'configmap', name, '-n', ns, '-o', 'json'])) as {
      metadata: { labels?: Record<string, string> };
    }
  ).metadata.labels ?? {};

describe('admission webhooks', () => {
  it('a validating webhook denies with its message and status code; nothing is stored', async () => {
    const r = await k.run(['create', 'configmap', 'bad', '-n', ON, '--from-literal=forbidden=x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'admission webhook "deny.wharf.test" denied the request: the key "forbidden" is not allowed here',
    );
    // The webhook's status code and reason reach the client.
    const viaFile = await k.run(['create', '-f', '-'], {
      stdin: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad, namespace: ${ON}}\ndata: {forbidden: x}\n`,
    });
    expect(viaFile.stderr).toContain(
      'Error from server (Forbidden): error when creating "STDIN": admission webhook "deny.wharf.test" denied the request',
    );
    expect((await k.run(['get', 'configmap', 'bad', '-n', ON])).stderr).toContain('NotFound');
  });

  it('a mutating webhook reached through its Service labels the object, and the label is stored', async () => {
    await k.ok(['create', 'configmap', 'good', '-n', ON, '--from-literal=a=1']);
    expect(await labelsOf(ON, 'good')).toEqual({ 'mutated-by': 'wharf-test' });
    const seen = reviews.filter((r) => r.path === '/mutate' && r.request.name === 'good');
    expect(seen.map((r) => [r.request.operation, r.request.namespace, r.request.dryRun])).toEqual([
      ['CREATE', ON, false],
    ]);
    expect(seen[0]?.request.userInfo.username).not.toBe('');
    // The validating webhook saw the object after the mutation.
    const validated = reviews.filter((r) => r.path === '/validate' && r.request.name === 'good');
    expect(validated[0]?.request.object?.metadata?.labels).toEqual({ 'mutated-by': 'wharf-test' });
  });

  it('updates and server-side applies pass the webhooks with the old object', async () => {
    await k.ok(['label', 'configmap', 'good', '-n', ON, 'tier=web']);
    expect(await labelsOf(ON, 'good')).toEqual({ 'mutated-by': 'wharf-test', tier: 'web' });
    const update = reviews.filter(
      (r) => r.path === '/validate' && r.request.name === 'good' && r.request.operation === 'UPDATE',
    );
    expect(update.at(-1)?.request.oldObject?.metadata?.labels).toEqual({ 'mutated-by': 'wharf-test' });
    await k.ok(['apply', '--server-side', '--field-manager=tester', '-f', '-'], {
      stdin: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: ${ON}}\ndata: {a: "1"}\n`,
    });
    expect(await labelsOf(ON, 'applied')).toEqual({ 'mutated-by': 'wharf-test' });
    const managers = JSON.parse(
      await k.ok(['get', 'configmap', 'applied', '-n', ON, '-o', 'json', '--show-managed-fields']),
    ) as { metadata: { managedFields: { manager: string; operation: string }[] } };
    expect(managers.metadata.managedFields.map((m) => [m.manager, m.operation])).toContainEqual(['tester', 'Apply']);
    const denied = await k.run(['apply', '--server-side', '--field-manager=tester', '-f', '-'], {
      stdin: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied, namespace: ${ON}}\ndata: {a: "1", forbidden: "x"}\n`,
    });
    expect(denied.stderr).toContain('denied the request: the key "forbidden" is not allowed here');
  });

  it('a write whose object another write changes while a webhook reviews it runs again (no 409), unless it pinned the resourceVersion', async () => {
    await k.ok(['create', 'configmap', 'raced', '-n', ON, '--from-literal=a=1']);
    /** Starts `write` so that the webhook holds its review until `other` has changed the object. */
    const race = async (write: Promise<{ code: number; stderr: string }>, other: string[]) => {
      let arrived!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((r) => (arrived = r));
      hold = { arrived, released: new Promise<void>((r) => (release = r)) };
      const result = write;
      await reached;
      await k.ok(other);
      release();
      return result;
    };
    // A merge patch pins nothing: as upstream's update retry, it is reviewed again on the new object and stored.
    const patched = await race(
      k.run(['patch', 'configmap', 'raced', '-n', ON, '--type=merge', '-p', '{"data":{"race":"hold"}}']),
      ['label', 'configmap', 'raced', '-n', ON, 'other=writer'],
    );
    expect(patched.stderr).toBe('');
    expect(patched.code).toBe(0);
    const stored = JSON.parse(await k.ok(['get', 'configmap', 'raced', '-n', ON, '-o', 'json'])) as {
      data: Record<string, string>;
      metadata: { labels: Record<string, string>; resourceVersion: string };
    };
    expect(stored.data).toEqual({ a: '1', race: 'hold' });
    expect(stored.metadata.labels.other).toBe('writer');
    const twice = reviews.filter(
      (r) => r.path === '/validate' && r.request.name === 'raced' && r.request.object?.data?.race === 'hold',
    );
    expect(twice.at(-1)?.request.oldObject?.metadata?.labels?.other).toBe('writer');
    // A replace that carries the resourceVersion it read is a real conflict.
    const body = JSON.stringify({ ...stored, data: { a: '2', race: 'hold' } });
    const replaced = await race(k.run(['replace', '-f', '-'], { stdin: body }), [
      'label',
      'configmap',
      'raced',
      '-n',
      ON,
      'other=again',
      '--overwrite',
    ]);
    expect(replaced.code).toBe(1);
    expect(replaced.stderr).toContain(
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('namespace and object selectors decide which requests a webhook sees', async () => {
    await k.ok(['create', 'configmap', 'free', '-n', OFF, '--from-literal=forbidden=x']);
    expect(await labelsOf(OFF, 'free')).toEqual({});
    await k.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: skipped, namespace: ${ON}, labels: {skip-mutation: "yes"}}\ndata: {a: "1"}\n`,
    });
    expect(await labelsOf(ON, 'skipped')).toEqual({ 'skip-mutation': 'yes' });
  });

  it('writes to a subresource pass the webhooks that name it; the main resource does not', async () => {
    const port = new URL(
      (
        JSON.parse(await k.ok(['get', 'validatingwebhookconfiguration', 'deny-forbidden', '-o', 'json'])) as {
          webhooks: { clientConfig: { url: string } }[];
        }
      ).webhooks[0]!.clientConfig.url,
    ).port;
    const ca = (
      await k.ok([
        'get',
        'validatingwebhookconfiguration',
        'deny-forbidden',
        '-o',
        'jsonpath={.webhooks[0].clientConfig.caBundle}',
      ])
    ).trim();
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: guard-service-status}
webhooks:
- name: status.wharf.test
  clientConfig: {url: "https://127.0.0.1:${port}/deny-status", caBundle: ${ca}}
  rules: ${hookRule(['UPDATE'], 'services/status')}
  objectSelector: {matchLabels: {guarded: "yes"}}
  sideEffects: None
  admissionReviewVersions: [v1]
`,
    });
    try {
      await k.ok(['create', 'service', 'clusterip', 'guarded', '--tcp=80:8080', '-n', OFF]);
      await k.ok(['label', 'service', 'guarded', 'guarded=yes', '-n', OFF]);
      const denied = await k.run([
        'patch',
        'service',
        'guarded',
        '-n',
        OFF,
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"}]}}}',
      ]);
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toContain(
        'admission webhook "status.wharf.test" denied the request: status writes of this service are reviewed and refused',
      );
      expect(
        reviews
          .filter((r) => r.path === '/deny-status')
          .map((r) => [r.request.operation, r.request.subResource, r.request.name]),
      ).toContainEqual(['UPDATE', 'status', 'guarded']);
      expect(
        (await k.ok(['get', 'service', 'guarded', '-n', OFF, '-o', 'jsonpath={.status.loadBalancer}'])).trim(),
      ).toBe('{}');
      await k.ok(['label', 'service', 'guarded', 'another=label', '-n', OFF]);
    } finally {
      await k.ok(['delete', 'validatingwebhookconfiguration', 'guard-service-status']);
    }
  });

  it('a Scale and an Eviction are reviewed as themselves: a webhook caps replicas, another refuses an eviction', async () => {
    const port = new URL(
      (
        JSON.parse(await k.ok(['get', 'validatingwebhookconfiguration', 'deny-forbidden', '-o', 'json'])) as {
          webhooks: { clientConfig: { url: string } }[];
        }
      ).webhooks[0]!.clientConfig.url,
    ).port;
    const ca = (
      await k.ok([
        'get',
        'validatingwebhookconfiguration',
        'deny-forbidden',
        '-o',
        'jsonpath={.webhooks[0].clientConfig.caBundle}',
      ])
    ).trim();
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: cap-scale}
webhooks:
- name: cap.wharf.test
  clientConfig: {url: "https://127.0.0.1:${port}/cap-scale", caBundle: ${ca}}
  rules: [{operations: [UPDATE], apiGroups: [apps], apiVersions: [v1], resources: [deployments/scale]}]
  sideEffects: None
  admissionReviewVersions: [v1]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: guard-evictions}
webhooks:
- name: eviction.wharf.test
  clientConfig: {url: "https://127.0.0.1:${port}/deny-eviction", caBundle: ${ca}}
  rules: ${hookRule(['CREATE'], 'pods/eviction')}
  sideEffects: None
  admissionReviewVersions: [v1]
`,
    });
    try {
      await k.ok(['create', 'deployment', 'capped', '--image=busybox:1', '-n', OFF]);
      await k.ok(['scale', 'deployment', 'capped', '--replicas=7', '-n', OFF]);
      expect((await k.ok(['get', 'deployment', 'capped', '-n', OFF, '-o', 'jsonpath={.spec.replicas}'])).trim()).toBe(
        '3',
      );
      const scaleReview = reviews.filter((r) => r.path === '/cap-scale').at(-1)?.request;
      expect(scaleReview).toMatchObject({
        operation: 'UPDATE',
        subResource: 'scale',
        name: 'capped',
        kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
        object: { spec: { replicas: 7 } },
      });
      // The main resource's own writes are not the subresource's.
      await k.ok(['patch', 'deployment', 'capped', '-n', OFF, '--type=merge', '-p', '{"spec":{"replicas":5}}']);
      expect((await k.ok(['get', 'deployment', 'capped', '-n', OFF, '-o', 'jsonpath={.spec.replicas}'])).trim()).toBe(
        '5',
      );

      for (const name of ['keeper-0', 'ordinary-0']) {
        await k.ok([
          'run',
          name,
          '--image=busybox:1',
          '-n',
          OFF,
          '--restart=Never',
          '--command',
          '--',
          'sleep',
          '3600',
        ]);
      }
      const api = RawApi.fromKubeconfig(wharf.kubeconfig);
      const evict = (name: string) =>
        api.post(`/api/v1/namespaces/${OFF}/pods/${name}/eviction`, {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace: OFF },
        });
      const refused = await evict('keeper-0');
      expect(refused.status).toBe(403);
      expect(json(refused)).toMatchObject({
        kind: 'Status',
        message: expect.stringContaining(
          'admission webhook "eviction.wharf.test" denied the request: keeper pods are not evicted',
        ),
      });
      expect((await k.ok(['get', 'pod', 'keeper-0', '-n', OFF, '-o', 'name'])).trim()).toBe('pod/keeper-0');
      expect(reviews.filter((r) => r.path === '/deny-eviction').at(-1)?.request).toMatchObject({
        operation: 'CREATE',
        subResource: 'eviction',
        kind: { group: 'policy', version: 'v1', kind: 'Eviction' },
      });
      expect((await evict('ordinary-0')).status).toBe(201);
    } finally {
      await k.ok(['delete', 'mutatingwebhookconfiguration', 'cap-scale']);
      await k.ok(['delete', 'validatingwebhookconfiguration', 'guard-evictions']);
    }
  });

  it('a DELETE is reviewed with the old object and can be denied', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep, namespace: ${ON}, labels: {protected: "true"}}\n`,
    });
    const r = await k.run(['delete', 'configmap', 'keep', '-n', ON]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('admission webhook "deny.wharf.test" denied the request: this object is protected');
    expect(await labelsOf(ON, 'keep')).toMatchObject({ protected: 'true' });
  });

  it('a dry run reaches the webhooks (dryRun true) and stores nothing', async () => {
    const out = await k.run([
      'create',
      'configmap',
      'dry',
      '-n',
      ON,
      '--from-literal=a=1',
      '--dry-run=server',
      '-o',
      'json',
    ]);
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as { metadata: { labels: Record<string, string> } }).metadata.labels).toEqual({
      'mutated-by': 'wharf-test',
    });
    expect(out.stderr).toContain('validated a dry run');
    expect(reviews.filter((r) => r.request.name === 'dry').every((r) => r.request.dryRun)).toBe(true);
    expect((await k.run(['get', 'configmap', 'dry', '-n', ON])).code).toBe(1);
  });

  it('a webhook that cannot be called: Ignore lets the request through, Fail refuses it with the cause', async () => {
    const unreachable = (name: string, policy: string, resource: string): string => `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: ${name}}
webhooks:
- name: ${name}.wharf.test
  clientConfig: {url: "https://127.0.0.1:1/never"}
  rules: ${hookRule(['CREATE'], resource)}
  failurePolicy: ${policy}
  timeoutSeconds: 2
  sideEffects: None
  admissionReviewVersions: [v1]
`;
    await k.ok(['apply', '-f', '-'], {
      stdin: unreachable('ignored', 'Ignore', 'secrets') + '---' + unreachable('failing', 'Fail', 'services'),
    });
    await k.ok(['create', 'secret', 'generic', 'through', '-n', OFF, '--from-literal=a=1']);
    const r = await k.run(['create', 'service', 'clusterip', 'blocked', '-n', OFF, '--tcp=80:80']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Internal error occurred: failed calling webhook "failing.wharf.test": failed to call webhook: Post "https://127.0.0.1:1/never?timeout=2s"',
    );
  });

  it('matchConditions (CEL) decide whether a webhook is called', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: conditional}
webhooks:
- name: conditional.wharf.test
  clientConfig: {url: "https://127.0.0.1:1/never"}
  rules: ${hookRule(['CREATE'], 'configmaps')}
  matchConditions: [{name: only-flagged, expression: "has(object.metadata.labels) && 'flag' in object.metadata.labels"}]
  failurePolicy: Fail
  timeoutSeconds: 2
  sideEffects: None
  admissionReviewVersions: [v1]
`,
    });
    // Unflagged: the condition is false, the unreachable webhook is never called.
    await k.ok(['create', 'configmap', 'unflagged', '-n', OFF]);
    const flagged = await k.run(['apply', '-f', '-'], {
      stdin: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flagged, namespace: ${OFF}, labels: {flag: "1"}}\n`,
    });
    expect(flagged.stderr).toContain('failed calling webhook "conditional.wharf.test"');
    await k.ok(['delete', 'validatingwebhookconfiguration', 'conditional']);
  });

  it('configurations with a bad client or a CEL condition that does not compile are refused, naming the field', async () => {
    const r = await k.run(['apply', '-f', '-'], {
      stdin: `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: bad}
webhooks:
- name: bad.wharf.test
  clientConfig: {url: "http://127.0.0.1:9/plain"}
  rules: ${hookRule(['CREATE'], 'pods')}
  sideEffects: Some
  admissionReviewVersions: [v1]
  matchConditions: [{name: broken, expression: "object.metadata.labels =="}]
`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `webhooks[0].clientConfig.url: Invalid value: "http://127.0.0.1:9/plain": 'https' is the only allowed URL scheme`,
    );
    expect(r.stderr).toContain('webhooks[0].sideEffects: Unsupported value: "Some"');
    expect(r.stderr).toContain(
      'webhooks[0].matchConditions[0].expression: Invalid value: "object.metadata.labels ==": compilation failed',
    );
    expect(await k.ok(['get', 'validatingwebhookconfigurations'])).toMatch(/^deny-forbidden\s+1\s/m);
  });
});

describe('CEL validation rules in a CRD schema (x-kubernetes-validations)', () => {
  const crd = crdManifest({
    group: 'cel.example.com',
    kind: 'Scaler',
    spec: {
      'x-kubernetes-validations': [
        {
          rule: 'self.minReplicas <= self.replicas',
          message: 'replicas should be greater than or equal to minReplicas',
        },
        {
          rule: 'self.replicas <= oldSelf.replicas + 2',
          messageExpression: '"may grow by 2 at a time, not to " + string(self.replicas)',
        },
      ],
      properties: { replicas: { type: 'integer' }, minReplicas: { type: 'integer' } },
    },
  });
  const scaler = (replicas: number, min: number): string =>
    `apiVersion: cel.example.com/v1\nkind: Scaler\nmetadata: {name: s1, namespace: ${OFF}}\nspec: {replicas: ${replicas}, minReplicas: ${min}}\n`;

  it('accepts what the rules allow and refuses the rest with their messages, on create and update', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: crd });
    await k.ok(['wait', '--for=condition=Established', 'crd/scalers.cel.example.com', '--timeout=20s']);
    const bad = await k.run(['apply', '-f', '-'], { stdin: scaler(1, 3) });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'The Scaler "s1" is invalid: spec: Invalid value: "object": replicas should be greater than or equal to minReplicas',
    );
    await k.ok(['apply', '-f', '-'], { stdin: scaler(3, 1) });
    const jump = await k.run(['apply', '-f', '-'], { stdin: scaler(9, 1) });
    expect(jump.stderr).toContain('spec: Invalid value: "object": may grow by 2 at a time, not to 9');
    await k.ok(['apply', '-f', '-'], { stdin: scaler(5, 1) });
    expect(await k.ok(['get', 'scaler', 's1', '-n', OFF, '-o', 'jsonpath={.spec.replicas}'])).toBe('5');
  });

  it('refuses a CRD whose rule is over the estimated cost budget, and takes it once the schema bounds the list', async () => {
    const pairs = (bounds: string): string => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: costlies.cel.wharf.test}
spec:
  group: cel.wharf.test
  scope: Namespaced
  names: {plural: costlies, singular: costly, kind: Costly}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "self.names.all(a, self.names.exists_one(b, a == b))"
              message: names must be unique
            properties:
              names: {type: array, ${bounds} items: {type: string, maxLength: 63}}
`;
    const refused = await k.run(['apply', '-f', '-'], { stdin: pairs('') });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of',
    );
    expect(refused.stderr).toContain('try simplifying the rule, or adding maxItems, maxProperties, and maxLength');
    expect((await k.run(['get', 'crd', 'costlies.cel.wharf.test'])).code).not.toBe(0);
    await k.ok(['apply', '-f', '-'], { stdin: pairs('maxItems: 100,') });
    await k.ok(['delete', 'crd', 'costlies.cel.wharf.test']);
  });

  it('refuses a CRD whose rule does not compile', async () => {
    const r = await k.run(['apply', '-f', '-'], {
      stdin: crd
        .replace('scalers.cel', 'brokens.cel')
        .replace(
          '{plural: scalers, singular: scaler, kind: Scaler}',
          '{plural: brokens, singular: broken, kind: Broken}',
        )
        .replace('self.minReplicas <= self.replicas', 'self.minReplicas <='),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: "self.minReplicas <=": compilation failed',
    );
  });
});

describe('ValidatingAdmissionPolicy with CEL', () => {
  it('denies a Deployment without a team label, warns where the binding says Warn', async () => {
    await k.ok(['create', 'namespace', 'policed']);
    await k.ok(['label', 'namespace', 'policed', 'policy=strict']);
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: team-label}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
  variables: [{name: team, expression: "has(object.metadata.labels) && 'team' in object.metadata.labels ? object.metadata.labels['team'] : ''"}]
  validations:
  - expression: "variables.team != ''"
    messageExpression: "'Deployment ' + object.metadata.name + ' has no team label'"
    reason: Forbidden
  - expression: "object.spec.replicas <= 5"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: team-label-strict}
spec:
  policyName: team-label
  validationActions: [Deny]
  matchResources: {namespaceSelector: {matchLabels: {policy: strict}}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: team-label-warn}
spec:
  policyName: team-label
  validationActions: [Warn]
  matchResources: {namespaceSelector: {matchLabels: {policy: warn}}}
`,
    });
    const denied = await k.run(['create', 'deployment', 'anon', '-n', 'policed', '--image=busybox:1']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      "ValidatingAdmissionPolicy 'team-label' with binding 'team-label-strict' denied request: Deployment anon has no team label",
    );
    const deploy = (name: string, ns: string, replicas: number): string =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: ${ns}, labels: {team: web}}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: c, image: busybox:1}]}\n`;
    await k.ok(['apply', '-f', '-'], { stdin: deploy('labelled', 'policed', 2) });
    const big = await k.run(['apply', '-f', '-'], { stdin: deploy('labelled', 'policed', 9) });
    expect(big.stderr).toContain('denied request: failed expression: object.spec.replicas <= 5');
    // Another namespace is outside both bindings; a Warn binding lets the write through with a warning.
    await k.ok(['create', 'deployment', 'free', '-n', OFF, '--image=busybox:1']);
    await k.ok(['create', 'namespace', 'lenient']);
    await k.ok(['label', 'namespace', 'lenient', 'policy=warn']);
    const warned = await k.run(['create', 'deployment', 'anon', '-n', 'lenient', '--image=busybox:1']);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(
      "Validation failed for ValidatingAdmissionPolicy 'team-label' with binding 'team-label-warn': Deployment anon has no team label",
    );
  });

  it('refuses policies whose expressions do not compile', async () => {
    const r = await k.run(['apply', '-f', '-'], {
      stdin: `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: broken}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints: {resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]}
  validations: [{expression: "object.spec.containers.all(c,"}]
`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'spec.validations[0].expression: Invalid value: "object.spec.containers.all(c,": compilation failed',
    );
  });
});
