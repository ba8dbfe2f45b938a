// Admission webhook configurations as the dispatcher uses them: each webhook of every
// Validating/MutatingWebhookConfiguration with its defaults applied, and whether a request
// matches its rules, scope, namespace selector and object selector (admissionregistration/v1).
import { isRecord, type KubeObject, type StoredObject } from '@wharf/api';
import { fromLabelSelectorObject } from '../selectors/index.js';
import type { Served } from '../registry.js';
import { objectKey, type Store } from '../storage/index.js';
import type { ServiceRef } from '../aggregation/endpoint.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface Webhook {
  /** The configuration object holding it. */
  readonly configuration: string;
  readonly name: string;
  readonly mutating: boolean;
  readonly rules: readonly Record<string, unknown>[];
  /** @default 'Fail' */
  readonly failurePolicy: 'Fail' | 'Ignore';
  readonly namespaceSelector: unknown;
  readonly objectSelector: unknown;
  /** @default 10 */
  readonly timeoutSeconds: number;
  /** @default 'Never' */
  readonly reinvocationPolicy: 'Never' | 'IfNeeded';
  readonly url: string | undefined;
  readonly service: (ServiceRef & { readonly path: string }) | undefined;
  /** PEM of clientConfig.caBundle. */
  readonly ca: string | undefined;
  /** CEL conditions that must all hold for the webhook to be called. */
  readonly matchConditions?: readonly Record<string, unknown>[];
}

/** What a request asks of admission. */
export interface AdmissionRequest {
  readonly operation: Operation;
  readonly served: Served;
  readonly namespace: string;
  readonly name: string;
  readonly subresource: string;
  /** The object after the write (CREATE, UPDATE). */
  readonly object: KubeObject | undefined;
  /** The stored object (UPDATE, DELETE). */
  readonly oldObject: StoredObject | undefined;
  /**
   * The kind of `object` where a subresource speaks one of its own (autoscaling/v1 Scale, policy/v1 Eviction). @default
   * the resource's kind
   */
  readonly kind?: { readonly group: string; readonly version: string; readonly kind: string };
}

const PREFIXES = {
  mutating: '/registry/admissionregistration.k8s.io/mutatingwebhookconfigurations/',
  validating: '/registry/admissionregistration.k8s.io/validatingwebhookconfigurations/',
};

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The webhooks of one kind, configurations in name order and webhooks in their listed order, as upstream. */
export function webhooksOf(store: Store, mutating: boolean): Webhook[] {
  let memo = parsed.get(store);
  if (!memo) parsed.set(store, (memo = { mutating: { seen: [], hooks: [] }, validating: { seen: [], hooks: [] } }));
  const m = mutating ? memo.mutating : memo.validating;
  const configs = store.list(mutating ? PREFIXES.mutating : PREFIXES.validating).map((e) => e.object);
  // Every write of a configuration stores a new object: unchanged references mean unchanged webhooks.
  if (configs.length !== m.seen.length || configs.some((c, i) => c !== m.seen[i])) {
    m.seen = configs;
    m.hooks = configs.flatMap((c) => parseWebhooks(c, mutating));
  }
  return m.hooks;
}

/** Per store, the configurations last parsed and their webhooks (parsed once, not per request). */
const parsed = new WeakMap<Store, Record<'mutating' | 'validating', { seen: StoredObject[]; hooks: Webhook[] }>>();

function parseWebhooks(object: StoredObject, mutating: boolean): Webhook[] {
  return (Array.isArray(object.webhooks) ? object.webhooks.filter(isRecord) : []).map((w) => {
    const client = isRecord(w.clientConfig) ? w.clientConfig : {};
    const svc = isRecord(client.service) ? client.service : undefined;
    return {
      configuration: object.metadata.name,
      name: String(w.name ?? ''),
      mutating,
      rules: Array.isArray(w.rules) ? w.rules.filter(isRecord) : [],
      failurePolicy: w.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
      namespaceSelector: w.namespaceSelector,
      objectSelector: w.objectSelector,
      timeoutSeconds: typeof w.timeoutSeconds === 'number' ? w.timeoutSeconds : 10,
      reinvocationPolicy: w.reinvocationPolicy === 'IfNeeded' ? 'IfNeeded' : 'Never',
      url: typeof client.url === 'string' ? client.url : undefined,
      service: svc
        ? {
            namespace: String(svc.namespace ?? ''),
            name: String(svc.name ?? ''),
            port: typeof svc.port === 'number' ? svc.port : 443,
            path: typeof svc.path === 'string' ? svc.path : '/',
          }
        : undefined,
      ca:
        typeof client.caBundle === 'string' && client.caBundle
          ? Buffer.from(client.caBundle, 'base64').toString('utf8')
          : undefined,
      matchConditions: Array.isArray(w.matchConditions) ? w.matchConditions.filter(isRecord) : [],
    };
  });
}

function ruleMatches(rule: Record<string, unknown>, req: AdmissionRequest): boolean {
  const { group, version, resource, namespaced } = req.served.info;
  const has = (list: string[], v: string): boolean => list.includes('*') || list.includes(v);
  if (!has(strings(rule.operations), req.operation)) return false;
  if (!has(strings(rule.apiGroups), group) || !has(strings(rule.apiVersions), version)) return false;
  const scope = typeof rule.scope === 'string' ? rule.scope : '*';
  if ((scope === 'Cluster' && namespaced) || (scope === 'Namespaced' && !namespaced)) return false;
  // "pods" and "*" name main resources; "pods/status", "*/status", "pods/*" and "*/*" subresources.
  return strings(rule.resources).some((r) => {
    const [res = '', sub] = r.split('/');
    if (sub === undefined) return !req.subresource && (res === '*' || res === resource);
    return (res === '*' || res === resource) && (sub === '*' || sub === req.subresource);
  });
}

/** Compiled label selectors by the (immutable, stored) selector object they come from. */
const compiled = new WeakMap<object, ReturnType<typeof fromLabelSelectorObject>>();

function selects(selector: unknown, labels: Record<string, string> | undefined): boolean {
  if (selector === undefined || selector === null) return true;
  if (typeof selector !== 'object') return fromLabelSelectorObject(selector).matches(labels);
  let s = compiled.get(selector);
  if (!s) compiled.set(selector, (s = fromLabelSelectorObject(selector)));
  return s.matches(labels);
}

/** Whether `hook` is called for `req`: a rule matches, and both selectors select. */
export function webhookMatches(hook: Webhook, req: AdmissionRequest, store: Store): boolean {
  if (!hook.rules.some((r) => ruleMatches(r, req))) return false;
  const { info } = req.served;
  if (info.namespaced) {
    const ns = store.get(objectKey('', 'namespaces', undefined, req.namespace));
    if (!selects(hook.namespaceSelector, ns?.metadata.labels)) return false;
  } else if (info.group === '' && info.kind === 'Namespace') {
    const labels = (req.object?.metadata?.labels ?? req.oldObject?.metadata.labels) as
      Record<string, string> | undefined;
    if (!selects(hook.namespaceSelector, labels)) return false;
  }
  if (hook.objectSelector === undefined || hook.objectSelector === null) return true;
  const newLabels = req.object?.metadata?.labels as Record<string, string> | undefined;
  return (
    selects(hook.objectSelector, newLabels) ||
    (req.oldObject !== undefined && selects(hook.objectSelector, req.oldObject.metadata.labels))
  );
}
