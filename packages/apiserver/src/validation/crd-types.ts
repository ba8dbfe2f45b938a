// The apiextensions.k8s.io/v1 JSONSchemaProps shape as plain JSON, with the two narrowing helpers
// every CRD module needs. Kept apart so the schema, value and pruning modules share it without
// importing one another.
import { isRecord } from '@wharf/api';

/** apiextensions.k8s.io/v1 JSONSchemaProps, as plain JSON. */
export interface JSONSchemaProps {
  type?: string;
  format?: string;
  title?: string;
  description?: string;
  default?: unknown;
  nullable?: boolean;
  enum?: unknown[];
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  items?: JSONSchemaProps | JSONSchemaProps[];
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: unknown[];
  [key: string]: unknown;
}

/** The schema node at `v`, or undefined when it is not an object. */
export function asSchema(v: unknown): JSONSchemaProps | undefined {
  return isRecord(v) ? (v as JSONSchemaProps) : undefined;
}

/** A boolean-or-schema additionalProperties as a schema, when it is one. */
export function additionalSchema(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return typeof s.additionalProperties === 'boolean' ? undefined : asSchema(s.additionalProperties);
}
