import { describe, expect, it } from 'vitest';
import { validateKind } from './kinds.js';
import type { FieldIssue } from './issues.js';

type Obj = Record<string, unknown>;
const fields = (errs: FieldIssue[]): string[] => errs.map((e) => e.field);
const line = (errs: FieldIssue[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

function deployment(spec: Obj = {}, podSpec: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }], ...podSpec },
      },
      ...spec,
    },
  };
}

describe('Pod', () => {
  const pod = (spec: Obj): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });

  it('accepts a minimal pod', () => {
    expect(validateKind('', 'v1', 'Pod', pod({ containers: [{ name: 'app', image: 'busybox' }] }))).toEqual([]);
  });

  it('requires containers, each with a name and an image', () => {
    expect(line(validateKind('', 'v1', 'Pod', pod({})))).toEqual(['spec.containers: Required value']);
    expect(line(validateKind('', 'v1', 'Pod', pod({ containers: [{}] })))).toEqual([
      'spec.containers[0].name: Required value',
      'spec.containers[0].image: Required value',
    ]);
  });

  it('wants container names to be unique DNS labels', () => {
    const errs = validateKind(
      '',
      'v1',
      'Pod',
      pod({
        containers: [
          { name: 'App', image: 'a' },
          { name: 'b', image: 'b' },
          { name: 'b', image: 'c' },
        ],
      }),
    );
    expect(fields(errs)).toEqual(['spec.containers[0].name', 'spec.containers[2].name']);
    expect(errs[0]?.message).toMatch(/^Invalid value: "App": a lowercase RFC 1123 label must consist of/);
    expect(errs[1]).toEqual({
      reason: 'FieldValueDuplicate',
      field: 'spec.containers[2].name',
      message: 'Duplicate value: "b"',
    });
  });

  it('checks ports, protocols and policies', () => {
    const errs = validateKind(
      '',
      'v1',
      'Pod',
      pod({
        restartPolicy: 'Sometimes',
        dnsPolicy: 'Google',
        containers: [{ name: 'a', image: 'a', ports: [{ containerPort: 70000, protocol: 'HTTP' }] }],
      }),
    );
    expect(line(errs)).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]);
  });

  it('wants volume names unique and mounts to name a volume', () => {
    const errs = validateKind(
      '',
      'v1',
      'Pod',
      pod({
        volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }, { name: 'cfg' }],
        containers: [
          {
            name: 'a',
            image: 'a',
            volumeMounts: [
              { name: 'data', mountPath: '/d' },
              { name: 'missing', mountPath: '/m' },
            ],
          },
        ],
      }),
    );
    expect(line(errs)).toEqual([
      'spec.volumes[1].name: Duplicate value: "data"',
      'spec.volumes[2]: Required value: must specify a volume type',
      'spec.containers[0].volumeMounts[1].name: Not found: "missing"',
    ]);
  });

  it('checks image volumes: a reference, a known pull policy, and read-only mounts only', () => {
    const errs = validateKind(
      '',
      'v1',
      'Pod',
      pod({
        volumes: [
          { name: 'site', image: { reference: 'site:1', pullPolicy: 'IfNotPresent' } },
          { name: 'none', image: { pullPolicy: 'Sometimes' } },
        ],
        containers: [
          {
            name: 'a',
            image: 'a',
            volumeMounts: [
              { name: 'site', mountPath: '/ok', subPath: 'www' },
              { name: 'site', mountPath: '/ro', readOnly: true },
              { name: 'site', mountPath: '/rw', readOnly: false },
            ],
          },
        ],
      }),
    );
    expect(line(errs)).toEqual([
      'spec.volumes[1].image.reference: Required value',
      'spec.volumes[1].image.pullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      'spec.containers[0].volumeMounts[2].readOnly: Invalid value: false: image volumes are read-only: omit readOnly or set it to true',
    ]);
  });

  it('wants requests no larger than limits', () => {
    const errs = validateKind(
      '',
      'v1',
      'Pod',
      pod({ containers: [{ name: 'a', image: 'a', resources: { limits: { cpu: '500m' }, requests: { cpu: 1 } } }] }),
    );
    expect(line(errs)).toEqual([
      'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m',
    ]);
  });

  it('lets an update change only images (and binding a node once)', () => {
    const old = pod({ containers: [{ name: 'a', image: 'a:1' }] });
    expect(validateKind('', 'v1', 'Pod', pod({ containers: [{ name: 'a', image: 'a:2' }] }), old)).toEqual([]);
    expect(
      validateKind('', 'v1', 'Pod', pod({ nodeName: 'n1', containers: [{ name: 'a', image: 'a:1' }] }), old),
    ).toEqual([]);
    const [err] = validateKind(
      '',
      'v1',
      'Pod',
      pod({ containers: [{ name: 'a', image: 'a:1', command: ['sh'] }] }),
      old,
    );
    expect(err?.field).toBe('spec');
    expect(err?.message).toMatch(
      /^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/,
    );
  });
});

describe('workloads', () => {
  it('accepts a valid Deployment', () => {
    expect(validateKind('apps', 'v1', 'Deployment', deployment())).toEqual([]);
  });

  it('reports a selector that does not match the template labels, exactly as Kubernetes', () => {
    const errs = validateKind('apps', 'v1', 'Deployment', deployment({ selector: { matchLabels: { app: 'api' } } }));
    expect(errs).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.template.metadata.labels',
        message: 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      },
    ]);
  });

  it('requires a non-empty selector in apps/v1', () => {
    expect(line(validateKind('apps', 'v1', 'Deployment', deployment({ selector: undefined })))).toEqual([
      'spec.selector: Required value',
    ]);
    expect(line(validateKind('apps', 'v1', 'ReplicaSet', deployment({ selector: {} })))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
  });

  it('evaluates matchExpressions against the template labels', () => {
    const sel = { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] };
    expect(validateKind('apps', 'v1', 'DaemonSet', deployment({ selector: sel }))).toEqual([]);
    const bad = { matchExpressions: [{ key: 'app', operator: 'Within', values: [] }] };
    expect(line(validateKind('apps', 'v1', 'DaemonSet', deployment({ selector: bad })))).toContain(
      'spec.selector.matchExpressions[0].operator: Invalid value: "Within": not a valid selector operator',
    );
  });

  it('rejects negative replicas and a non-Always restart policy', () => {
    expect(
      line(validateKind('apps', 'v1', 'Deployment', deployment({ replicas: -1 }, { restartPolicy: 'Never' }))),
    ).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
  });

  it('checks the rolling update parameters', () => {
    const errs = validateKind(
      'apps',
      'v1',
      'Deployment',
      deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }),
    );
    expect(line(errs)).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0',
    ]);
    expect(fields(validateKind('apps', 'v1', 'Deployment', deployment({ strategy: { type: 'BlueGreen' } })))).toEqual([
      'spec.strategy.type',
    ]);
  });

  it('keeps a Deployment selector immutable on update', () => {
    const old = deployment();
    const next = deployment({ selector: { matchLabels: { app: 'web', tier: 'x' } } });
    ((next.spec as Obj).template as Obj).metadata = { labels: { app: 'web', tier: 'x' } };
    expect(line(validateKind('apps', 'v1', 'Deployment', next, old))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
    expect(validateKind('apps', 'v1', 'Deployment', deployment({ replicas: 5 }), old)).toEqual([]);
  });

  it('forbids StatefulSet spec changes outside the allowed fields', () => {
    const sts = (extra: Obj): Obj => ({ ...deployment({ serviceName: 'web', ...extra }), kind: 'StatefulSet' });
    expect(validateKind('apps', 'v1', 'StatefulSet', sts({ replicas: 4 }), sts({}))).toEqual([]);
    const [err] = validateKind('apps', 'v1', 'StatefulSet', sts({ serviceName: 'other' }), sts({}));
    expect(err?.message).toBe(
      "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
  });

  it('lets StatefulSet containers mount their volumeClaimTemplates', () => {
    const mounts = {
      containers: [{ name: 'db', image: 'postgres', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    };
    const sts = (claims: string[]): Obj => ({
      ...deployment(
        { serviceName: 'db', volumeClaimTemplates: claims.map((name) => ({ metadata: { name }, spec: {} })) },
        mounts,
      ),
      kind: 'StatefulSet',
    });
    expect(validateKind('apps', 'v1', 'StatefulSet', sts(['data']))).toEqual([]);
    expect(line(validateKind('apps', 'v1', 'StatefulSet', sts(['other'])))).toEqual([
      'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ]);
  });

  it('wants Job pods to restart OnFailure or Never, and keeps the template fixed', () => {
    const job = (podSpec: Obj): Obj => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'perl' }], ...podSpec } } },
    });
    expect(line(validateKind('batch', 'v1', 'Job', job({})))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
    expect(validateKind('batch', 'v1', 'Job', job({ restartPolicy: 'Never' }))).toEqual([]);
    const changed = validateKind(
      'batch',
      'v1',
      'Job',
      job({ restartPolicy: 'OnFailure' }),
      job({ restartPolicy: 'Never' }),
    );
    expect(fields(changed)).toEqual(['spec.template']);
    expect(changed[0]?.message).toMatch(/: field is immutable$/);
  });

  it('checks CronJob schedules and name length', () => {
    const cron = (schedule: unknown, name = 'nightly'): Obj => ({
      metadata: { name },
      spec: {
        schedule,
        jobTemplate: {
          spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } },
        },
      },
    });
    expect(validateKind('batch', 'v1', 'CronJob', cron('*/5 * * * *'))).toEqual([]);
    expect(validateKind('batch', 'v1', 'CronJob', cron('@daily'))).toEqual([]);
    expect(line(validateKind('batch', 'v1', 'CronJob', cron('')))).toEqual(['spec.schedule: Required value']);
    expect(line(validateKind('batch', 'v1', 'CronJob', cron('every day')))).toEqual([
      'spec.schedule: Invalid value: "every day": expected exactly 5 fields, found 2: [every day]',
    ]);
    expect(line(validateKind('batch', 'v1', 'CronJob', cron('0 25 * * *')))).toEqual([
      'spec.schedule: Invalid value: "0 25 * * *": end of range (25) above maximum (23): 25',
    ]);
    expect(line(validateKind('batch', 'v1', 'CronJob', cron('0 * * * *', 'n'.repeat(53))))).toEqual([
      `metadata.name: Invalid value: "${'n'.repeat(53)}": must be no more than 52 characters`,
    ]);
  });
});

describe('Service', () => {
  const svc = (spec: Obj): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec });

  it('requires ports unless headless or ExternalName', () => {
    expect(line(validateKind('', 'v1', 'Service', svc({ selector: { app: 'web' } })))).toEqual([
      'spec.ports: Required value',
    ]);
    expect(validateKind('', 'v1', 'Service', svc({ clusterIP: 'None', selector: { app: 'web' } }))).toEqual([]);
    expect(validateKind('', 'v1', 'Service', svc({ type: 'ExternalName', externalName: 'db.example.com' }))).toEqual(
      [],
    );
    expect(line(validateKind('', 'v1', 'Service', svc({ type: 'ExternalName' })))).toEqual([
      'spec.externalName: Required value',
    ]);
  });

  it('checks port numbers, names, protocols and the type', () => {
    const errs = validateKind(
      '',
      'v1',
      'Service',
      svc({
        type: 'Internal',
        ports: [
          { port: 0, protocol: 'TCP' },
          { name: 'b', port: 80, protocol: 'ICMP' },
        ],
      }),
    );
    expect(line(errs)).toEqual([
      'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'spec.ports[0].name: Required value',
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ]);
  });

  it('flags duplicate port/protocol pairs', () => {
    const errs = validateKind(
      '',
      'v1',
      'Service',
      svc({
        ports: [
          { name: 'a', port: 80 },
          { name: 'b', port: 80 },
        ],
      }),
    );
    expect(errs).toHaveLength(1);
    expect(errs[0]?.reason).toBe('FieldValueDuplicate');
    expect(errs[0]?.field).toBe('spec.ports[1]');
  });

  it('keeps clusterIP on update', () => {
    const old = svc({ clusterIP: '10.96.0.10', ports: [{ port: 53 }] });
    expect(validateKind('', 'v1', 'Service', svc({ ports: [{ port: 53 }] }), old)).toEqual([]);
    expect(
      line(validateKind('', 'v1', 'Service', svc({ clusterIP: '10.96.0.11', ports: [{ port: 53 }] }), old)),
    ).toEqual(['spec.clusterIP: Invalid value: "10.96.0.11": field is immutable']);
  });
});

describe('ConfigMap and Secret', () => {
  it('wants config keys made of alphanumerics, "-", "_" and "."', () => {
    const errs = validateKind('', 'v1', 'ConfigMap', { data: { 'app.properties': 'x', 'bad key': 'y' } });
    expect(line(errs)).toEqual([
      "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
  });

  it('requires the keys of well-known Secret types', () => {
    expect(
      line(validateKind('', 'v1', 'Secret', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==' } })),
    ).toEqual(['data[tls.key]: Required value']);
    expect(
      validateKind('', 'v1', 'Secret', {
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': 'Y2VydA==' },
        stringData: { 'tls.key': 'k' },
      }),
    ).toEqual([]);
  });

  it('freezes data once immutable is set', () => {
    const old = { immutable: true, data: { a: 'YQ==' } };
    expect(validateKind('', 'v1', 'Secret', { immutable: true, data: { a: 'YQ==' } }, old)).toEqual([]);
    expect(line(validateKind('', 'v1', 'Secret', { immutable: false, data: { a: 'Yg==' } }, old))).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    expect(
      line(
        validateKind(
          '',
          'v1',
          'ConfigMap',
          { immutable: true, data: { a: 'changed' } },
          { immutable: true, data: { a: 'x' } },
        ),
      ),
    ).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
  });
});

describe('PersistentVolumeClaim', () => {
  const pvc = (spec: Obj): Obj => ({
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  });

  it('requires access modes and a storage request', () => {
    expect(validateKind('', 'v1', 'PersistentVolumeClaim', pvc({}))).toEqual([]);
    expect(line(validateKind('', 'v1', 'PersistentVolumeClaim', pvc({ accessModes: [], resources: {} })))).toEqual([
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Required value',
    ]);
  });

  it('allows only growing the request on update', () => {
    const old = pvc({ volumeName: 'pv-1' });
    expect(
      validateKind(
        '',
        'v1',
        'PersistentVolumeClaim',
        pvc({ volumeName: 'pv-1', resources: { requests: { storage: '2Gi' } } }),
        old,
      ),
    ).toEqual([]);
    expect(
      fields(
        validateKind('', 'v1', 'PersistentVolumeClaim', pvc({ volumeName: 'pv-1', storageClassName: 'fast' }), old),
      ),
    ).toEqual(['spec']);
    expect(
      fields(
        validateKind(
          '',
          'v1',
          'PersistentVolumeClaim',
          pvc({ volumeName: 'pv-1', resources: { requests: { storage: '512Mi' } } }),
          old,
        ),
      ),
    ).toEqual(['spec.resources.requests.storage']);
  });
});

describe('RBAC', () => {
  const rbac = 'rbac.authorization.k8s.io';

  it('requires verbs, api groups and resources in rules', () => {
    const errs = validateKind(rbac, 'v1', 'Role', {
      rules: [{ resources: ['pods'] }, { nonResourceURLs: ['/healthz'], verbs: ['get'] }],
    });
    expect(line(errs)).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    ]);
    expect(
      validateKind(rbac, 'v1', 'ClusterRole', { rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }),
    ).toEqual([]);
  });

  it('checks bindings and keeps roleRef fixed', () => {
    const binding = (name: string): Obj => ({
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
    });
    expect(validateKind(rbac, 'v1', 'ClusterRoleBinding', binding('view'))).toEqual([]);
    expect(
      line(validateKind(rbac, 'v1', 'ClusterRoleBinding', { roleRef: { apiGroup: rbac, kind: 'Role', name: 'x' } })),
    ).toEqual(['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"']);
    expect(line(validateKind(rbac, 'v1', 'RoleBinding', binding('edit'), binding('view')))).toEqual([
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    ]);
  });
});

describe('kinds without rules', () => {
  it('yield no issues', () => {
    expect(validateKind('coordination.k8s.io', 'v1', 'Lease', { spec: { holderIdentity: 'x' } })).toEqual([]);
    expect(validateKind('stable.example.com', 'v1', 'CronTab', { spec: {} })).toEqual([]);
  });
});
