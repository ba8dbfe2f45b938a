// /openapi/v2: the Swagger 2.0 document of the built-in kinds, as JSON and in gnostic's protobuf
// (openapi.v2.Document), which kubectl before 1.27 fetches to validate manifests on the client
// (`--validate=true`, its default) and to `kubectl explain`. kubectl finds a kind's schema by the
// definition's x-kubernetes-group-version-kind and rejects unknown fields with it; a kind it finds
// no definition for is left to the server. Custom resources are therefore published without a
// schema: the server validates them against their CRD.
import { createHash } from 'node:crypto';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { stringify } from 'yaml';
import { componentSchemas, gvk } from './openapi.js';
import type { ResourceRegistry } from './registry.js';

export const GNOSTIC_V2_MEDIA_TYPE = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

type Schema = Record<string, unknown>;
interface QueryParameter {
  name: string;
  in: 'query';
  type: string;
  uniqueItems: boolean;
}
interface PathItem {
  patch: { parameters: QueryParameter[]; 'x-kubernetes-action': string; 'x-kubernetes-group-version-kind': unknown };
}

export class OpenApiV2 {
  private cached: { json: string; protobuf: Uint8Array; etags: { json: string; protobuf: string } } | undefined;

  constructor(private readonly registry: ResourceRegistry) {}

  invalidate(): void {
    this.cached = undefined;
  }

  private build(): { json: string; protobuf: Uint8Array; etags: { json: string; protobuf: string } } {
    if (this.cached) return this.cached;
    const built = this.registry.all().filter((s) => s.typeName && !s.info.virtual && !s.info.remote);
    const definitions = componentSchemas([...new Set(built.map((s) => s.typeName!))], '#/definitions/');
    for (const s of built) {
      const def = definitions[s.typeName!];
      if (!def) continue;
      const kinds = (def['x-kubernetes-group-version-kind'] as unknown[] | undefined) ?? [];
      if (!kinds.some((k) => JSON.stringify(k) === JSON.stringify(gvk(s))))
        def['x-kubernetes-group-version-kind'] = [...kinds, gvk(s)];
    }
    // A PATCH operation per resource, carrying its kind and a dryRun parameter: kubectl before 1.27
    // refuses --dry-run=server for a kind whose PATCH it cannot find with one.
    const paths: Record<string, PathItem> = {};
    for (const s of this.registry.all()) {
      if (s.info.virtual || !s.info.verbs.includes('patch')) continue;
      const gv = s.info.group ? `/apis/${s.info.group}/${s.info.version}` : `/api/${s.info.version}`;
      paths[`${gv}${s.info.namespaced ? '/namespaces/{namespace}' : ''}/${s.info.resource}/{name}`] = {
        patch: {
          parameters: [{ name: 'dryRun', in: 'query', type: 'string', uniqueItems: true }],
          'x-kubernetes-action': 'patch',
          'x-kubernetes-group-version-kind': gvk(s),
        },
      };
    }
    const doc = { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, definitions };
    const json = JSON.stringify(doc);
    const protobuf = encodeDocument(doc);
    // One ETag per representation: clients cache them (kubectl in ~/.kube/cache/http) and must not
    // revalidate one with the other.
    const etag = (bytes: string | Uint8Array): string =>
      `"${createHash('sha512').update(bytes).digest('hex').slice(0, 64).toUpperCase()}"`;
    this.cached = { json, protobuf, etags: { json: etag(json), protobuf: etag(protobuf) } };
    return this.cached;
  }

  /** The document as JSON text. */
  json(): string {
    return this.build().json;
  }

  /** The document as a gnostic openapi.v2.Document message. */
  protobuf(): Uint8Array {
    return this.build().protobuf;
  }

  etag(representation: 'json' | 'protobuf'): string {
    return this.build().etags[representation];
  }
}

// Field numbers of gnostic's OpenAPIv2.proto.
const DOC = { swagger: 1, info: 2, paths: 8, definitions: 9 } as const;
const INFO = { title: 1, version: 2 } as const;
const OPERATION = { parameters: 8, vendorExtension: 13 } as const;
const PATH_ITEM_PATCH = 8;
const SCHEMA = {
  ref: 1,
  format: 2,
  description: 4,
  required: 19,
  additionalProperties: 21,
  type: 22,
  items: 23,
  properties: 25,
  vendorExtension: 31,
} as const;

const message = (w: BinaryWriter, field: number, body: (w: BinaryWriter) => void): void => {
  w.tag(field, WireType.LengthDelimited).fork();
  body(w);
  w.join();
};
const str = (w: BinaryWriter, field: number, value: unknown): void => {
  if (typeof value === 'string' && value !== '') w.tag(field, WireType.LengthDelimited).string(value);
};

/** NamedAny{name, Any{yaml}}: gnostic keeps vendor extensions as YAML text. */
function vendorExtension(w: BinaryWriter, field: number, name: string, value: unknown): void {
  message(w, field, (named) => {
    str(named, 1, name);
    message(named, 2, (any) => str(any, 2, stringify(value)));
  });
}

function schema(w: BinaryWriter, s: Schema): void {
  str(w, SCHEMA.ref, s.$ref);
  str(w, SCHEMA.format, s.format);
  str(w, SCHEMA.description, s.description);
  for (const r of (s.required as string[] | undefined) ?? []) str(w, SCHEMA.required, r);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    message(w, SCHEMA.additionalProperties, (ap) =>
      message(ap, 1, (inner) => schema(inner, s.additionalProperties as Schema)),
    );
  }
  if (typeof s.type === 'string') message(w, SCHEMA.type, (t) => str(t, 1, s.type));
  if (s.items && typeof s.items === 'object')
    message(w, SCHEMA.items, (items) => message(items, 1, (inner) => schema(inner, s.items as Schema)));
  if (s.properties && typeof s.properties === 'object') {
    message(w, SCHEMA.properties, (props) => {
      for (const [name, sub] of Object.entries(s.properties as Record<string, Schema>)) {
        message(props, 1, (named) => {
          str(named, 1, name);
          message(named, 2, (inner) => schema(inner, sub));
        });
      }
    });
  }
  for (const [name, value] of Object.entries(s))
    if (name.startsWith('x-')) vendorExtension(w, SCHEMA.vendorExtension, name, value);
}

/**
 * PathItem{patch: Operation{parameters: [ParametersItem{Parameter{NonBodyParameter{QueryParameterSubSchema}}}],
 * vendor_extension}}.
 */
function pathItem(w: BinaryWriter, item: PathItem): void {
  message(w, PATH_ITEM_PATCH, (op) => {
    for (const p of item.patch.parameters) {
      message(op, OPERATION.parameters, (pi) =>
        message(pi, 1, (param) =>
          message(param, 2, (nonBody) =>
            message(nonBody, 3, (query) => {
              str(query, 2, p.in);
              str(query, 4, p.name);
              str(query, 6, p.type);
              if (p.uniqueItems) query.tag(20, WireType.Varint).bool(true);
            }),
          ),
        ),
      );
    }
    for (const [name, value] of Object.entries(item.patch))
      if (name.startsWith('x-')) vendorExtension(op, OPERATION.vendorExtension, name, value);
  });
}

export function encodeDocument(doc: {
  swagger: string;
  info: { title: string; version: string };
  paths: Record<string, PathItem>;
  definitions: Record<string, Schema>;
}): Uint8Array {
  const w = new BinaryWriter();
  str(w, DOC.swagger, doc.swagger);
  message(w, DOC.info, (info) => {
    str(info, INFO.title, doc.info.title);
    str(info, INFO.version, doc.info.version);
  });
  message(w, DOC.paths, (paths) => {
    for (const [name, item] of Object.entries(doc.paths)) {
      message(paths, 2, (named) => {
        str(named, 1, name);
        message(named, 2, (inner) => pathItem(inner, item));
      });
    }
  });
  message(w, DOC.definitions, (defs) => {
    for (const [name, s] of Object.entries(doc.definitions)) {
      message(defs, 1, (named) => {
        str(named, 1, name);
        message(named, 2, (inner) => schema(inner, s));
      });
    }
  });
  return w.finish();
}
