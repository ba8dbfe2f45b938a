// A minimal OpenAPI v3 document per group-version. kubectl 1.32's default --validate=strict looks
// here for a PATCH operation carrying the kind's GVK and a fieldValidation parameter; finding it,
// kubectl leaves validation to the server (which rejects unknown fields itself).
import { createHash } from 'node:crypto';
import { elementType, fieldsOf, isListType, isMapType, isObjectType } from '@wharf/api';
import { mergeStrategyOf } from './patch/mergekeys.js';
import type { ResourceRegistry, Served } from './registry.js';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** Where a document keeps its schemas: OpenAPI v3's components or Swagger 2.0's definitions. */
export type RefPrefix = '#/components/schemas/' | '#/definitions/';

function schemaOfType(t: string, refs: Set<string>, prefix: RefPrefix): Record<string, unknown> {
  if (isListType(t)) return { type: 'array', items: schemaOfType(elementType(t), refs, prefix) };
  if (isMapType(t)) return { type: 'object', additionalProperties: schemaOfType(elementType(t), refs, prefix) };
  if (isObjectType(t)) {
    refs.add(t);
    return { $ref: `${prefix}${t}` };
  }
  switch (t) {
    case 'string':
      return { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'int32':
    case 'int64':
      return { type: 'integer', format: t };
    case 'double':
      return { type: 'number', format: 'double' };
    case 'date-time':
      return { type: 'string', format: 'date-time' };
    // Swagger 2.0 has no int-or-string: upstream publishes it as a string of that format.
    case 'int-or-string':
      return prefix === '#/definitions/'
        ? { type: 'string', format: 'int-or-string' }
        : { 'x-kubernetes-int-or-string': true };
    default:
      return {};
  }
}

/** The schemas of `roots` and every type they reach, by type name. */
export function componentSchemas(
  roots: string[],
  prefix: RefPrefix = '#/components/schemas/',
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop() as string;
    if (out[name]) continue;
    const fields = fieldsOf(name);
    if (!fields) continue;
    const refs = new Set<string>();
    const properties: Record<string, unknown> = {};
    for (const [f, t] of Object.entries(fields)) {
      properties[f] = schemaOfType(t, refs, prefix);
      // The struct tags strategic merge patch follows: clients (kubectl apply) read them here.
      const merge = mergeStrategyOf(name, f);
      if (merge)
        Object.assign(properties[f] as object, {
          'x-kubernetes-patch-strategy': merge.strategy,
          ...(merge.key ? { 'x-kubernetes-patch-merge-key': merge.key } : {}),
        });
    }
    out[name] = { type: 'object', properties };
    for (const r of refs) if (!out[r]) queue.push(r);
  }
  return out;
}

export class OpenApiDocs {
  private cache = new Map<string, { json: string; hash: string }>();

  constructor(private readonly registry: ResourceRegistry) {}

  /** Forget cached documents (the set of served resources changed). */
  invalidate(): void {
    this.cache.clear();
  }

  private build(group: string, version: string): { json: string; hash: string } | undefined {
    const key = `${group}/${version}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const served = this.registry.all().filter((s) => s.info.group === group && s.info.version === version);
    if (!served.length) return undefined;
    const paths: Record<string, unknown> = {};
    const roots: string[] = [];
    const schemas: Record<string, unknown> = {};
    for (const s of served) {
      if (s.typeName) roots.push(s.typeName);
      else if (s.custom?.schema) schemas[`${group}.${version}.${s.info.kind}`] = s.custom.schema;
      const base = `/${gvPath(group, version)}${s.info.namespaced ? '/namespaces/{namespace}' : ''}/${s.info.resource}`;
      paths[`${base}/{name}`] = {
        patch: this.patchOp(s),
        get: {
          'x-kubernetes-group-version-kind': gvk(s),
          'x-kubernetes-action': 'get',
          responses: { 200: { description: 'OK' } },
        },
      };
      paths[base] = {
        post: {
          'x-kubernetes-group-version-kind': gvk(s),
          'x-kubernetes-action': 'post',
          parameters: [fieldValidationParam],
          responses: { 201: { description: 'Created' } },
        },
      };
    }
    const doc = {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'v1.32.0' },
      paths,
      components: { schemas: { ...componentSchemas(roots), ...schemas } },
    };
    for (const s of served) {
      const name = s.typeName ?? `${group}.${version}.${s.info.kind}`;
      const sch = doc.components.schemas[name] as Record<string, unknown> | undefined;
      if (sch) sch['x-kubernetes-group-version-kind'] = [gvk(s)];
    }
    const json = JSON.stringify(doc);
    const entry = { json, hash: createHash('sha512').update(json).digest('hex').slice(0, 128).toUpperCase() };
    this.cache.set(key, entry);
    return entry;
  }

  private patchOp(s: Served): unknown {
    return {
      'x-kubernetes-group-version-kind': gvk(s),
      'x-kubernetes-action': 'patch',
      parameters: [
        fieldValidationParam,
        { name: 'dryRun', in: 'query', schema: { type: 'string' } },
        { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
      ],
      responses: { 200: { description: 'OK' } },
    };
  }

  /** The root index: every group-version with its hashed URL. */
  index(): unknown {
    const paths: Record<string, unknown> = {};
    for (const [group, versions] of this.registry.groups()) {
      for (const v of versions) {
        const built = this.build(group, v);
        if (built)
          paths[gvPath(group, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, v)}?hash=${built.hash}` };
      }
    }
    return { paths };
  }

  /** The document for "api/v1" or "apis/<group>/<version>", as JSON text. */
  document(path: string): string | undefined {
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'api' && parts.length === 2) return this.build('', parts[1] ?? '')?.json;
    if (parts[0] === 'apis' && parts.length === 3) return this.build(parts[1] ?? '', parts[2] ?? '')?.json;
    return undefined;
  }
}

const fieldValidationParam = { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } };

export function gvk(s: Served): { group: string; version: string; kind: string } {
  return { group: s.info.group, version: s.info.version, kind: s.info.kind };
}
