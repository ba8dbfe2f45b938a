// The NotificationChannel CustomResourceDefinition: a structural schema that follows types.ts, a
// CEL rule that the settings block of the chosen type is present, the status subresource the
// gateway records delivery attempts in, and the columns `kubectl get notificationchannels` shows.
import { ApiError, type KubeClient } from '@wharf/client';
import { CHANNEL_PLURAL, CHANNEL_TYPES, GROUP, VERSION } from './types.js';

const str = { type: 'string' };
const secretRef = { type: 'object', required: ['name', 'key'], properties: { name: str, key: str } };
const obj = (properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
});

const attempt = obj({
  time: { type: 'string', format: 'date-time' },
  groupKey: str,
  status: str,
  attempt: { type: 'integer' },
  success: { type: 'boolean' },
  httpStatus: { type: 'integer' },
  code: str,
  message: str,
  fallbackFor: str,
});

const spec = obj(
  {
    type: { type: 'string', enum: [...CHANNEL_TYPES] },
    locale: { type: 'string', enum: ['en', 'zh-CN'], default: 'en' },
    sendResolved: { type: 'boolean', default: true },
    fallback: str,
    retry: obj({
      maxAttempts: { type: 'integer', minimum: 1, maximum: 10 },
      backoffMs: { type: 'integer', minimum: 0, maximum: 60000 },
    }),
    maxMessageBytes: { type: 'integer', minimum: 256 },
    webhook: obj({ url: str, bearerTokenSecretRef: secretRef }, ['url']),
    email: obj(
      {
        smarthost: str,
        from: str,
        to: { type: 'array', minItems: 1, items: str },
        username: str,
        passwordSecretRef: secretRef,
        requireTLS: { type: 'boolean' },
      },
      ['smarthost', 'from', 'to'],
    ),
    dingtalk: obj({ url: str, accessTokenSecretRef: secretRef, signSecretRef: secretRef }, ['accessTokenSecretRef']),
    wecom: obj({ url: str, keySecretRef: secretRef }, ['keySecretRef']),
    feishu: obj({ url: str, tokenSecretRef: secretRef, signSecretRef: secretRef }, ['tokenSecretRef']),
    slack: obj({ urlSecretRef: secretRef }, ['urlSecretRef']),
  },
  ['type'],
);

const settingsRule = {
  rule: CHANNEL_TYPES.map((t) => `(self.type == '${t}' && has(self.${t}))`).join(' || '),
  message: 'the settings block named by spec.type must be set (e.g. spec.dingtalk for type dingtalk)',
};

/** The CRD object, as `kubectl apply` or `ensureChannelCrd` installs it. */
export const notificationChannelCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${CHANNEL_PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: {
      plural: CHANNEL_PLURAL,
      singular: 'notificationchannel',
      kind: 'NotificationChannel',
      shortNames: ['nch'],
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
              spec: { ...spec, 'x-kubernetes-validations': [settingsRule] },
              status: obj({
                attempts: { type: 'array', items: attempt },
                lastSuccessTime: { type: 'string', format: 'date-time' },
                lastFailureTime: { type: 'string', format: 'date-time' },
                consecutiveFailures: { type: 'integer' },
              }),
            },
            ['spec'],
          ),
        },
        additionalPrinterColumns: [
          { name: 'Type', type: 'string', jsonPath: '.spec.type' },
          { name: 'Locale', type: 'string', jsonPath: '.spec.locale' },
          { name: 'Fallback', type: 'string', jsonPath: '.spec.fallback' },
          { name: 'Last-Success', type: 'date', jsonPath: '.status.lastSuccessTime' },
          {
            name: 'Failures',
            type: 'integer',
            jsonPath: '.status.consecutiveFailures',
            description: 'consecutive failed attempts',
          },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
    ],
  },
} as const;

/** Creates the CRD, or brings an older one up to this definition, and waits until it is served. */
export async function ensureChannelCrd(client: KubeClient, timeoutMs = 20_000): Promise<void> {
  const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${notificationChannelCrd.metadata.name}`;
  const current = await client.getOptional<{ metadata: { resourceVersion: string } }>(path);
  if (!current) {
    try {
      await client.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', notificationChannelCrd);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
    }
  } else {
    try {
      await client.replace(path, {
        ...notificationChannelCrd,
        metadata: { ...notificationChannelCrd.metadata, resourceVersion: current.metadata.resourceVersion },
      });
    } catch (e) {
      // On a real cluster the gateway's account may read CRDs but not write them: the one the
      // operator applied (deploy/notify/notificationchannels.yaml) stands.
      if (!(e instanceof ApiError && (e.status === 403 || e.status === 409))) throw e;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await client.getOptional<{ status?: { conditions?: { type: string; status: string }[] } }>(path);
    if (crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline)
      throw new Error(`CRD ${notificationChannelCrd.metadata.name} not established within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
