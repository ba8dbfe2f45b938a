import { describe, expect, it } from 'vitest';
import { expressionCostWarnings, validateAdmissionPolicy, validateAdmissionPolicyBinding } from './webhooks.js';

const rules = {
  resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
};
const issues = (errs: { field: string; message: string }[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

describe('ValidatingAdmissionPolicy and binding validation', () => {
  it('takes paramKind and auditAnnotations, and checks their shape', () => {
    expect(
      validateAdmissionPolicy({
        spec: {
          paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
          matchConstraints: rules,
          auditAnnotations: [{ key: 'size', valueExpression: 'string(size(object.data))' }],
        },
      }),
    ).toEqual([]);
    expect(
      issues(
        validateAdmissionPolicy({
          spec: {
            paramKind: { apiVersion: 'not a version' },
            matchConstraints: rules,
            auditAnnotations: [{ key: 'a/b', valueExpression: 'object.' }, { valueExpression: '"x"' }],
          },
        }),
      ),
    ).toEqual([
      'spec.paramKind.apiVersion: Invalid value: "not a version": must be a valid group/version',
      'spec.paramKind.kind: Required value',
      "spec.auditAnnotations[0].key: Invalid value: \"a/b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)",
      'spec.auditAnnotations[1].key: Required value',
      expect.stringMatching(
        /^spec\.auditAnnotations\[0\]\.valueExpression: Invalid value: "object\.": compilation failed/,
      ) as unknown as string,
    ]);
  });

  it('names a messageExpression that does not compile by its own path', () => {
    expect(
      issues(
        validateAdmissionPolicy({
          spec: { matchConstraints: rules, validations: [{ expression: 'true', messageExpression: "'a' +" }] },
        }),
      ),
    ).toEqual([
      expect.stringMatching(
        /^spec\.validations\[0\]\.messageExpression: Invalid value: "'a' \+": compilation failed/,
      ) as unknown as string,
    ]);
  });

  it('takes paramRef by name or selector with a parameterNotFoundAction, and the Audit action', () => {
    expect(
      validateAdmissionPolicyBinding({
        spec: {
          policyName: 'p',
          validationActions: ['Audit', 'Warn'],
          paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' },
        },
      }),
    ).toEqual([]);
    expect(
      issues(
        validateAdmissionPolicyBinding({
          spec: {
            policyName: 'p',
            validationActions: ['Deny'],
            paramRef: { name: 'a', selector: {}, parameterNotFoundAction: 'Maybe' },
          },
        }),
      ),
    ).toEqual([
      'spec.paramRef.name: Forbidden: name and selector are mutually exclusive',
      'spec.paramRef.parameterNotFoundAction: Unsupported value: "Maybe": supported values: "Allow", "Deny"',
    ]);
    expect(
      issues(validateAdmissionPolicyBinding({ spec: { policyName: 'p', validationActions: ['Deny'], paramRef: {} } })),
    ).toEqual([
      'spec.paramRef: Required value: one of name or selector must be specified',
      'spec.paramRef.parameterNotFoundAction: Required value',
    ]);
  });

  it('warns (without refusing) about an expression whose estimated cost is far over the runtime limit', () => {
    const policy = (expression: string) => ({ spec: { matchConstraints: rules, validations: [{ expression }] } });
    expect(
      expressionCostWarnings(policy("object.spec.containers.all(c, c.image.startsWith('registry.example.com/'))")),
    ).toEqual([]);
    expect(expressionCostWarnings(policy('object.data.all(a, object.data.all(b, a == b || a != b))'))).toEqual([
      'spec.validations[0].expression: estimated expression cost exceeds the runtime cost limit by factor of more than 100x (try simplifying the expression): it fails once the lists it walks are long',
    ]);
    expect(
      expressionCostWarnings({
        webhooks: [
          { matchConditions: [{ name: 'pairs', expression: 'object.data.all(a, object.data.exists(b, a != b))' }] },
        ],
      }),
    ).toHaveLength(1);
  });
});
