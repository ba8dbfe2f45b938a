import { describe, expect, it } from 'vitest';
import { FieldPath } from './issues.js';
import { evaluateCelRules, validateCelRules } from './crd-cel.js';
import type { JSONSchemaProps } from './crd-types.js';
import { CostBudget } from './cel-runtime-cost.js';

const schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        {
          rule: 'self.minReplicas <= self.replicas',
          message: 'replicas should be greater than or equal to minReplicas',
        },
        {
          rule: 'self.replicas <= oldSelf.replicas + 2',
          messageExpression: '"may grow by 2 at most, not to " + string(self.replicas)',
        },
      ],
      properties: {
        replicas: { type: 'integer' },
        minReplicas: { type: 'integer' },
        ratio: {
          type: 'number',
          'x-kubernetes-validations': [
            { rule: 'self < 1.0', reason: 'FieldValueForbidden', message: 'must be a fraction' },
          ],
        },
        name: {
          type: 'string',
          'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'name is immutable' }],
        },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, port: { type: 'integer' } },
            'x-kubernetes-validations': [{ rule: 'self.port > 1024', fieldPath: '.port' }],
          },
        },
      },
    },
  },
} as unknown as JSONSchemaProps;

const messages = (obj: unknown, old?: unknown): string[] =>
  evaluateCelRules(obj, old, schema, '').map((e) => `${e.field}: ${e.message}`);

describe('CRD CEL rules', () => {
  it('pass a valid object and fail an invalid one with the message, the field and the value type', () => {
    expect(messages({ spec: { replicas: 3, minReplicas: 1 } })).toEqual([]);
    expect(messages({ spec: { replicas: 1, minReplicas: 2 } })).toEqual([
      'spec: Invalid value: "object": replicas should be greater than or equal to minReplicas',
    ]);
  });

  it('type integers as int and numbers as double; reason and fieldPath shape the error', () => {
    expect(messages({ spec: { replicas: 1, minReplicas: 1, ratio: 0.5 } })).toEqual([]);
    expect(messages({ spec: { replicas: 1, minReplicas: 1, ratio: 2 } })).toEqual([
      'spec.ratio: Forbidden: must be a fraction',
    ]);
    expect(messages({ spec: { replicas: 1, minReplicas: 1, ports: [{ name: 'http', port: 80 }] } })).toEqual([
      'spec.ports[0].port: Invalid value: "object": failed rule: self.port > 1024',
    ]);
  });

  it('run transition rules only on updates, with oldSelf and messageExpression', () => {
    expect(messages({ spec: { replicas: 9, minReplicas: 1, name: 'a' } })).toEqual([]);
    expect(
      messages(
        { spec: { replicas: 9, minReplicas: 1, name: 'b' } },
        { spec: { replicas: 3, minReplicas: 1, name: 'a' } },
      ),
    ).toEqual([
      'spec: Invalid value: "object": may grow by 2 at most, not to 9',
      'spec.name: Invalid value: "string": name is immutable',
    ]);
  });

  it('correlate map-list items with their stored counterparts by key', () => {
    const listSchema = {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, port: { type: 'integer' } },
        'x-kubernetes-validations': [{ rule: 'self.port == oldSelf.port', message: 'port is immutable' }],
      },
    } as unknown as JSONSchemaProps;
    const errs = evaluateCelRules(
      [
        { name: 'b', port: 2 },
        { name: 'a', port: 1 },
      ],
      [
        { name: 'a', port: 1 },
        { name: 'b', port: 3 },
      ],
      listSchema,
      'spec.ports',
    );
    expect(errs.map((e) => `${e.field}: ${e.message}`)).toEqual([
      'spec.ports[0]: Invalid value: "object": port is immutable',
    ]);
  });

  it('refuse rules that do not compile when the CRD is written', () => {
    const bad = {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.replicas <=' },
        { rule: 'true', message: 'm', messageExpression: '"m"' },
      ],
    } as unknown as JSONSchemaProps;
    const errs = validateCelRules(bad, FieldPath.root('spec.versions[0].schema.openAPIV3Schema'));
    expect(errs.map((e) => e.field)).toEqual([
      'spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule',
      'spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[1].messageExpression',
    ]);
    expect(errs[0]?.message).toContain('compilation failed');
  });

  it('refuse a rule whose estimated cost is over budget, and accept it once the schema bounds the sizes', () => {
    const at = FieldPath.root('spec.versions[0].schema.openAPIV3Schema');
    // Every pair of an unbounded list of unbounded strings: about a million squared.
    const pairs = (names: JSONSchemaProps) =>
      ({
        type: 'object',
        properties: { names },
        'x-kubernetes-validations': [{ rule: 'self.names.all(a, self.names.all(b, a == b || !a.startsWith(b)))' }],
      }) as unknown as JSONSchemaProps;
    const unbounded = validateCelRules(pairs({ type: 'array', items: { type: 'string' } }), at);
    // The rule, and (as upstream also reports) the schema's total it alone exceeds.
    expect(unbounded.map((e) => [e.field, e.reason])).toEqual([
      ['spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule', 'FieldValueForbidden'],
      ['spec.versions[0].schema.openAPIV3Schema', 'FieldValueForbidden'],
    ]);
    expect(unbounded[0]?.message).toMatch(
      /^Forbidden: estimated rule cost exceeds budget by factor of more than 100x \(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared\)$/,
    );
    expect(
      validateCelRules(pairs({ type: 'array', maxItems: 100, items: { type: 'string', maxLength: 63 } }), at),
    ).toEqual([]);
    // Cheap rules stay cheap: the schema at the top of this file passes.
    expect(validateCelRules(schema, at)).toEqual([]);
  });

  it('refuse a schema whose rules together, once per list element, are over the schema budget', () => {
    const at = FieldPath.root('spec.versions[0].schema.openAPIV3Schema');
    // Each rule is within its budget, but runs for every item of an unbounded list of unbounded lists.
    const item = {
      type: 'object',
      properties: { tags: { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 64 } } },
      'x-kubernetes-validations': [{ rule: "self.tags.all(t, t.startsWith('x'))" }],
    };
    const nested = {
      type: 'object',
      properties: { groups: { type: 'array', items: { type: 'array', items: item } } },
    } as unknown as JSONSchemaProps;
    const errs = validateCelRules(nested, at);
    expect(errs.map((e) => e.field)).toEqual(['spec.versions[0].schema.openAPIV3Schema']);
    expect(errs[0]?.message).toContain(
      'x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of',
    );
    const bounded = {
      type: 'object',
      properties: { groups: { type: 'array', maxItems: 10, items: { type: 'array', maxItems: 10, items: item } } },
    } as unknown as JSONSchemaProps;
    expect(validateCelRules(bounded, at)).toEqual([]);
  });

  it("stop a rule that runs past the per-call cost limit with upstream's error, and no further rules run", () => {
    // Every pair of 1,100 names: 1.2 million comparisons, over PerCallLimit (1,000,000).
    const listRule = {
      type: 'object',
      properties: {
        names: { type: 'array', items: { type: 'string' } },
        n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 0' }] },
      },
      'x-kubernetes-validations': [{ rule: 'self.names.all(a, self.names.all(b, a == b || a != b))' }],
    } as unknown as JSONSchemaProps;
    const names = Array.from({ length: 1100 }, (_, i) => `n${i}`);
    const errs = evaluateCelRules({ names, n: 1 }, undefined, listRule, 'spec').map((e) => `${e.field}: ${e.message}`);
    expect(errs).toEqual([
      'spec: Invalid value: "object": \'operation cancelled: actual cost limit exceeded\': no further validation rules will be run due to call cost exceeds limit for rule: self.names.all(a, self.names.all(b, a == b || a != b))',
    ]);
    // A tenth of the names stays well within the limit, and the next rule runs.
    expect(
      evaluateCelRules({ names: names.slice(0, 110), n: 1 }, undefined, listRule, 'spec').map((e) => e.message),
    ).toEqual(['Invalid value: "integer": failed rule: self < 0']);
  });

  it('fail the object once its rules together spend the request budget', () => {
    const items = {
      type: 'array',
      items: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= 0 && self < 100' }] },
    } as unknown as JSONSchemaProps;
    const budget = new CostBudget(50);
    const errs = evaluateCelRules(
      Array.from({ length: 100 }, (_, i) => i),
      undefined,
      items,
      'spec.values',
      [],
      budget,
    );
    expect(errs.map((e) => `${e.field}: ${e.message}`)).toEqual([
      'spec.values[25]: Invalid value: "integer": validation failed due to running out of cost budget, no further validation rules will be run',
    ]);
    expect(evaluateCelRules([1, 2, 3], undefined, items, 'spec.values')).toEqual([]);
  });
});
