import { describe, expect, it } from 'vitest';
import { checkTypes } from './check-types.js';

function deployment(
  overrides: Record<string, unknown> = {},
  container: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], ...container }] },
      },
      ...overrides,
    },
  };
}

describe('checkTypes', () => {
  it('accepts a well-formed Deployment', () => {
    expect(checkTypes(deployment(), 'V1Deployment')).toEqual({ unknown: [], invalid: [] });
  });

  it('names a typo’d container field with its full path', () => {
    const r = checkTypes(deployment({}, { imagee: 'nginx' }), 'V1Deployment');
    expect(r.invalid).toEqual([]);
    expect(r.unknown).toEqual([
      {
        reason: 'FieldValueUnknown',
        field: 'spec.template.spec.containers[0].imagee',
        message: 'unknown field "spec.template.spec.containers[0].imagee"',
      },
    ]);
  });

  it('reports unknown fields at every level, including metadata', () => {
    const obj = deployment({ foo: 1 });
    (obj.metadata as Record<string, unknown>).nmae = 'x';
    obj.extra = true;
    const fields = checkTypes(obj, 'V1Deployment').unknown.map((i) => i.field);
    expect(fields.sort()).toEqual(['extra', 'metadata.nmae', 'spec.foo']);
  });

  it('rejects a string where int32 is expected, as the JSON decoder words it', () => {
    const r = checkTypes(deployment({ replicas: '3' }), 'V1Deployment');
    expect(r.invalid).toEqual([
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.replicas',
        message: 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
      },
    ]);
  });

  it('rejects fractional and out-of-range integers', () => {
    expect(checkTypes(deployment({ replicas: 1.5 }), 'V1Deployment').invalid[0]?.message).toContain(
      'cannot unmarshal number 1.5 into Go struct field',
    );
    expect(checkTypes(deployment({ replicas: 2 ** 31 }), 'V1Deployment').invalid).toHaveLength(1);
  });

  it('rejects an object where a list is expected, naming the element type', () => {
    const obj = deployment();
    const template = (obj.spec as Record<string, Record<string, Record<string, unknown>>>).template as Record<
      string,
      Record<string, unknown>
    >;
    (template.spec as Record<string, unknown>).containers = { name: 'x' };
    const [issue] = checkTypes(obj, 'V1Deployment').invalid;
    expect(issue?.field).toBe('spec.template.spec.containers');
    expect(issue?.message).toBe(
      'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container',
    );
  });

  it('accepts quantities as numbers or strings, and rejects malformed ones', () => {
    const ok = deployment(
      {},
      { resources: { limits: { cpu: 0.5, memory: '128Mi' }, requests: { cpu: '250m', memory: 64e6 } } },
    );
    expect(checkTypes(ok, 'V1Deployment').invalid).toEqual([]);
    const bad = deployment({}, { resources: { limits: { cpu: 'lots' } } });
    expect(checkTypes(bad, 'V1Deployment').invalid).toEqual([
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.template.spec.containers[0].resources.limits[cpu]',
        message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      },
    ]);
  });

  it('accepts quantities in ResourceQuota, node capacity and PVC requests', () => {
    expect(checkTypes({ spec: { hard: { pods: 10, 'requests.cpu': '4' } } }, 'V1ResourceQuota').invalid).toEqual([]);
    expect(
      checkTypes({ status: { capacity: { cpu: 8, memory: '32Gi' }, allocatable: { pods: 110 } } }, 'V1Node').invalid,
    ).toEqual([]);
    expect(
      checkTypes({ spec: { resources: { requests: { storage: 1073741824 } } } }, 'V1PersistentVolumeClaim').invalid,
    ).toEqual([]);
  });

  it('accepts both ints and strings for int-or-string, nothing else', () => {
    const svc = (targetPort: unknown): unknown => ({ spec: { ports: [{ port: 80, targetPort }] } });
    expect(checkTypes(svc(8080), 'V1Service').invalid).toEqual([]);
    expect(checkTypes(svc('http'), 'V1Service').invalid).toEqual([]);
    expect(checkTypes(svc(true), 'V1Service').invalid[0]?.message).toBe(
      'json: cannot unmarshal bool into Go value of type int32',
    );
  });

  it('requires RFC3339 strings (or null) for timestamps', () => {
    expect(checkTypes({ metadata: { creationTimestamp: '2024-05-01T10:00:00Z' } }, 'V1Pod').invalid).toEqual([]);
    expect(checkTypes({ metadata: { creationTimestamp: null } }, 'V1Pod').invalid).toEqual([]);
    expect(checkTypes({ metadata: { creationTimestamp: 'yesterday' } }, 'V1Pod').invalid[0]?.field).toBe(
      'metadata.creationTimestamp',
    );
    expect(checkTypes({ metadata: { creationTimestamp: 1714557600 } }, 'V1Pod').invalid).toHaveLength(1);
  });

  it('lets `any` fields hold anything and null go anywhere', () => {
    expect(checkTypes({ data: { whatever: [1, { a: 2 }] }, revision: 1 }, 'V1ControllerRevision')).toEqual({
      unknown: [],
      invalid: [],
    });
    expect(checkTypes(deployment({ replicas: null, template: null }), 'V1Deployment').invalid).toEqual([]);
  });

  it('checks Secret data is base64, as the decoder does', () => {
    const r = checkTypes({ apiVersion: 'v1', kind: 'Secret', data: { ok: 'aGVsbG8=', bad: 'hello!' } }, 'V1Secret');
    expect(r.invalid).toEqual([
      { reason: 'FieldValueTypeInvalid', field: 'data[bad]', message: 'illegal base64 data at input byte 5' },
    ]);
    expect(checkTypes({ stringData: { password: 'not base64 at all!' } }, 'V1Secret').invalid).toEqual([]);
  });

  it('rejects a body that is not an object, and ignores unknown type names', () => {
    expect(checkTypes([], 'V1Pod').invalid[0]?.message).toBe(
      'json: cannot unmarshal array into Go value of type v1.Pod',
    );
    expect(checkTypes({ anything: 1 }, 'NoSuchType')).toEqual({ unknown: [], invalid: [] });
  });

  it('walks CRD schemas, reporting misspelled schema keywords', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'crontabs.stable.example.com' },
      spec: {
        group: 'stable.example.com',
        scope: 'Namespaced',
        names: { plural: 'crontabs', kind: 'CronTab' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, propertes: {} } },
              },
            },
          },
        ],
      },
    };
    expect(checkTypes(crd, 'V1CustomResourceDefinition')).toEqual({
      unknown: [
        {
          reason: 'FieldValueUnknown',
          field: 'spec.versions[0].schema.openAPIV3Schema.properties[spec].propertes',
          message: 'unknown field "spec.versions[0].schema.openAPIV3Schema.properties[spec].propertes"',
        },
      ],
      invalid: [],
    });
  });
});
