import { describe, expect, it } from 'vitest';
import { BUILTIN_RESOURCES, type ResourceInfo } from '@wharf/api';
import { strategyFor } from '../kinds/registry.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';

/** The options the object API passes: the kind's name rule comes from its strategy. */
const opts = (base: { namespaceRequired: boolean }, group: string, kind: string) => ({
  ...base,
  nameRule: strategyFor(group, kind)?.nameRule,
});

function info(group: string, kind: string): ResourceInfo {
  const r = BUILTIN_RESOURCES.find((x) => x.group === group && x.kind === kind);
  if (!r) throw new Error(`no resource ${group}/${kind}`);
  return r;
}

const configmap = info('', 'ConfigMap');
const ns = { namespaceRequired: true };
const cluster = { namespaceRequired: false };
const meta = (m: Record<string, unknown>): unknown => ({ metadata: { namespace: 'default', ...m } });

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('validateObjectMeta', () => {
  it('accepts a plain valid object', () => {
    expect(validateObjectMeta(meta({ name: 'app-config', labels: { app: 'web' } }), configmap, ns)).toEqual([]);
  });

  it('requires a name unless generateName is set', () => {
    expect(validateObjectMeta(meta({}), configmap, ns)).toEqual([
      {
        reason: 'FieldValueRequired',
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
      },
    ]);
    expect(validateObjectMeta(meta({ generateName: 'cfg-' }), configmap, ns)).toEqual([]);
  });

  it('rejects a bad subdomain name with the exact Kubernetes message', () => {
    expect(validateObjectMeta(meta({ name: 'Foo_' }), configmap, ns)).toEqual([
      { reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "Foo_": ${SUBDOMAIN_MSG}` },
    ]);
  });

  it('limits subdomain names to 253 characters', () => {
    const errs = validateObjectMeta(meta({ name: 'a'.repeat(254) }), configmap, ns);
    expect(errs.map((e) => e.message)).toEqual([
      `Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`,
    ]);
  });

  it('uses DNS labels for namespaces and DNS-1035 labels for services', () => {
    const [nsErr] = validateObjectMeta(
      { metadata: { name: 'team.a' } },
      info('', 'Namespace'),
      opts(cluster, '', 'Namespace'),
    );
    expect(nsErr?.message).toBe('Invalid value: "team.a": must not contain dots');
    const [svcErr] = validateObjectMeta(meta({ name: '1web' }), info('', 'Service'), opts(ns, '', 'Service'));
    expect(svcErr?.message).toBe(
      "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  });

  it('allows path-segment names for RBAC kinds', () => {
    const role = info('rbac.authorization.k8s.io', 'ClusterRole');
    const cluster = opts({ namespaceRequired: false }, role.group, role.kind);
    expect(validateObjectMeta({ metadata: { name: 'system:controller:Foo' } }, role, cluster)).toEqual([]);
    expect(validateObjectMeta({ metadata: { name: 'a/b' } }, role, cluster)[0]?.message).toBe(
      'Invalid value: "a/b": may not contain \'/\'',
    );
    expect(validateObjectMeta({ metadata: { name: '..' } }, role, cluster)[0]?.message).toBe(
      'Invalid value: "..": may not be \'..\'',
    );
  });

  it('checks the namespace is present for namespaced kinds and absent otherwise', () => {
    expect(validateObjectMeta({ metadata: { name: 'x' } }, configmap, ns)).toEqual([
      { reason: 'FieldValueRequired', field: 'metadata.namespace', message: 'Required value' },
    ]);
    expect(validateObjectMeta({ metadata: { name: 'n1', namespace: 'default' } }, info('', 'Node'), cluster)).toEqual([
      { reason: 'FieldValueForbidden', field: 'metadata.namespace', message: 'Forbidden: not allowed on this type' },
    ]);
  });

  it('validates label keys and values', () => {
    const errs = validateObjectMeta(
      meta({ name: 'x', labels: { 'example.com/tier': 'front end', '-bad': 'ok' } }),
      configmap,
      ns,
    );
    expect(errs.map((e) => e.field)).toEqual(['metadata.labels', 'metadata.labels']);
    expect(errs[0]?.message).toMatch(/^Invalid value: "front end": a valid label must be an empty string/);
    expect(errs[1]?.message).toMatch(/^Invalid value: "-bad": name part must consist of alphanumeric characters/);
    const long = validateObjectMeta(meta({ name: 'x', labels: { app: 'v'.repeat(64) } }), configmap, ns);
    expect(long[0]?.message).toContain('must be no more than 63 characters');
  });

  it('limits the total size of annotations to 256 KiB', () => {
    const big = { 'example.com/blob': 'x'.repeat(256 * 1024) };
    expect(validateObjectMeta(meta({ name: 'x', annotations: big }), configmap, ns)).toEqual([
      {
        reason: 'FieldValueTooLong',
        field: 'metadata.annotations',
        message: 'Too long: may not be more than 262144 bytes',
      },
    ]);
    expect(
      validateObjectMeta(meta({ name: 'x', annotations: { 'Kubectl.Kubernetes.io/Last': '{}' } }), configmap, ns),
    ).toEqual([]);
  });

  it('wants finalizers qualified unless standard', () => {
    expect(
      validateObjectMeta(meta({ name: 'x', finalizers: ['example.com/cleanup', 'foregroundDeletion'] }), configmap, ns),
    ).toEqual([]);
    expect(
      validateObjectMeta(
        meta({ name: 'x', finalizers: ['customresourcecleanup.apiextensions.k8s.io'] }),
        configmap,
        ns,
      ),
    ).toEqual([]);
    expect(validateObjectMeta(meta({ name: 'x', finalizers: ['cleanup'] }), configmap, ns)[0]?.message).toBe(
      'Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    );
    const crInfo: ResourceInfo = {
      group: 'stable.example.com',
      version: 'v1',
      resource: 'crontabs',
      kind: 'CronTab',
      singular: 'crontab',
      namespaced: true,
      verbs: [],
    };
    expect(validateObjectMeta(meta({ name: 'x', finalizers: ['cleanup'] }), crInfo, ns)).toEqual([]);
  });

  it('checks owner references', () => {
    const errs = validateObjectMeta(
      meta({ name: 'x', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs' }] }),
      configmap,
      ns,
    );
    expect(errs).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.ownerReferences.uid',
        message: 'Invalid value: "": must not be empty',
      },
    ]);
  });
});

describe('validateObjectMetaUpdate', () => {
  it('keeps name, namespace and uid fixed', () => {
    const old = { metadata: { name: 'a', namespace: 'default', uid: 'u1' } };
    expect(
      validateObjectMetaUpdate({ metadata: { name: 'a', namespace: 'default', uid: 'u1', labels: { x: 'y' } } }, old),
    ).toEqual([]);
    expect(validateObjectMetaUpdate({ metadata: { name: 'b', namespace: 'default', uid: 'u1' } }, old)).toEqual([
      { reason: 'FieldValueInvalid', field: 'metadata.name', message: 'Invalid value: "b": field is immutable' },
    ]);
  });

  it('refuses new finalizers once deletion has started', () => {
    const old = { metadata: { name: 'a', deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['a.io/x'] } };
    const [err] = validateObjectMetaUpdate({ metadata: { name: 'a', finalizers: ['a.io/x', 'b.io/y'] } }, old);
    expect(err?.message).toBe(
      'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
    );
  });
});
