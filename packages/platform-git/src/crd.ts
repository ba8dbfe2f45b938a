// The Repository CustomResourceDefinition (schema after types.ts, status subresource, kubectl
// columns) and the aggregated ClusterRoles that let namespace admins/editors push and viewers
// fetch. `installGitKinds` creates or upgrades both; deploy/git/ holds the same as YAML.
import { ApiError, type KubeClient } from '@wharf/client';
import {
  CONCURRENCY_POLICIES,
  GROUP,
  PROVIDERS,
  PUSH_SUBRESOURCE,
  REPOSITORY_PLURAL,
  RESULTS,
  VERSION,
} from './types.js';

const str = { type: 'string' };
const obj = (properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
});
const strings = { type: 'array', items: str };

const rule = obj(
  {
    branches: strings,
    tags: strings,
    pipelineRef: obj({ name: str }, ['name']),
    params: { type: 'array', items: obj({ name: str, value: str }, ['name', 'value']) },
    // Tekton workspace bindings, kept as written: the pipelines controller validates them in the run.
    workspaces: {
      type: 'array',
      items: { type: 'object', required: ['name'], 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
  ['pipelineRef'],
);

const spec = obj(
  {
    source: {
      ...obj(
        {
          type: { type: 'string', enum: ['builtin', 'external'] },
          url: str,
          credentialsSecretRef: obj({ name: str }, ['name']),
        },
        ['type'],
      ),
      'x-kubernetes-validations': [
        {
          rule: "self.type == 'builtin' || has(self.url)",
          message: 'source.url is required when source.type is external',
        },
      ],
    },
    rules: { type: 'array', items: rule },
    webhook: obj(
      { provider: { type: 'string', enum: [...PROVIDERS] }, secretRef: obj({ name: str, key: str }, ['name', 'key']) },
      ['provider', 'secretRef'],
    ),
    concurrency: { type: 'string', enum: [...CONCURRENCY_POLICIES], default: 'supersede' },
  },
  ['source'],
);

const event = obj(
  {
    time: { type: 'string', format: 'date-time' },
    trigger: str,
    result: { type: 'string', enum: [...RESULTS] },
    ref: str,
    commit: str,
    author: str,
    message: str,
    deliveryId: str,
    pipelineRun: str,
    reason: str,
  },
  ['time', 'trigger', 'result'],
);

export const repositoryCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${REPOSITORY_PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: {
      plural: REPOSITORY_PLURAL,
      singular: 'repository',
      kind: 'Repository',
      shortNames: ['repo'],
      categories: ['wharf'],
    },
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: obj(
            {
              apiVersion: str,
              kind: str,
              metadata: { type: 'object' },
              spec,
              status: obj({
                cloneURL: str,
                webhookPath: str,
                lastPushTime: { type: 'string', format: 'date-time' },
                events: { type: 'array', items: event },
              }),
            },
            ['spec'],
          ),
        },
        additionalPrinterColumns: [
          { name: 'Source', type: 'string', jsonPath: '.spec.source.type' },
          { name: 'Policy', type: 'string', jsonPath: '.spec.concurrency' },
          { name: 'Last-Result', type: 'string', jsonPath: '.status.events[0].result' },
          { name: 'Last-Push', type: 'date', jsonPath: '.status.lastPushTime' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
    ],
  },
} as const;

const aggregated = (name: string, to: string[], verbs: string[], resources: string[]) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: {
    name,
    labels: Object.fromEntries(to.map((r) => [`rbac.authorization.k8s.io/aggregate-to-${r}`, 'true'])),
  },
  rules: [{ apiGroups: [GROUP], resources, verbs }],
});

/**
 * Fetch is `get` on repositories; push is `create` on repositories/push (a subresource no
 * handler serves: it exists for RBAC, as `pods/exec`'s verb does for exec).
 */
export const gitClusterRoles = [
  aggregated('wharf:git:view', ['view', 'edit', 'admin'], ['get', 'list', 'watch'], [REPOSITORY_PLURAL]),
  aggregated('wharf:git:push', ['edit', 'admin'], ['create'], [`${REPOSITORY_PLURAL}/${PUSH_SUBRESOURCE}`]),
  aggregated('wharf:git:edit', ['edit', 'admin'], ['create', 'update', 'patch', 'delete'], [REPOSITORY_PLURAL]),
] as const;

interface Stored {
  metadata: { resourceVersion: string };
  status?: { conditions?: { type: string; status: string }[] };
}

async function upsert(client: KubeClient, collection: string, object: { metadata: { name: string } }): Promise<void> {
  const path = `${collection}/${object.metadata.name}`;
  const current = await client.getOptional<Stored>(path);
  try {
    if (!current) await client.create(collection, object);
    else
      await client.replace(path, {
        ...object,
        metadata: { ...object.metadata, resourceVersion: current.metadata.resourceVersion },
      });
  } catch (e) {
    // 409: another starter won; 403: on a real cluster the operator applied deploy/git/ instead.
    if (!(e instanceof ApiError && (e.status === 409 || e.status === 403))) throw e;
  }
}

/** Creates or upgrades the CRD and the ClusterRoles, and waits until Repositories are served. */
export async function installGitKinds(client: KubeClient, timeoutMs = 20_000): Promise<void> {
  const crds = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  await upsert(client, crds, repositoryCrd);
  for (const role of gitClusterRoles) await upsert(client, '/apis/rbac.authorization.k8s.io/v1/clusterroles', role);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await client.getOptional<Stored>(`${crds}/${repositoryCrd.metadata.name}`);
    if (crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline)
      throw new Error(`CRD ${repositoryCrd.metadata.name} not established within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
