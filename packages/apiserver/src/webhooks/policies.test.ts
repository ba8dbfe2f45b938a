import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@wharf/api';
import { ApiError } from '../errors.js';
import { ObjectApi } from '../objects/api.js';
import { internalContext } from '../objects/context.js';
import { ResourceRegistry, type Served } from '../registry.js';
import { SqliteStore } from '../storage/index.js';
import { PolicyAdmission, VALIDATION_FAILURE_ANNOTATION, type PolicyCall } from './policies.js';

const ADMISSION = 'admissionregistration.k8s.io';

function setup() {
  const registry = new ResourceRegistry();
  const api = new ObjectApi({ store: new SqliteStore({ path: ':memory:' }), registry, admission: [] });
  const served = (group: string, resource: string): Served => registry.lookup(group, 'v1', resource) as Served;
  // On SQLite a create is stored before its promise settles, so the policies see it at once.
  const put = (group: string, resource: string, ns: string, o: Record<string, unknown>): void => {
    void api.create(served(group, resource), ns, o as KubeObject, internalContext());
  };
  put('', 'namespaces', '', { metadata: { name: 'team-a' } });
  const policies = new PolicyAdmission(api.store, registry);
  const configMaps = served('', 'configmaps');
  /**
   * Runs the policies on the CREATE of a ConfigMap with `data` in team-a: the error, warnings and audit annotations.
   */
  const create = (data: Record<string, string>, ns = 'team-a') => {
    const call: PolicyCall = { user: { name: 'alice', groups: [] }, dryRun: false, warnings: [], auditAnnotations: {} };
    let error: ApiError | undefined;
    try {
      policies.validate(
        {
          operation: 'CREATE',
          served: configMaps,
          namespace: ns,
          name: 'cm',
          subresource: '',
          object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: ns }, data },
          oldObject: undefined,
        },
        call,
      );
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      error = e;
    }
    return {
      error: error ? `${error.code} ${error.message}` : undefined,
      warnings: call.warnings,
      annotations: call.auditAnnotations,
    };
  };
  const policy = (name: string, spec: Record<string, unknown>): void =>
    put(ADMISSION, 'validatingadmissionpolicies', '', {
      metadata: { name },
      spec: {
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
        },
        ...spec,
      },
    });
  const binding = (name: string, spec: Record<string, unknown>): void =>
    put(ADMISSION, 'validatingadmissionpolicybindings', '', { metadata: { name }, spec });
  return { put, create, policy, binding };
}

describe('ValidatingAdmissionPolicy evaluation', () => {
  it('reads params by name from the request namespace, denies per parameter, and applies parameterNotFoundAction', () => {
    const t = setup();
    t.policy('max-keys', {
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      validations: [
        {
          expression: 'size(object.data) <= int(params.data.max)',
          messageExpression: "'at most ' + params.data.max + ' keys'",
        },
      ],
    });
    t.binding('max-keys-deny', {
      policyName: 'max-keys',
      validationActions: ['Deny'],
      paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' },
    });
    expect(t.create({ a: '1' }).error).toBe(
      "422 ValidatingAdmissionPolicy 'max-keys' with binding 'max-keys-deny' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
    );
    t.put('', 'configmaps', 'team-a', { metadata: { name: 'limits' }, data: { max: '1' } });
    expect(t.create({ a: '1' }).error).toBeUndefined();
    expect(t.create({ a: '1', b: '2' }).error).toBe(
      "422 ValidatingAdmissionPolicy 'max-keys' with binding 'max-keys-deny' denied request: at most 1 keys",
    );
  });

  it('lets a request through unevaluated when no parameter is found and the binding says Allow', () => {
    const t = setup();
    t.policy('max-keys', {
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      validations: [{ expression: 'size(object.data) <= int(params.data.max)' }],
    });
    t.binding('max-keys', {
      policyName: 'max-keys',
      validationActions: ['Deny'],
      paramRef: { name: 'limits', parameterNotFoundAction: 'Allow' },
    });
    expect(t.create({ a: '1', b: '2' }).error).toBeUndefined();
    // A parameter kind this server does not serve is a configuration error.
    t.policy('unknown-kind', {
      paramKind: { apiVersion: 'example.com/v1', kind: 'Limits' },
      validations: [{ expression: 'true' }],
    });
    t.binding('unknown-kind', {
      policyName: 'unknown-kind',
      validationActions: ['Deny'],
      paramRef: { name: 'limits', parameterNotFoundAction: 'Allow' },
    });
    expect(t.create({ a: '1' }).error).toBe(
      "422 ValidatingAdmissionPolicy 'unknown-kind' with binding 'unknown-kind' denied request: failed to configure binding: paramKind kind `Limits.example.com/v1` not known",
    );
  });

  it('evaluates once per parameter a selector finds, in the paramRef namespace', () => {
    const t = setup();
    t.put('', 'namespaces', '', { metadata: { name: 'params' } });
    t.put('', 'configmaps', 'params', { metadata: { name: 'no-a', labels: { rule: 'banned' } }, data: { key: 'a' } });
    t.put('', 'configmaps', 'params', { metadata: { name: 'no-b', labels: { rule: 'banned' } }, data: { key: 'b' } });
    t.put('', 'configmaps', 'params', { metadata: { name: 'no-c' }, data: { key: 'c' } });
    t.policy('banned-keys', {
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      validations: [
        {
          expression: '!(params.data.key in object.data)',
          messageExpression: "'key ' + params.data.key + ' is banned'",
        },
      ],
    });
    t.binding('banned-keys', {
      policyName: 'banned-keys',
      validationActions: ['Warn'],
      paramRef: {
        namespace: 'params',
        selector: { matchLabels: { rule: 'banned' } },
        parameterNotFoundAction: 'Allow',
      },
    });
    expect(t.create({ a: '1', b: '2', c: '3' }).warnings).toEqual([
      "Validation failed for ValidatingAdmissionPolicy 'banned-keys' with binding 'banned-keys': key a is banned",
      "Validation failed for ValidatingAdmissionPolicy 'banned-keys' with binding 'banned-keys': key b is banned",
    ]);
  });

  it('records auditAnnotations and Audit failures for the audit event', () => {
    const t = setup();
    t.policy('audited', {
      validations: [{ expression: "!('secret' in object.data)", message: 'no secrets in ConfigMaps' }],
      auditAnnotations: [{ key: 'keys', valueExpression: "string(size(object.data)) + ' keys'" }],
    });
    t.binding('audited', { policyName: 'audited', validationActions: ['Audit'] });
    const r = t.create({ secret: 'x' });
    expect(r.error).toBeUndefined();
    expect(r.annotations?.['audited/keys']).toBe('1 keys');
    expect(JSON.parse(r.annotations?.[VALIDATION_FAILURE_ANNOTATION] ?? '[]')).toEqual([
      {
        message: 'no secrets in ConfigMaps',
        policy: 'audited',
        binding: 'audited',
        expressionIndex: 0,
        validationActions: ['Audit'],
      },
    ]);
  });

  it('stops an expression over the per-call cost limit; failurePolicy decides', () => {
    const t = setup();
    // 1,100 × 1,100 comparisons: over PerCallLimit.
    const expensive = 'object.data.all(a, object.data.all(b, a == b || a != b))';
    t.policy('costly', { failurePolicy: 'Fail', validations: [{ expression: expensive }] });
    t.binding('costly', { policyName: 'costly', validationActions: ['Deny'] });
    const data = Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`k${i}`, '']));
    expect(t.create(data).error).toBe(
      `422 ValidatingAdmissionPolicy 'costly' with binding 'costly' denied request: expression '${expensive}' resulted in error: operation cancelled: actual cost limit exceeded`,
    );
    expect(t.create({ a: '' }).error).toBeUndefined();
    const lenient = setup();
    lenient.policy('costly', { failurePolicy: 'Ignore', validations: [{ expression: expensive }] });
    lenient.binding('costly', { policyName: 'costly', validationActions: ['Deny'] });
    expect(lenient.create(data).error).toBeUndefined();
  });

  it('fails the binding once its expressions together spend the request budget', () => {
    const t = setup();
    // Each expression stays under the per-call limit (450² pairs of two comparisons of 2 units: about 810,000);
    // fourteen do not fit in 10,000,000.
    const pairs = 'object.data.all(a, object.data.all(b, a == b || a != b))';
    t.policy('greedy', { validations: Array.from({ length: 14 }, () => ({ expression: pairs })) });
    t.binding('greedy', { policyName: 'greedy', validationActions: ['Deny'] });
    const data = Object.fromEntries(Array.from({ length: 450 }, (_, i) => [`k${i}`, '']));
    expect(t.create(data).error).toBe(
      "422 ValidatingAdmissionPolicy 'greedy' with binding 'greedy' denied request: validation failed due to running out of cost budget, no further validation rules will be run",
    );
  });
});
