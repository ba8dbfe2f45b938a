// How the built-in kinds' lists and structs merge under server-side apply. Upstream reads this from
// the OpenAPI extensions (x-kubernetes-list-type, -list-map-keys, -map-type) that the +listType,
// +listMapKey and +structType markers of k8s.io/api 1.32 generate. Wharf's generated types.json
// comes from client-node's models, which do not carry them, so they are derived here from the
// strategic-merge table (patchMergeKey is the list-map key) plus the markers that differ from it.
import { MERGE_KEYS } from '../patch/index.js';

export interface ListSchema {
  readonly listType: 'atomic' | 'set' | 'map';
  readonly keys: readonly string[];
}

/** `+listMapKey` markers with more keys than the field's patchMergeKey. */
const MAP_KEY_OVERRIDES: Readonly<Record<string, readonly string[]>> = {
  'V1Container.ports': ['containerPort', 'protocol'],
  'V1EphemeralContainer.ports': ['containerPort', 'protocol'],
  'V1ServiceSpec.ports': ['port', 'protocol'],
  'V1PodSpec.topologySpreadConstraints': ['topologyKey', 'whenUnsatisfiable'],
};

/** Lists that carry +listType=map (or set) markers without a patch strategy. */
const EXTRA_LISTS: Readonly<Record<string, ListSchema>> = {
  'V1ObjectMeta.managedFields': { listType: 'atomic', keys: [] },
  'V1CustomResourceDefinitionSpec.versions': { listType: 'atomic', keys: [] },
};

/** Structs marked +structType=atomic: owned and replaced as a whole. */
export const ATOMIC_STRUCTS: ReadonlySet<string> = new Set([
  'V1LabelSelector',
  'V1LocalObjectReference',
  'V1ObjectReference',
  'V1TypedLocalObjectReference',
  'V1TypedObjectReference',
  'V1NodeSelector',
  'V1NodeSelectorTerm',
  'V1TopologySelectorTerm',
  'V1ConfigMapKeySelector',
  'V1SecretKeySelector',
  'V1ObjectFieldSelector',
  'V1ResourceFieldSelector',
  'V1ConfigMapEnvSource',
  'V1SecretEnvSource',
  'V1SecretReference',
]);

/** The list schema of `typeName`'s list field `field`; lists without markers are atomic. */
export function builtinListSchema(typeName: string, field: string): ListSchema {
  const id = `${typeName}.${field}`;
  const extra = EXTRA_LISTS[id];
  if (extra) return extra;
  const s = MERGE_KEYS[id];
  if (!s || s.strategy === 'retainKeys') return { listType: 'atomic', keys: [] };
  if (!s.key) return { listType: 'set', keys: [] };
  return { listType: 'map', keys: MAP_KEY_OVERRIDES[id] ?? [s.key] };
}
