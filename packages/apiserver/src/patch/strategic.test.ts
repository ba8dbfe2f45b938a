import { describe, expect, it } from 'vitest';
import { applyStrategicMergePatch } from './strategic.js';
import { PatchError } from './errors.js';

type Obj = Record<string, unknown>;

function deployment(containers: Obj[], extra: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'fe' } },
    spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers, ...extra } } },
  };
}

const podSpec = (o: unknown): Obj => ((o as Obj).spec as { template: { spec: Obj } }).template.spec;
const containersOf = (o: unknown): Obj[] => podSpec(o).containers as Obj[];
const names = (list: unknown): unknown[] => (list as Obj[]).map((c) => c.name);

function thrown(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PatchError) return err;
    throw err;
  }
  throw new Error('expected a PatchError');
}

describe('applyStrategicMergePatch: lists merged by key', () => {
  const live = deployment([
    {
      name: 'c1',
      image: 'nginx:1',
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    },
    { name: 'c2', image: 'redis:7', args: ['--a', '--b'] },
  ]);

  it('merges containers by name, leaving the others alone', () => {
    const out = applyStrategicMergePatch(
      live,
      { spec: { template: { spec: { containers: [{ name: 'c2', image: 'redis:8' }] } } } },
      'V1Deployment',
    );
    expect(containersOf(out)).toEqual([
      {
        name: 'c1',
        image: 'nginx:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
      { name: 'c2', image: 'redis:8', args: ['--a', '--b'] },
    ]);
  });

  it('applies the exact body kubectl 1.32 apply sends', () => {
    const body = JSON.parse(
      '{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"c1"}],"containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"B"}],"env":[{"name":"B","value":"3"}],"image":"nginx:2","name":"c1"}]}}}}',
    ) as unknown;
    const one = deployment([
      {
        name: 'c1',
        image: 'nginx:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
    ]);
    const out = applyStrategicMergePatch(one, body, 'V1Deployment');
    expect(containersOf(out)).toEqual([
      {
        name: 'c1',
        image: 'nginx:2',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '3' },
        ],
      },
    ]);
    expect(JSON.stringify(out)).not.toContain('$setElementOrder');
  });

  it('$setElementOrder orders the merged list; elements only on the server keep their relative order', () => {
    const four = deployment([{ name: 'a' }, { name: 's1' }, { name: 'b' }, { name: 's2' }]);
    const out = applyStrategicMergePatch(
      four,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'b' }, { name: 'new' }, { name: 'a' }],
              containers: [{ name: 'new', image: 'n' }],
            },
          },
        },
      },
      'V1Deployment',
    );
    expect(names(containersOf(out))).toEqual(['s1', 'b', 'new', 'a', 's2']);
  });

  it('$setElementOrder alone reorders without changing contents', () => {
    const out = applyStrategicMergePatch(
      live,
      { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c2' }, { name: 'c1' }] } } } },
      'V1Deployment',
    );
    expect(names(containersOf(out))).toEqual(['c2', 'c1']);
    expect(containersOf(out)[1]).toEqual(containersOf(live)[0]);
  });

  it('without $setElementOrder a new element goes first, as the Kubernetes API server does it', () => {
    const out = applyStrategicMergePatch(
      live,
      { spec: { template: { spec: { containers: [{ name: 'c3', image: 'busybox' }] } } } },
      'V1Deployment',
    );
    expect(names(containersOf(out))).toEqual(['c3', 'c1', 'c2']);
  });

  it('{$patch: delete, name} removes a container; a missing one is not an error', () => {
    const out = applyStrategicMergePatch(
      live,
      {
        spec: {
          template: {
            spec: {
              containers: [
                { $patch: 'delete', name: 'c1' },
                { $patch: 'delete', name: 'zz' },
              ],
            },
          },
        },
      },
      'V1Deployment',
    );
    expect(names(containersOf(out))).toEqual(['c2']);
  });

  it('an element {$patch: replace} makes the list a replacement', () => {
    const out = applyStrategicMergePatch(
      live,
      { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } } },
      'V1Deployment',
    );
    expect(containersOf(out)).toEqual([{ name: 'only', image: 'x' }]);
  });

  it('lists without a merge strategy (args, tolerations) are replaced whole', () => {
    const withTolerations = deployment([{ name: 'c1', args: ['--a', '--b'] }], {
      tolerations: [{ key: 'k1', operator: 'Exists' }],
    });
    const out = applyStrategicMergePatch(
      withTolerations,
      {
        spec: {
          template: {
            spec: { tolerations: [{ key: 'k2', operator: 'Exists' }], containers: [{ name: 'c1', args: ['--c'] }] },
          },
        },
      },
      'V1Deployment',
    );
    expect(podSpec(out).tolerations).toEqual([{ key: 'k2', operator: 'Exists' }]);
    expect(containersOf(out)[0]!.args).toEqual(['--c']);
  });

  it('merges env within a container, a null field removes it, and ports merge by containerPort', () => {
    const c = deployment([
      {
        name: 'c1',
        env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        ports: [{ containerPort: 80, name: 'http' }],
      },
    ]);
    const out = applyStrategicMergePatch(
      c,
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'c1',
                  env: [{ name: 'A', value: 'x', valueFrom: null }],
                  ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }],
                },
              ],
            },
          },
        },
      },
      'V1Deployment',
    );
    expect(containersOf(out)[0]).toEqual({
      name: 'c1',
      env: [{ name: 'A', value: 'x' }],
      ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }],
    });
  });

  it('volumes merge by name and honour $retainKeys inside an element', () => {
    const v = deployment([{ name: 'c1' }], {
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'cm' } },
      ],
    });
    const out = applyStrategicMergePatch(
      v,
      {
        spec: {
          template: {
            spec: {
              volumes: [
                {
                  name: 'data',
                  $retainKeys: ['name', 'persistentVolumeClaim'],
                  persistentVolumeClaim: { claimName: 'pvc' },
                },
              ],
            },
          },
        },
      },
      'V1Deployment',
    );
    expect(podSpec(out).volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'pvc' } },
      { name: 'cfg', configMap: { name: 'cm' } },
    ]);
  });

  it('merges Service ports by port and Pod conditions by type', () => {
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    const out = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'V1Service');
    expect(out).toEqual({ spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } });

    const pod = {
      status: {
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    };
    const patched = applyStrategicMergePatch(
      pod,
      { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      'V1Pod',
    );
    expect(patched).toEqual({
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    });
  });
});

describe('applyStrategicMergePatch: maps, metadata and directives', () => {
  const live = deployment([{ name: 'c1' }]);

  it('null removes a label; other labels stay', () => {
    const out = applyStrategicMergePatch(
      live,
      { metadata: { labels: { tier: null, env: 'prod' } } },
      'V1Deployment',
    ) as Obj;
    expect((out.metadata as Obj).labels).toEqual({ app: 'web', env: 'prod' });
  });

  it('cordon and uncordon: {"spec":{"unschedulable":true}} then null', () => {
    const node = { metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24' } };
    const cordoned = applyStrategicMergePatch(node, { spec: { unschedulable: true } }, 'V1Node');
    expect(cordoned).toEqual({ metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24', unschedulable: true } });
    expect(applyStrategicMergePatch(cordoned, { spec: { unschedulable: null } }, 'V1Node')).toEqual(node);
  });

  it('finalizers merge as a set; $deleteFromPrimitiveList removes values', () => {
    const obj = { metadata: { name: 'x', finalizers: ['a', 'b'] } };
    const added = applyStrategicMergePatch(obj, { metadata: { finalizers: ['b', 'c'] } }, 'V1ConfigMap') as {
      metadata: { finalizers: string[] };
    };
    expect([...added.metadata.finalizers].sort()).toEqual(['a', 'b', 'c']);
    expect(added.metadata.finalizers).toHaveLength(3);

    const removed = applyStrategicMergePatch(
      obj,
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      'V1ConfigMap',
    );
    expect(removed).toEqual({ metadata: { name: 'x', finalizers: ['b'] } });
  });

  it('kubectl apply of finalizers: $setElementOrder plus $deleteFromPrimitiveList', () => {
    const obj = { metadata: { name: 'x', finalizers: ['a', 'b', 'c'] } };
    const out = applyStrategicMergePatch(
      obj,
      {
        metadata: {
          '$setElementOrder/finalizers': ['c', 'd', 'a'],
          '$deleteFromPrimitiveList/finalizers': ['b'],
          finalizers: ['d'],
        },
      },
      'V1ConfigMap',
    );
    expect(out).toEqual({ metadata: { name: 'x', finalizers: ['c', 'd', 'a'] } });
  });

  it('ownerReferences merge by uid', () => {
    const obj = { metadata: { ownerReferences: [{ uid: 'u1', name: 'a', kind: 'ReplicaSet' }] } };
    const out = applyStrategicMergePatch(
      obj,
      {
        metadata: {
          ownerReferences: [
            { uid: 'u1', controller: true },
            { uid: 'u2', name: 'b' },
          ],
        },
      },
      'V1Pod',
    );
    // Elements named in the patch come in patch order.
    expect(out).toEqual({
      metadata: {
        ownerReferences: [
          { uid: 'u1', name: 'a', kind: 'ReplicaSet', controller: true },
          { uid: 'u2', name: 'b' },
        ],
      },
    });
  });

  it('retainKeys switches a Deployment strategy from RollingUpdate to Recreate', () => {
    const d = {
      ...live,
      spec: {
        ...(live.spec as Obj),
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      },
    };
    const out = applyStrategicMergePatch(
      d,
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      'V1Deployment',
    ) as Obj;
    expect((out.spec as Obj).strategy).toEqual({ type: 'Recreate' });
    expect((out.spec as Obj).replicas).toBe(1);
    // The shape kubectl apply sends: the dropped branch is also nulled.
    const applied = applyStrategicMergePatch(
      d,
      { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
      'V1Deployment',
    ) as Obj;
    expect((applied.spec as Obj).strategy).toEqual({ type: 'Recreate' });
  });

  it('a field missing from $retainKeys is a 400', () => {
    const err = thrown(() =>
      applyStrategicMergePatch(
        live,
        { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: {} } } },
        'V1Deployment',
      ),
    );
    expect(err.status).toBe(400);
    expect(err.message).toContain('spec.strategy');
    expect(err.message).toContain('rollingUpdate');
  });

  it('$patch: replace on a map replaces it; $patch: delete empties it; $patch: merge merges', () => {
    const replaced = applyStrategicMergePatch(
      live,
      { metadata: { labels: { $patch: 'replace', only: 'one' } } },
      'V1Deployment',
    ) as Obj;
    expect((replaced.metadata as Obj).labels).toEqual({ only: 'one' });

    const deleted = applyStrategicMergePatch(
      live,
      { spec: { template: { metadata: { $patch: 'delete' } } } },
      'V1Deployment',
    ) as Obj;
    expect(((deleted.spec as Obj).template as Obj).metadata).toEqual({});

    const merged = applyStrategicMergePatch(
      live,
      { metadata: { labels: { $patch: 'merge', more: 'x' } } },
      'V1Deployment',
    ) as Obj;
    expect((merged.metadata as Obj).labels).toEqual({ app: 'web', tier: 'fe', more: 'x' });
  });

  it('$patch: replace on a new map still strips directives and nulls', () => {
    const out = applyStrategicMergePatch(
      { metadata: { name: 'x' } },
      { metadata: { annotations: { $patch: 'replace', a: '1', b: null } } },
      'V1ConfigMap',
    );
    expect(out).toEqual({ metadata: { name: 'x', annotations: { a: '1' } } });
  });

  it('unknown directives are a 400 PatchError naming the path', () => {
    const bad = thrown(() => applyStrategicMergePatch(live, { spec: { $frob: 1 } }, 'V1Deployment'));
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('spec.$frob');

    const badPatch = thrown(() =>
      applyStrategicMergePatch(live, { spec: { strategy: { $patch: 'frob' } } }, 'V1Deployment'),
    );
    expect(badPatch.message).toContain('spec.strategy');

    const badList = thrown(() =>
      applyStrategicMergePatch(
        live,
        { spec: { template: { spec: { containers: [{ $patch: 'frob', name: 'c1' }] } } } },
        'V1Deployment',
      ),
    );
    expect(badList.message).toContain('spec.template.spec.containers[0]');
  });

  it('a merged element without its merge key is a PatchError', () => {
    const err = thrown(() =>
      applyStrategicMergePatch(
        live,
        { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
        'V1Deployment',
      ),
    );
    expect(err.message).toContain('merge key "name"');
  });

  it('a patch list out of step with its $setElementOrder list is rejected', () => {
    const err = thrown(() =>
      applyStrategicMergePatch(
        live,
        {
          spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b' }] } } },
        },
        'V1Deployment',
      ),
    );
    expect(err.status).toBe(400);
    expect(err.message).toContain('$setElementOrder');
  });

  it('a patch body that is not an object is a 400', () => {
    for (const body of [null, [], 'x'])
      expect(thrown(() => applyStrategicMergePatch(live, body, 'V1Deployment')).status).toBe(400);
  });

  it('fields of type any and unknown fields use merge-patch semantics', () => {
    const crd = {
      spec: {
        versions: [
          { name: 'v1', schema: { openAPIV3Schema: { type: 'object', properties: { a: { type: 'string' } } } } },
        ],
      },
    };
    const rev = { data: { spec: { replicas: 1, x: 2 } }, revision: 1 };
    const out = applyStrategicMergePatch(
      rev,
      { data: { spec: { x: null, y: [1] } }, unknownField: { a: { $patch: 'delete' } } },
      'V1ControllerRevision',
    );
    expect(out).toEqual({
      data: { spec: { replicas: 1, y: [1] } },
      revision: 1,
      unknownField: { a: { $patch: 'delete' } },
    });
    expect(applyStrategicMergePatch(crd, { spec: { group: 'g' } }, 'NoSuchType')).toEqual({
      spec: { ...crd.spec, group: 'g' },
    });
  });

  it('mutates neither input and the result does not alias the patch', () => {
    const before = structuredClone(live);
    const patch = { spec: { template: { spec: { containers: [{ name: 'c9', args: ['x'] }] } } } };
    const patchBefore = structuredClone(patch);
    const out = applyStrategicMergePatch(live, patch, 'V1Deployment');
    expect(live).toEqual(before);
    expect(patch).toEqual(patchBefore);
    (containersOf(out)[0]!.args as string[]).push('y');
    expect(patch.spec.template.spec.containers[0]!.args).toEqual(['x']);
  });

  it('creates lists and maps that were absent, processing directives inside them', () => {
    const bare = { spec: { template: { spec: {} } } };
    const out = applyStrategicMergePatch(
      bare,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'a' }],
              containers: [
                {
                  name: 'a',
                  env: [
                    { name: 'X', value: '1' },
                    { $patch: 'delete', name: 'Y' },
                  ],
                },
              ],
            },
          },
        },
      },
      'V1Deployment',
    );
    expect(podSpec(out)).toEqual({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] });
  });
});
