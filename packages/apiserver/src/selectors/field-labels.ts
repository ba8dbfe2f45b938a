// Which fields a kind can be selected on, the values those fields have on an object, and the exact
// error the real API server gives for any other field: the kind's strategy (kinds/) declares its
// own conversion; other built-in kinds get the scheme's default, custom resources their CRD's.
import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject } from '@wharf/api';
import { SelectorError } from './errors.js';
import { matchesFields, parseFieldSelector } from './fields.js';
import type { FieldRequirement } from './fields.js';
import {
  defaultMessage,
  identity,
  metaFields,
  notSupported,
  str,
  type FieldGetter,
  type KindFields,
} from './field-values.js';
import { strategyForResource } from '../kinds/registry.js';

export type { FieldGetter };

/** For kinds outside the built-in table: custom resources. */
export interface FieldLabelOptions {
  /** Whether the kind's objects live in namespaces. @default true */
  readonly namespaced?: boolean;
  /** The CRD version's `selectableFields[].jsonPath` values, e.g. `.spec.color`. */
  readonly selectableFields?: readonly string[];
}

/**
 * A built-in kind's field values of each object, computed once per object and resource: every watch
 * of the kind tests each event's object and its previous state (a pod event meets ten watches,
 * three of them the node agents' `spec.nodeName`). Stored objects are never changed in place, so
 * the values stay true. One object can be served as two resources with different fields (an Event
 * in the core group and in events.k8s.io), hence a cache per resource. A custom resource's fields
 * follow its CRD, which can change, and are not kept.
 */
const builtinGetters = new Map<string, FieldGetter>();

function remembered(group: string, resource: string, get: FieldGetter): FieldGetter {
  const key = `${group}/${resource}`;
  let getter = builtinGetters.get(key);
  if (!getter) {
    const values = new WeakMap<KubeObject, Record<string, string>>();
    getter = (o) => {
      let v = values.get(o);
      if (!v) {
        v = get(o);
        values.set(o, v);
      }
      return v;
    };
    builtinGetters.set(key, getter);
  }
  return getter;
}

function kindFields(group: string, resource: string, opts: FieldLabelOptions): KindFields {
  const known = strategyForResource(group, resource)?.fieldLabels;
  if (known) return { ...known, get: remembered(group, resource, known.get) };
  const builtin = BUILTIN_RESOURCES.find((r) => r.group === group && r.resource === resource);
  if (builtin) {
    // Kinds without their own conversion use the scheme's default one.
    return {
      accepted: identity(['metadata.name', 'metadata.namespace']),
      unsupported: defaultMessage,
      get: remembered(group, resource, (o) => metaFields(o, builtin.namespaced)),
    };
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
export function validateFieldSelector(
  group: string,
  resource: string,
  reqs: readonly FieldRequirement[],
  opts: FieldLabelOptions = {},
): FieldRequirement[] {
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
export function compileFieldSelector(
  group: string,
  resource: string,
  selector: string,
  opts: FieldLabelOptions = {},
): CompiledFieldSelector {
  const requirements = validateFieldSelector(group, resource, parseFieldSelector(selector), opts);
  const get = fieldGetter(group, resource, opts);
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (obj) => requirements.length === 0 || matchesFields(requirements, get(obj)),
  };
}
