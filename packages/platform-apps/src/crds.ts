// The CustomResourceDefinitions of Application, ApplicationRevision and ConfigSet: structural
// schemas mirroring types.ts, status subresources, printer columns, and CEL rules
// (x-kubernetes-validations) for what a schema cannot say: unique component names, absolute
// paths without `..`. deploy/platform/crds.yaml is generated from these (scripts/gen-platform.mjs).
import { GROUP } from './types.js';

type Schema = Record<string, unknown>;

const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const int = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra });
const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  ...extra,
});
const arr = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const strings = (extra: Schema = {}): Schema => arr(str(), extra);
const stringMap = (value: Schema = str()): Schema => ({ type: 'object', additionalProperties: value });
/** A Kubernetes type kept as is (probes, env vars, resources): the API server validates it in the pods. */
const opaque = (): Schema => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
const rule = (r: string, message: string, extra: Schema = {}): Schema => ({ rule: r, message, ...extra });

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** A path in a container (Linux's PATH_MAX): bounded, so the CEL rules over it fit the API server's cost budget. */
const path = (extra: Schema = {}): Schema => str({ maxLength: 4096, ...extra });
/** An absolute path with no `..` segment (so an artifact or a file never escapes its directory). */
const absolutePath = (field: string): Schema[] => [
  rule(`self.${field}.startsWith('/')`, `${field} must be an absolute path`, { fieldPath: `.${field}` }),
  rule(`!self.${field}.matches('(^|/)[.][.](/|$)')`, `${field} must not contain '..'`, { fieldPath: `.${field}` }),
];
const optionalAbsolutePath = (field: string): Schema[] =>
  absolutePath(field).map((r) => ({ ...r, rule: `!has(self.${field}) || (${String(r.rule)})` }));
const condition = obj(
  {
    type: str(),
    status: str(),
    reason: str(),
    message: str(),
    lastTransitionTime: str({ format: 'date-time' }),
    observedGeneration: int(),
  },
  { required: ['type', 'status'] },
);
const conditions = arr(condition, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });
// An int or a percentage, as a Deployment's maxSurge: 1, "25%".
const intOrPercent: Schema = {
  'x-kubernetes-int-or-string': true,
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^[0-9]+%$' },
  ],
};
const pullPolicy = str({ enum: ['Always', 'IfNotPresent', 'Never'] });
const labelSelector = obj({
  matchLabels: stringMap(),
  matchExpressions: arr(obj({ key: str(), operator: str(), values: strings() }, { required: ['key', 'operator'] })),
});

const configRef = obj(
  {
    configSet: str({ minLength: 1 }),
    as: str({ enum: ['env', 'args', 'file'] }),
    mountPath: path(),
    keys: strings(),
    prefix: str(),
    update: str({ enum: ['rollout', 'inPlace', 'manual'] }),
    reload: obj(
      {
        httpGet: obj(
          { path: str({ pattern: '^/', maxLength: 2048 }), port: int({ minimum: 1, maximum: 65535 }) },
          { required: ['path', 'port'] },
        ),
        exec: obj({ command: strings({ minItems: 1, maxItems: 64 }) }, { required: ['command'] }),
        delaySeconds: int({ minimum: 0, maximum: 300 }),
      },
      { 'x-kubernetes-validations': [rule('has(self.httpGet) != has(self.exec)', 'exactly one of httpGet and exec')] },
    ),
  },
  {
    required: ['configSet', 'as'],
    'x-kubernetes-validations': [
      rule("self.as != 'file' || has(self.mountPath)", "mountPath is required when as is 'file'", {
        fieldPath: '.mountPath',
      }),
      rule(
        "!has(self.update) || self.update != 'inPlace' || self.as == 'file'",
        "update 'inPlace' needs as 'file' (env vars and args cannot change in a running process)",
        { fieldPath: '.update' },
      ),
      rule(
        "!has(self.reload) || (has(self.update) && self.update == 'inPlace')",
        "reload is called after an inPlace change: it needs update 'inPlace'",
        { fieldPath: '.reload' },
      ),
      ...optionalAbsolutePath('mountPath'),
    ],
  },
);
const secretRef = obj(
  {
    secret: str({ minLength: 1 }),
    as: str({ enum: ['env', 'file'] }),
    mountPath: path(),
    keys: strings(),
    prefix: str(),
    update: str({ enum: ['rollout', 'manual'] }),
  },
  {
    required: ['secret', 'as'],
    'x-kubernetes-validations': [
      rule("self.as != 'file' || has(self.mountPath)", "mountPath is required when as is 'file'", {
        fieldPath: '.mountPath',
      }),
      ...optionalAbsolutePath('mountPath'),
    ],
  },
);
const artifact = obj(
  {
    name: str({ pattern: DNS_LABEL, maxLength: 40 }),
    image: str({ minLength: 1 }),
    path: path({ minLength: 1 }),
    mountPath: path({ minLength: 1 }),
    pullPolicy,
  },
  {
    required: ['image', 'path', 'mountPath'],
    'x-kubernetes-validations': [...absolutePath('path'), ...absolutePath('mountPath')],
  },
);
const source = obj(
  {
    repository: str({ pattern: DNS_LABEL, maxLength: 253 }),
    url: str({ minLength: 1, maxLength: 2048 }),
    branch: str({ minLength: 1, maxLength: 255 }),
    pipeline: str({ pattern: DNS_LABEL, maxLength: 253 }),
    target: str({ pattern: DNS_LABEL, maxLength: 40 }),
  },
  {
    required: ['pipeline'],
    'x-kubernetes-validations': [
      rule(
        'has(self.repository) != has(self.url)',
        'exactly one of repository (a Repository) and url (an external clone URL)',
        { fieldPath: '.repository' },
      ),
    ],
  },
);
const component = obj(
  {
    name: str({ pattern: DNS_LABEL, maxLength: 40 }),
    runtime: obj(
      { image: str({ minLength: 1 }), command: strings(), args: strings(), workingDir: str(), pullPolicy },
      { required: ['image'] },
    ),
    artifacts: arr(artifact, { maxItems: 16 }),
    replicas: int({ minimum: 0, maximum: 1000 }),
    ports: arr(
      obj(
        {
          name: str({ pattern: DNS_LABEL, maxLength: 15 }),
          port: int({ minimum: 1, maximum: 65535 }),
          protocol: str({ enum: ['TCP', 'UDP'] }),
        },
        { required: ['port'] },
      ),
      { maxItems: 16 },
    ),
    expose: obj({
      host: str({ maxLength: 253 }),
      path: str({ pattern: '^/' }),
      port: { 'x-kubernetes-int-or-string': true },
    }),
    env: arr(obj({ name: str({ minLength: 1 }), value: str(), valueFrom: opaque() }, { required: ['name'] })),
    config: arr(configRef, { maxItems: 32 }),
    secrets: arr(secretRef, { maxItems: 32 }),
    resources: opaque(),
    probes: obj({ readiness: opaque(), liveness: opaque(), startup: opaque() }),
    source,
  },
  {
    required: ['name', 'runtime'],
    'x-kubernetes-validations': [
      rule(
        "!has(self.source) || !has(self.source.target) || self.source.target == 'runtime' || (has(self.artifacts) && self.artifacts.exists(a, has(a.name) && a.name == self.source.target))",
        "source.target must be 'runtime' or the name of one of the artifacts",
        { fieldPath: '.source.target' },
      ),
      rule('!has(self.expose) || (has(self.ports) && size(self.ports) > 0)', 'expose needs at least one port', {
        fieldPath: '.expose',
      }),
      rule(
        '!has(self.artifacts) || self.artifacts.all(a, self.artifacts.exists_one(b, b.mountPath == a.mountPath))',
        'artifact mountPaths must be unique',
        { fieldPath: '.artifacts' },
      ),
    ],
  },
);
const appSpecProperties = {
  version: str({ maxLength: 63 }),
  components: arr(component, {
    minItems: 1,
    maxItems: 32,
    'x-kubernetes-validations': [
      rule('self.all(c, self.exists_one(d, d.name == c.name))', 'component names must be unique'),
    ],
  }),
  rollout: obj({
    analysisSeconds: int({ minimum: 0, maximum: 3600 }),
    batchSeconds: int({ minimum: 0, maximum: 3600 }),
    progressDeadlineSeconds: int({ minimum: 10, maximum: 86400 }),
    maxSurge: intOrPercent,
    maxUnavailable: intOrPercent,
  }),
  revisionHistoryLimit: int({ minimum: 1, maximum: 100 }),
  artifactDelivery: str({ enum: ['auto', 'imageVolume', 'initCopy'] }),
  placement: obj(
    {
      clusters: strings({ 'x-kubernetes-list-type': 'set', maxItems: 64, items: str({ pattern: DNS_SUBDOMAIN }) }),
      clusterSelector: obj({
        matchLabels: stringMap(),
        matchExpressions: arr(
          obj(
            { key: str(), operator: str({ enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }), values: strings() },
            { required: ['key', 'operator'] },
          ),
        ),
      }),
      policy: str({ enum: ['Spread', 'Failover'] }),
    },
    {
      'x-kubernetes-validations': [
        rule('has(self.clusters) != has(self.clusterSelector)', 'give one of clusters and clusterSelector'),
      ],
    },
  ),
};
const appSpec = obj(appSpecProperties, { required: ['components'] });
const imagePin = obj(
  { component: str(), role: str(), image: str(), digest: str() },
  { required: ['component', 'role', 'image'] },
);

const appStatus = obj({
  observedGeneration: int(),
  revision: int(),
  url: str(),
  conditions,
  components: arr(
    obj(
      { name: str(), replicas: int(), readyReplicas: int(), updatedReplicas: int(), url: str() },
      { required: ['name'] },
    ),
  ),
  images: arr(imagePin),
  artifactDelivery: str(),
  rollout: obj({
    revision: int(),
    from: int(),
    phase: str(),
    stepStarted: str(),
    readySince: str(),
    drainUntil: str(),
    step: int(),
    message: str(),
    superseded: { type: 'boolean' },
  }),
  reloads: arr(obj({ configSet: str(), version: int(), at: str() })),
  placement: arr(
    obj(
      {
        cluster: str(),
        healthy: { type: 'boolean' },
        replicas: int(),
        readyReplicas: int(),
        url: str(),
        message: str(),
      },
      { required: ['cluster'] },
    ),
  ),
});

const revisionSpec = obj(
  {
    application: str(),
    revision: int({ minimum: 1 }),
    template: appSpec,
    config: arr(
      obj({ configSet: str(), version: int(), configMap: str() }, { required: ['configSet', 'version', 'configMap'] }),
    ),
    secrets: arr(obj({ secret: str(), hash: str(), snapshot: str() }, { required: ['secret', 'hash', 'snapshot'] })),
    images: arr(imagePin),
    cause: str(),
    inputs: str(),
  },
  {
    required: ['application', 'revision', 'template'],
    'x-kubernetes-validations': [rule('self == oldSelf', 'an ApplicationRevision is immutable')],
  },
);

const configSetSpec = obj({
  // Keys are checked by the platform's ConfigSet webhook (configset/author.ts): a CEL rule over
  // map keys, whose length no schema can bound, is over the API server's cost budget.
  data: { ...stringMap(str({ maxLength: 1048576 })), maxProperties: 1000 },
  binaryData: { ...stringMap(str({ format: 'byte', maxLength: 1398104 })), maxProperties: 1000 },
  shareWith: obj({ namespaceSelector: labelSelector }, { required: ['namespaceSelector'] }),
  historyLimit: int({ minimum: 1, maximum: 1000 }),
});
const configSetStatus = obj({
  version: int(),
  configMap: str(),
  observedGeneration: int(),
  history: arr(
    obj(
      { version: int(), configMap: str(), author: str(), time: str(), message: str(), hash: str(), keys: strings() },
      { required: ['version', 'configMap', 'time'] },
    ),
  ),
  conditions,
});

interface Kind {
  /** @default 'Namespaced' */
  scope?: 'Namespaced' | 'Cluster';
  kind: string;
  plural: string;
  shortNames: string[];
  spec: Schema;
  status: Schema;
  columns: { name: string; type: string; jsonPath: string; description?: string; priority?: number }[];
}

function crd(k: Kind): Schema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${k.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'wharf', 'app.kubernetes.io/component': 'platform' },
    },
    spec: {
      group: GROUP,
      scope: k.scope ?? 'Namespaced',
      names: {
        kind: k.kind,
        listKind: `${k.kind}List`,
        plural: k.plural,
        singular: k.kind.toLowerCase(),
        shortNames: k.shortNames,
        categories: ['wharf'],
      },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: obj(
              { apiVersion: str(), kind: str(), metadata: { type: 'object' }, spec: k.spec, status: k.status },
              { required: ['spec'] },
            ),
          },
          subresources: { status: {} },
          additionalPrinterColumns: [
            ...k.columns,
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
}

const readyColumn = (type: string): Kind['columns'][number] => ({
  name: type,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
});

export const APPLICATION_CRD = crd({
  kind: 'Application',
  plural: 'applications',
  shortNames: ['app', 'apps'],
  spec: appSpec,
  status: appStatus,
  columns: [
    { name: 'Revision', type: 'integer', jsonPath: '.status.revision' },
    readyColumn('Ready'),
    { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Degraded")].reason', priority: 0 },
    { name: 'URL', type: 'string', jsonPath: '.status.url' },
    { name: 'Delivery', type: 'string', jsonPath: '.status.artifactDelivery', priority: 1 },
  ],
});

export const APPLICATION_REVISION_CRD = crd({
  kind: 'ApplicationRevision',
  plural: 'applicationrevisions',
  shortNames: ['apprev'],
  spec: revisionSpec,
  status: obj({
    phase: str({ enum: ['Pending', 'Active', 'Superseded', 'Failed'] }),
    message: str(),
    images: arr(imagePin),
  }),
  columns: [
    { name: 'Application', type: 'string', jsonPath: '.spec.application' },
    { name: 'Revision', type: 'integer', jsonPath: '.spec.revision' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Cause', type: 'string', jsonPath: '.spec.cause' },
  ],
});

export const CONFIGSET_CRD = crd({
  kind: 'ConfigSet',
  plural: 'configsets',
  shortNames: ['cfg'],
  spec: configSetSpec,
  status: configSetStatus,
  columns: [
    { name: 'Version', type: 'integer', jsonPath: '.status.version' },
    { name: 'ConfigMap', type: 'string', jsonPath: '.status.configMap' },
    { name: 'Author', type: 'string', jsonPath: '.status.history[0].author', priority: 1 },
  ],
});

const resourceList = stringMap({
  'x-kubernetes-int-or-string': true,
  anyOf: [{ type: 'integer' }, { type: 'string' }],
});
export const PROJECT_CRD = crd({
  kind: 'Project',
  plural: 'projects',
  shortNames: ['proj'],
  scope: 'Cluster',
  spec: obj(
    {
      displayName: str(),
      namespaces: strings({ 'x-kubernetes-list-type': 'set', items: str({ pattern: DNS_LABEL, maxLength: 63 }) }),
      members: arr(
        obj(
          {
            kind: str({ enum: ['User', 'Group', 'ServiceAccount'] }),
            name: str({ minLength: 1 }),
            namespace: str(),
            role: str({ enum: ['admin', 'developer', 'viewer'] }),
          },
          { required: ['kind', 'name', 'role'] },
        ),
      ),
      resourceQuota: obj({ hard: resourceList }),
      limitRange: obj({ default: resourceList, defaultRequest: resourceList }),
      quotaPolicy: str({ enum: ['NewNamespaces', 'AllNamespaces'] }),
      networkIsolation: str({ enum: ['None', 'DenyFromOtherProjects'] }),
    },
    { required: ['namespaces'] },
  ),
  status: obj({
    observedGeneration: int(),
    namespaces: arr(obj({ name: str(), state: str(), used: stringMap(), hard: stringMap() })),
    total: obj({ used: stringMap(), hard: stringMap() }),
    conditions,
  }),
  columns: [
    { name: 'Namespaces', type: 'string', jsonPath: '.spec.namespaces' },
    readyColumn('Ready'),
    { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason', priority: 1 },
  ],
});

export const MEMBER_CLUSTER_CRD = crd({
  kind: 'MemberCluster',
  plural: 'memberclusters',
  shortNames: ['mc'],
  scope: 'Cluster',
  spec: obj(
    {
      kubeconfigSecret: obj(
        { name: str({ pattern: DNS_SUBDOMAIN }), key: str({ minLength: 1, maxLength: 253 }) },
        { required: ['name'] },
      ),
    },
    { required: ['kubeconfigSecret'] },
  ),
  status: obj({ conditions, readyNodes: int(), version: str(), clusterID: str() }),
  columns: [
    readyColumn('Ready'),
    { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
    { name: 'Nodes', type: 'integer', jsonPath: '.status.readyNodes' },
    { name: 'Version', type: 'string', jsonPath: '.status.version' },
  ],
});

/** All of them, in the order to apply them. */
export const CRDS: readonly Schema[] = [
  CONFIGSET_CRD,
  APPLICATION_CRD,
  APPLICATION_REVISION_CRD,
  PROJECT_CRD,
  MEMBER_CLUSTER_CRD,
];
