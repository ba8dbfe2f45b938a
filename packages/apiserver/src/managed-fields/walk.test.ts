import { describe, expect, it } from 'vitest';
import { builtinShape, customResourceShape } from './shape.js';
import { compare, toFieldSet } from './walk.js';
import { pathString } from './fieldset.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1', ports: [{ containerPort: 80 }], resources: {} }] },
    },
  },
};

describe('toFieldSet', () => {
  it('owns leaves, list-map items by key (defaulted protocol), atomic structs whole, empty maps', () => {
    const s = toFieldSet(deployment, builtinShape('V1Deployment'));
    expect(s.toFieldsV1()).toEqual({
      'f:apiVersion': {},
      'f:kind': {},
      'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:name': {} },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                'f:resources': {},
              },
            },
          },
        },
      },
    });
  });

  it('uses x-kubernetes-list-type of a CRD schema, and owns untyped maps key by key', () => {
    const shape = customResourceShape({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
            hosts: {
              type: 'array',
              items: { type: 'object', properties: { name: { type: 'string' }, ip: { type: 'string' } } },
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['name'],
            },
            args: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    });
    const s = toFieldSet({ spec: { tags: ['a'], hosts: [{ name: 'h', ip: '1' }], args: ['x'] } }, shape);
    expect(s.paths().map(pathString)).toEqual([
      '.spec.args',
      '.spec.hosts[name="h"]',
      '.spec.hosts[name="h"].ip',
      '.spec.hosts[name="h"].name',
      '.spec.tags[="a"]',
    ]);
  });
});

describe('compare', () => {
  it('finds added, modified and removed fields; new granular nodes are members', () => {
    const after = structuredClone(deployment);
    after.spec.replicas = 3;
    (after.metadata as Record<string, unknown>).annotations = { a: 'b' };
    delete (after.metadata.labels as Record<string, unknown>).app;
    const c = compare(deployment, after, builtinShape('V1Deployment'));
    expect(c.modified.paths().map(pathString)).toEqual(['.spec.replicas']);
    expect(c.added.paths().map(pathString)).toEqual(['.metadata.annotations', '.metadata.annotations.a']);
    expect(c.removed.paths().map(pathString)).toEqual(['.metadata.labels.app']);
  });

  it('a changed atomic struct is one modified field', () => {
    const after = structuredClone(deployment);
    after.spec.selector.matchLabels.app = 'other';
    expect(compare(deployment, after, builtinShape('V1Deployment')).modified.paths().map(pathString)).toEqual([
      '.spec.selector',
    ]);
  });
});
