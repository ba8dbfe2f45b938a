// Which fields each kind can be selected on, the values those fields have on an object, and the
// exact error the real API server gives for any other field (its per-kind field label conversion).
import { BUILTIN_RESOURCES, isRecord } from '@wharf/api';
import type { KubeObject } from '@wharf/api';
import { SelectorError } from './errors.js';
import { matchesFields, parseFieldSelector } from './fields.js';
import type { FieldRequirement } from './fields.js';
import { bool, defaultMessage, identity, metaFields, notSupported, str, type FieldGetter, type KindFields } from './field-values.js';
import { strategyForResource } from '../kinds/registry.js';

export type { FieldGetter };

/** For kinds outside the built-in table: custom resources. */
export interface FieldLabelOptions {
  /** Whether the kind's objects live in namespaces. @default true */
  readonly namespaced?: boolean;
  /** The CRD version's `selectableFields[].jsonPath` values, e.g. `.spec.color`. */
  readonly selectableFields?: readonly string[];
}


/** core/v1 Event fields; also reads events.k8s.io-shaped objects (regarding, reportingController). */
function coreEventFields(obj: KubeObject): Record<string, string> {
  const involved = isRecord(obj['involvedObject']) ? obj['involvedObject'] : isRecord(obj['regarding']) ? obj['regarding'] : {};
  const reporting = str(obj, 'reportingComponent') || str(obj, 'reportingController');
  const source = str(obj, 'source.component') || str(obj, 'deprecatedSource.component') || reporting;
  return {
    ...metaFields(obj, true),
    'involvedObject.kind': str(involved, 'kind'),
    'involvedObject.namespace': str(involved, 'namespace'),
    'involvedObject.name': str(involved, 'name'),
    'involvedObject.uid': str(involved, 'uid'),
    'involvedObject.apiVersion': str(involved, 'apiVersion'),
    'involvedObject.resourceVersion': str(involved, 'resourceVersion'),
    'involvedObject.fieldPath': str(involved, 'fieldPath'),
    reason: str(obj, 'reason'),
    reportingComponent: reporting,
    source,
    type: str(obj, 'type'),
  };
}

const CORE_EVENT_LABELS = [
  'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
  'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
  'reason', 'reportingComponent', 'source', 'type', 'metadata.namespace', 'metadata.name',
];
const REGARDING = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

/** The kinds with their own field label conversion in Kubernetes 1.32, keyed `group/resource`. */
const KINDS: Readonly<Record<string, KindFields>> = {
  '/nodes': {
    accepted: identity(['metadata.name', 'spec.unschedulable']),
    unsupported: notSupported,
    get: (o) => ({ ...metaFields(o, false), 'spec.unschedulable': bool(o, 'spec.unschedulable') }),
  },
  '/events': { accepted: identity(CORE_EVENT_LABELS), unsupported: notSupported, get: coreEventFields },
  '/namespaces': {
    accepted: identity(['status.phase', 'metadata.name']),
    unsupported: notSupported,
    get: (o) => ({ ...metaFields(o, false), 'status.phase': str(o, 'status.phase') }),
  },
  '/secrets': {
    accepted: identity(['type', 'metadata.namespace', 'metadata.name']),
    unsupported: notSupported,
    get: (o) => ({ ...metaFields(o, true), type: str(o, 'type') }),
  },
  '/services': {
    accepted: identity(['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type']),
    unsupported: notSupported,
    get: (o) => ({ ...metaFields(o, true), 'spec.clusterIP': str(o, 'spec.clusterIP'), 'spec.type': str(o, 'spec.type') }),
  },
  'events.k8s.io/events': {
    accepted: { ...identity(['reason', 'reportingController', 'source', 'type', 'metadata.namespace', 'metadata.name']), ...Object.fromEntries(REGARDING.map((f) => [`regarding.${f}`, `regarding.${f}`])) },
    unsupported: notSupported,
    get: (o) => {
      const core = coreEventFields(o);
      const out: Record<string, string> = { ...metaFields(o, true), reason: core['reason'] ?? '', reportingController: core['reportingComponent'] ?? '', source: core['source'] ?? '', type: core['type'] ?? '' };
      for (const f of REGARDING) out[`regarding.${f}`] = core[`involvedObject.${f}`] ?? '';
      return out;
    },
  },
  'certificates.k8s.io/certificatesigningrequests': {
    accepted: identity(['metadata.name', 'spec.signerName']),
    unsupported: notSupported,
    get: (o) => ({ ...metaFields(o, false), 'spec.signerName': str(o, 'spec.signerName') }),
  },
};

function kindFields(group: string, resource: string, opts: FieldLabelOptions): KindFields {
  const known = strategyForResource(group, resource)?.fieldLabels ?? KINDS[`${group}/${resource}`];
  if (known) return known;
  const builtin = BUILTIN_RESOURCES.find((r) => r.group === group && r.resource === resource);
  if (builtin) {
    // Kinds without their own conversion use the scheme's default one.
    return { accepted: identity(['metadata.name', 'metadata.namespace']), unsupported: defaultMessage, get: (o) => metaFields(o, builtin.namespaced) };
  }
  // Custom resources: metadata.name, metadata.namespace when namespaced, and the CRD's selectableFields.
  const namespaced = opts.namespaced ?? true;
  const custom = (opts.selectableFields ?? []).map((p) => p.replace(/^\./, ''));
  return {
    accepted: identity(['metadata.name', ...(namespaced ? ['metadata.namespace'] : []), ...custom]),
    unsupported: notSupported,
    get: (o) => {
      const out = metaFields(o, namespaced);
      for (const f of custom) out[f] = str(o, f);
      return out;
    },
  };
}

/** The fields of `obj` a selector can test, for the given kind (keys are selector labels). */
export function fieldGetter(group: string, resource: string, opts: FieldLabelOptions = {}): FieldGetter {
  return kindFields(group, resource, opts).get;
}

/** The field labels the kind accepts in a selector. */
export function supportedFieldLabels(group: string, resource: string, opts: FieldLabelOptions = {}): string[] {
  return Object.keys(kindFields(group, resource, opts).accepted);
}

/**
 * Checks each requirement's field against the kind, in order, and returns them with old aliases
 * renamed (`spec.host` → `spec.nodeName`). Throws SelectorError with the real API server's message
 * (e.g. `field label not supported: spec.foo`) for the first field the kind does not offer.
 */
export function validateFieldSelector(group: string, resource: string, reqs: readonly FieldRequirement[], opts: FieldLabelOptions = {}): FieldRequirement[] {
  const kind = kindFields(group, resource, opts);
  return reqs.map((r) => {
    const field = Object.prototype.hasOwnProperty.call(kind.accepted, r.field) ? kind.accepted[r.field] : undefined;
    if (field === undefined) throw new SelectorError(kind.unsupported(r.field));
    return field === r.field ? r : { ...r, field };
  });
}

/** A field selector parsed and checked against one kind, ready to test objects. */
export interface CompiledFieldSelector {
  readonly requirements: readonly FieldRequirement[];
  /** True when the selector does not restrict anything. */
  readonly empty: boolean;
  matches(obj: KubeObject): boolean;
}

/** parseFieldSelector + validateFieldSelector + fieldGetter in one step, for list and watch. */
export function compileFieldSelector(group: string, resource: string, selector: string, opts: FieldLabelOptions = {}): CompiledFieldSelector {
  const requirements = validateFieldSelector(group, resource, parseFieldSelector(selector), opts);
  const get = fieldGetter(group, resource, opts);
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (obj) => requirements.length === 0 || matchesFields(requirements, get(obj)),
  };
}
