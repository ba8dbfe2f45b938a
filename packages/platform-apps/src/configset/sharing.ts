// Cluster-level configuration: a ConfigSet in the platform namespace with spec.shareWith is
// copied into every namespace whose labels match, as a ConfigSet of the same name labelled with
// its origin, so applications there reference it by name and get its versions (each copy
// publishes its own NAME-vN ConfigMaps in its namespace). A ConfigSet of that name the namespace
// already owns is never overwritten; copies in namespaces that stop matching are removed.
import type { V1Namespace } from '@kubernetes/client-node';
import { matchesSelector } from '@wharf/client';
import { ANNOTATIONS, API_VERSION, type ConfigSet, LABELS, PLATFORM_NAMESPACE } from '../types.js';

export type SharingAction =
  | { readonly type: 'put'; readonly namespace: string; readonly configSet: ConfigSet }
  | { readonly type: 'delete'; readonly namespace: string; readonly name: string }
  | { readonly type: 'conflict'; readonly namespace: string; readonly message: string };

export const sharedFromValue = (name: string): string => `${PLATFORM_NAMESPACE}.${name}`;

/**
 * What sharing `source` needs. `source` undefined: the shared ConfigSet is gone (its copies go).
 * `inNamespaces`: the ConfigSets named like the source in every other namespace.
 */
export function reconcileSharing(
  name: string,
  source: ConfigSet | undefined,
  namespaces: readonly V1Namespace[],
  inNamespaces: readonly ConfigSet[],
): SharingAction[] {
  const origin = sharedFromValue(name);
  const actions: SharingAction[] = [];
  const selector = source?.spec.shareWith?.namespaceSelector;
  const published = source?.status?.history?.[0];
  for (const ns of namespaces) {
    const nsName = ns.metadata?.name ?? '';
    if (nsName === PLATFORM_NAMESPACE || ns.metadata?.deletionTimestamp) continue;
    const existing = inNamespaces.find((c) => c.metadata?.namespace === nsName);
    const ours = existing?.metadata?.labels?.[LABELS.sharedFrom] === origin;
    const wanted = source && selector && matchesSelector(selector, ns.metadata?.labels ?? {});
    if (!wanted) {
      if (existing && ours) actions.push({ type: 'delete', namespace: nsName, name });
      continue;
    }
    if (existing && !ours) {
      actions.push({
        type: 'conflict',
        namespace: nsName,
        message: `namespace ${nsName} has its own ConfigSet ${name}: not shared there`,
      });
      continue;
    }
    // Copy what the source published (not an edit it has not published yet).
    if (!published) continue;
    const same =
      JSON.stringify([existing?.spec.data ?? {}, existing?.spec.binaryData ?? {}]) ===
      JSON.stringify([source.spec.data ?? {}, source.spec.binaryData ?? {}]);
    if (existing && same) continue;
    actions.push({
      type: 'put',
      namespace: nsName,
      configSet: {
        apiVersion: API_VERSION,
        kind: 'ConfigSet',
        metadata: {
          name,
          namespace: nsName,
          labels: { [LABELS.sharedFrom]: origin, [LABELS.managedBy]: ANNOTATIONS.managedBy },
          annotations: {
            [ANNOTATIONS.changeMessage]: `shared from ${PLATFORM_NAMESPACE}/${name} v${published.version}${published.message ? `: ${published.message}` : ''}`,
          },
          ...(existing?.metadata?.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
        },
        spec: {
          ...(source.spec.data ? { data: source.spec.data } : {}),
          ...(source.spec.binaryData ? { binaryData: source.spec.binaryData } : {}),
        },
      },
    });
  }
  return actions;
}
