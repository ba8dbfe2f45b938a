// The parameters a ValidatingAdmissionPolicy binding gives its policy (spec.paramKind of the
// policy, spec.paramRef of the binding), found as upstream's policy dispatcher finds them: by name
// or label selector, in paramRef.namespace or else the request's namespace for a namespaced kind.
// The policy is evaluated once per parameter; none found is allowed or denied as the binding says.
import { isRecord, type StoredObject } from '@wharf/api';
import type { ResourceRegistry } from '../registry.js';
import { fromLabelSelectorObject } from '../selectors/index.js';
import { namespacePrefix, objectKey, type Store } from '../storage/index.js';

/** A binding whose parameters cannot be found as configured (upstream: "failed to configure binding"). */
export class ParamConfigError extends Error {}

/**
 * The params objects to evaluate the policy with: [null] when the policy takes none (or the
 * binding names none), [] when none is found and the binding allows that. Throws ParamConfigError.
 */
export function paramsFor(
  policySpec: Record<string, unknown>,
  bindingSpec: Record<string, unknown>,
  requestNamespace: string,
  store: Store,
  registry: Pick<ResourceRegistry, 'byKind'>,
): (StoredObject | null)[] {
  const kind = isRecord(policySpec.paramKind) ? policySpec.paramKind : undefined;
  const ref = isRecord(bindingSpec.paramRef) ? bindingSpec.paramRef : undefined;
  if (!kind || !ref) return [null];
  const apiVersion = String(kind.apiVersion ?? '');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const served = registry.byKind(group ?? '', version ?? '', String(kind.kind ?? ''));
  if (!served) throw new ParamConfigError(`paramKind kind \`${String(kind.kind ?? '')}.${apiVersion}\` not known`);
  const { info } = served;
  let namespace: string | undefined;
  if (info.namespaced) {
    namespace = typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : requestNamespace;
    if (!namespace)
      throw new ParamConfigError(
        'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources',
      );
  }
  let params: StoredObject[];
  if (typeof ref.name === 'string' && ref.name) {
    const one = store.get(objectKey(info.group, info.resource, namespace, ref.name));
    params = one ? [one] : [];
  } else if (ref.selector !== undefined && ref.selector !== null) {
    const selector = fromLabelSelectorObject(ref.selector);
    params = store
      .list(namespacePrefix(info.group, info.resource, namespace))
      .map((e) => e.object)
      .filter((o) => selector.matches(o.metadata.labels));
  } else {
    throw new ParamConfigError('one of name or selector must be provided');
  }
  if (!params.length && ref.parameterNotFoundAction === 'Deny')
    throw new ParamConfigError('no params found for policy binding with `Deny` parameterNotFoundAction');
  return params;
}
