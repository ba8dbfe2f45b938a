// Custom resources and their schemas: structural-schema checks for CRD authors, value validation,
// defaulting and pruning for the objects themselves. The pieces live in crd-*.ts.
export { validateStructuralSchema, type JSONSchemaProps } from './crd-schema.js';
export { validateCustomResource } from './crd-values.js';
export { applySchemaDefaults, pruneUnknownFields } from './crd-prune.js';
