// Public API of the patch module: the three Kubernetes patch types the API server applies to stored
// objects (JSON merge, JSON patch, strategic merge) and the error they throw.
export { PatchError } from './errors.js';
export { applyMergePatch } from './merge.js';
export { applyJsonPatch } from './json.js';
export { applyStrategicMergePatch } from './strategic.js';
export { mergeStrategyOf, MERGE_KEYS } from './mergekeys.js';
export type { MergeStrategy, PatchStrategy } from './mergekeys.js';
