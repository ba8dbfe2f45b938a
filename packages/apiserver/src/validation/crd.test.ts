import { describe, expect, it } from 'vitest';
import {
  applySchemaDefaults,
  pruneUnknownFields,
  validateCustomResource,
  validateStructuralSchema,
  type JSONSchemaProps,
} from './crd.js';
import { validateKind } from './kinds.js';
import type { FieldIssue } from './issues.js';

const line = (errs: FieldIssue[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

/** The CronTab example from the Kubernetes docs, with defaults, enums and a few extras. */
const cronTabSchema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['cronSpec'],
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        image: { type: 'string', minLength: 1, maxLength: 64 },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        size: { type: 'string', enum: ['small', 'large'], default: 'small' },
        ratio: { type: 'number', multipleOf: 0.5, exclusiveMinimum: true, minimum: 0 },
        started: { type: 'string', format: 'date-time' },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 3, 'x-kubernetes-list-type': 'set' },
        env: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, value: { type: 'string', default: '' } },
          },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2 },
        config: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { mode: { type: 'string', default: 'fast' } },
        },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          'x-kubernetes-preserve-unknown-fields': true,
        },
        note: { type: 'string', nullable: true },
      },
    },
    status: { type: 'object', properties: { lastRun: { type: 'string' } } },
  },
};

const cronTab = (spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'stable.example.com/v1',
  kind: 'CronTab',
  metadata: { name: 'my-cron', namespace: 'default' },
  spec: { cronSpec: '* * * * */5', image: 'my-cron-image', ...spec },
});

describe('validateStructuralSchema', () => {
  const at = 'spec.versions[0].schema.openAPIV3Schema';

  it('accepts the CronTab schema', () => {
    expect(validateStructuralSchema(cronTabSchema, at)).toEqual([]);
  });

  it('wants a type on every node, object at the root', () => {
    const errs = validateStructuralSchema({ properties: { spec: { properties: { a: { type: 'array' } } } } }, at);
    expect(line(errs)).toEqual([
      `${at}.type: Required value: must not be empty at the root`,
      `${at}.properties[spec].type: Required value: must not be empty for specified object fields`,
      `${at}.properties[spec].properties[a].items: Required value: must be specified`,
    ]);
    expect(line(validateStructuralSchema({ type: 'string' }, at))).toEqual([
      `${at}.type: Invalid value: "string": must be object at the root`,
    ]);
  });

  it('forbids $ref, properties with additionalProperties, and typed value validations', () => {
    const schema = {
      type: 'object',
      properties: {
        a: { type: 'object', properties: { x: { type: 'string' } }, additionalProperties: { type: 'string' } },
        b: { $ref: '#/definitions/b' },
        c: { type: 'string', anyOf: [{ type: 'string', pattern: 'x' }] },
      },
    };
    expect(line(validateStructuralSchema(schema, at))).toEqual([
      `${at}.properties[a].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
      `${at}.properties[b].$ref: Forbidden: $ref is not supported`,
      `${at}.properties[b].type: Required value: must not be empty for specified object fields`,
      `${at}.properties[c].anyOf[0].type: Forbidden: must be empty to be structural`,
    ]);
  });

  it('allows the int-or-string idiom and rejects preserve-unknown-fields: false', () => {
    const schema = {
      type: 'object',
      properties: {
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false },
      },
    };
    expect(line(validateStructuralSchema(schema, at))).toEqual([
      `${at}.properties[open].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
    ]);
  });

  it('checks defaults against their own schema', () => {
    const schema = {
      type: 'object',
      properties: { size: { type: 'string', enum: ['small', 'large'], default: 'huge' } },
    };
    expect(line(validateStructuralSchema(schema, at))).toEqual([
      `${at}.properties[size].default: Unsupported value: "huge": supported values: "small", "large"`,
    ]);
  });

  it('restricts metadata at the root to name and generateName', () => {
    const ok = {
      type: 'object',
      properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } } },
    };
    expect(validateStructuralSchema(ok, at)).toEqual([]);
    const bad = {
      type: 'object',
      properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } },
    };
    expect(line(validateStructuralSchema(bad, at))).toEqual([
      `${at}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    ]);
  });

  it('wants list-map keys to name item properties', () => {
    const schema = {
      type: 'object',
      properties: {
        l: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          items: { type: 'object', properties: { id: { type: 'string' } } },
        },
      },
    };
    expect(line(validateStructuralSchema(schema, at))).toEqual([
      `${at}.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`,
    ]);
  });
});

describe('validateCustomResource', () => {
  it('accepts a valid CronTab', () => {
    const obj = cronTab({
      replicas: 3,
      size: 'large',
      port: 'http',
      tags: ['a', 'b'],
      started: '2024-05-01T10:00:00Z',
      note: null,
    });
    expect(validateCustomResource(obj, cronTabSchema)).toEqual([]);
  });

  it('words type errors as the real server', () => {
    expect(validateCustomResource(cronTab({ replicas: 'string' }), cronTabSchema)).toEqual([
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      },
    ]);
    expect(line(validateCustomResource(cronTab({ replicas: 2.5 }), cronTabSchema))).toEqual([
      'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"',
    ]);
  });

  it('reports required, enum, bounds, length, pattern and format violations', () => {
    const obj = cronTab({
      size: 'huge',
      replicas: 11,
      image: '',
      ratio: 0.75,
      started: 'yesterday',
      cronSpec: undefined,
    });
    delete (obj.spec as Record<string, unknown>).cronSpec;
    expect(line(validateCustomResource(obj, cronTabSchema))).toEqual([
      'spec.cronSpec: Required value',
      'spec.image: Invalid value: "": spec.image in body should be at least 1 chars long',
      'spec.size: Unsupported value: "huge": supported values: "small", "large"',
      'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
      'spec.ratio: Invalid value: 0.75: spec.ratio in body should be a multiple of 0.5',
      'spec.started: Invalid value: "yesterday": spec.started in body must be of type date-time: "yesterday"',
    ]);
    expect(line(validateCustomResource(cronTab({ cronSpec: 'daily' }), cronTabSchema))[0]).toBe(
      'spec.cronSpec: Invalid value: "daily": spec.cronSpec in body should match \'^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$\'',
    );
    expect(line(validateCustomResource(cronTab({ ratio: 0 }), cronTabSchema))).toEqual([
      'spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0',
    ]);
  });

  it('reports too long strings and too many items', () => {
    expect(
      line(validateCustomResource(cronTab({ image: 'x'.repeat(65), tags: ['a', 'b', 'c', 'd'] }), cronTabSchema)),
    ).toEqual([
      'spec.image: Too long: may not be more than 64 bytes',
      'spec.tags: Too many: 4: must have at most 3 items',
    ]);
  });

  it('enforces set and map list uniqueness', () => {
    const errs = validateCustomResource(
      cronTab({ tags: ['a', 'a'], env: [{ name: 'A' }, { name: 'A', value: 'x' }] }),
      cronTabSchema,
    );
    expect(line(errs)).toEqual([
      'spec.tags[1]: Duplicate value: "a"',
      'spec.env[1]: Duplicate value: map[string]interface {}{"name":"A"}',
    ]);
  });

  it('checks int-or-string, nullable and additionalProperties values', () => {
    expect(line(validateCustomResource(cronTab({ port: true }), cronTabSchema))).toEqual([
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
    ]);
    expect(line(validateCustomResource(cronTab({ image: null }), cronTabSchema))).toEqual([
      'spec.image: Invalid value: "null": spec.image in body must be of type string: "null"',
    ]);
    expect(line(validateCustomResource(cronTab({ labels: { a: 'x', b: 1 } }), cronTabSchema))).toEqual([
      'spec.labels.b: Invalid value: "integer": spec.labels.b in body must be of type string: "integer"',
    ]);
  });

  it('wants embedded resources to carry apiVersion and kind', () => {
    expect(
      line(validateCustomResource(cronTab({ template: { metadata: { name: 'Bad_Name' } } }), cronTabSchema)),
    ).toEqual([
      'spec.template.kind: Required value: must not be empty',
      'spec.template.apiVersion: Required value: must not be empty',
      expect.stringMatching(
        /^spec\.template\.metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
      ) as unknown as string,
    ]);
    expect(
      validateCustomResource(
        cronTab({ template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} } }),
        cronTabSchema,
      ),
    ).toEqual([]);
  });

  it('applies oneOf/anyOf/not as value validations', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { a: { type: 'string' }, b: { type: 'string' } },
          oneOf: [{ required: ['a'] }, { required: ['b'] }],
          not: { required: ['c'] },
        },
      },
    };
    expect(validateCustomResource({ spec: { a: 'x' } }, schema)).toEqual([]);
    expect(line(validateCustomResource({ spec: { a: 'x', b: 'y' } }, schema))).toEqual([
      'spec: Invalid value: "object": spec in body must validate one and only one schema (oneOf)',
    ]);
  });
});

describe('applySchemaDefaults', () => {
  it('fills in defaults, also inside list items and preserved objects', () => {
    const obj = cronTab({ env: [{ name: 'A' }], config: {} });
    applySchemaDefaults(obj, cronTabSchema);
    expect(obj.spec).toMatchObject({
      replicas: 1,
      size: 'small',
      env: [{ name: 'A', value: '' }],
      config: { mode: 'fast' },
    });
  });

  it('keeps values that are set and replaces a null that is not nullable', () => {
    const obj = cronTab({ replicas: 5, size: null, note: null, image: null });
    applySchemaDefaults(obj, cronTabSchema);
    expect(obj.spec).toMatchObject({ replicas: 5, size: 'small', note: null });
    expect(obj.spec).not.toHaveProperty('image');
  });

  it('recurses into defaulted values and additionalProperties', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          default: {},
          properties: {
            backup: { type: 'object', default: {}, properties: { keep: { type: 'integer', default: 7 } } },
          },
        },
        pools: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { size: { type: 'integer', default: 3 } } },
        },
      },
    };
    const obj = applySchemaDefaults({ pools: { a: {}, b: { size: 1 } } }, schema);
    expect(obj).toEqual({ spec: { backup: { keep: 7 } }, pools: { a: { size: 3 }, b: { size: 1 } } });
  });
});

describe('pruneUnknownFields', () => {
  it('drops undeclared fields and names them', () => {
    const obj = cronTab({ imagee: 'typo', env: [{ name: 'A', extra: 1 }] });
    (obj as Record<string, unknown>).extraTop = 1;
    const pruned = pruneUnknownFields(obj, cronTabSchema);
    expect(pruned).toEqual(['spec.imagee', 'spec.env[0].extra', 'extraTop']);
    expect(obj.spec).not.toHaveProperty('imagee');
    expect(obj).not.toHaveProperty('extraTop');
  });

  it('never prunes apiVersion, kind or metadata at the root, but trims metadata to ObjectMeta', () => {
    const obj = cronTab({});
    (obj.metadata as Record<string, unknown>).bogus = 1;
    expect(pruneUnknownFields(obj, cronTabSchema)).toEqual(['metadata.bogus']);
    expect(obj).toMatchObject({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'my-cron' } });
  });

  it('honours preserve-unknown-fields and keeps embedded resources whole', () => {
    const obj = cronTab({
      config: { mode: 'slow', anything: { deep: true } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { x: 1 } },
    });
    expect(pruneUnknownFields(obj, cronTabSchema)).toEqual([]);
    expect(obj.spec).toMatchObject({
      config: { anything: { deep: true } },
      template: { kind: 'Pod', metadata: { labels: { a: 'b' } }, spec: { x: 1 } },
    });
  });

  it('runs after defaulting as the server does', () => {
    const obj = cronTab({ surprise: true });
    applySchemaDefaults(obj, cronTabSchema);
    expect(pruneUnknownFields(obj, cronTabSchema)).toEqual(['spec.surprise']);
    expect(validateCustomResource(obj, cronTabSchema)).toEqual([]);
  });
});

describe('CustomResourceDefinition objects', () => {
  const crd = (
    overrides: Record<string, unknown> = {},
    name = 'crontabs.stable.example.com',
  ): Record<string, unknown> => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: cronTabSchema } }],
      ...overrides,
    },
  });
  const validate = (obj: unknown, old?: unknown): string[] =>
    line(validateKind('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', obj, old));

  it('accepts the CronTab CRD', () => {
    expect(validate(crd())).toEqual([]);
  });

  it('wants the name to be plural.group and a valid scope', () => {
    expect(validate(crd({ scope: 'Global' }, 'crontab.stable.example.com'))).toEqual([
      'metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group',
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    ]);
  });

  it('wants exactly one storage version and a schema for each', () => {
    const errs = validate(
      crd({
        versions: [
          { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: cronTabSchema } },
          { name: 'v2', served: true, storage: true },
        ],
      }),
    );
    expect(errs).toEqual([
      'spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required',
      expect.stringMatching(
        /^spec\.versions: Invalid value: .*: must have exactly one version marked as storage version$/,
      ) as unknown as string,
    ]);
  });

  it('reports structural schema problems under the version path', () => {
    const errs = validate(
      crd({
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: {} } } },
          },
        ],
      }),
    );
    expect(errs).toEqual([
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    ]);
  });

  it('needs a group with a dot and a kind', () => {
    expect(validate(crd({ group: 'example', names: { plural: 'crontabs' } }, 'crontabs.example'))).toEqual([
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
      'spec.names.kind: Required value',
    ]);
  });

  it('keeps group, scope and names fixed on update', () => {
    expect(validate(crd({ scope: 'Cluster' }), crd())).toEqual([
      'spec.scope: Invalid value: "Cluster": field is immutable',
    ]);
  });
});
