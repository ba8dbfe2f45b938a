// Writing responses: objects and lists as JSON or YAML, Tables, PartialObjectMetadata, and
// Status objects for errors (the one place an ApiError becomes HTTP).
import type { ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import type { KubeObject, Status, StoredObject } from '@wharf/api';
import { ApiError } from '../errors.js';
import type { Served } from '../registry.js';
import { toTable } from '../tables/index.js';
import { fromStorageVersion } from '../kinds/conversion.js';
import type { ListResult } from '../objects/api.js';
import type { Wanted } from './negotiate.js';

/** A body that is already JSON text (a list assembled from stored objects' JSON). */
export class RawJson {
  constructor(readonly text: string) {}
}

export function send(res: ServerResponse, code: number, body: unknown, wanted?: Wanted, warnings: string[] = []): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const yaml = wanted?.yaml === true && wanted.representation === 'object';
  const text =
    body instanceof RawJson
      ? yaml
        ? toYaml(JSON.parse(body.text))
        : body.text
      : yaml
        ? toYaml(body)
        : JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': yaml ? 'application/yaml' : 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function sendError(res: ServerResponse, e: unknown): ApiError {
  const err =
    e instanceof ApiError
      ? e
      : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
  send(res, err.code, err.toStatus());
  return err;
}

export function successStatus(details: Status['details'], code = 200): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  if (details) s.details = details;
  return s;
}

export function apiVersionOf(served: Served): string {
  return served.info.group ? `${served.info.group}/${served.info.version}` : served.info.version;
}

/** The object as served at the requested version (custom resources share one stored object; built-in kinds convert). */
export function asServed(served: Served, obj: StoredObject): StoredObject {
  const apiVersion = apiVersionOf(served);
  if (obj.apiVersion === apiVersion) return obj;
  return fromStorageVersion(served, obj) ?? { ...obj, apiVersion };
}

/** For tables: the columns are computed from the stored object, only the apiVersion is the one asked for. */
export function asServedRow(served: Served, obj: StoredObject): StoredObject {
  const apiVersion = apiVersionOf(served);
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}

export function partial(served: Served, obj: StoredObject): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  void served;
}

export function tableOptions(served: Served, query: URLSearchParams): Parameters<typeof toTable>[2] {
  const include = query.get('includeObject');
  return {
    includeObject: include === 'None' || include === 'Object' ? include : 'Metadata',
    ...(served.custom ? { printerColumns: served.custom.printerColumns } : {}),
  };
}

/**
 * A single object in the representation asked for. `storedJson`, the store's text of `obj`
 * (ObjectApi.storedJson), goes out as it is when no conversion is due: an object just written is not
 * serialised a second time for its response.
 */
export function renderObject(
  served: Served,
  obj: StoredObject,
  wanted: Wanted,
  query: URLSearchParams,
  storedJson?: string,
): unknown {
  if (wanted.representation === 'table')
    return toTable(served.info, [asServedRow(served, obj)], {
      ...tableOptions(served, query),
      resourceVersion: obj.metadata.resourceVersion,
    });
  if (wanted.representation === 'partial') return partial(served, obj);
  const out = asServed(served, obj);
  return out === obj && storedJson !== undefined ? new RawJson(storedJson) : out;
}

export function renderList(served: Served, list: ListResult, wanted: Wanted, query: URLSearchParams): unknown {
  const meta: Record<string, unknown> = { resourceVersion: list.resourceVersion };
  if (list.continue) meta.continue = list.continue;
  if (list.remainingItemCount !== undefined) meta.remainingItemCount = list.remainingItemCount;
  if (wanted.representation === 'table') {
    return toTable(
      served.info,
      list.items.map((o) => asServedRow(served, o)),
      {
        ...tableOptions(served, query),
        resourceVersion: list.resourceVersion,
        ...(list.continue ? { continue: list.continue } : {}),
        ...(list.remainingItemCount !== undefined ? { remainingItemCount: list.remainingItemCount } : {}),
      },
    );
  }
  if (wanted.representation === 'partial') {
    return {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata: meta,
      items: list.items.map((o) => partial(served, o)),
    };
  }
  const apiVersion = apiVersionOf(served);
  if (list.jsons.length === list.items.length && list.items.every((o) => o.apiVersion === apiVersion)) {
    // The stored JSON is exactly what is served: join it instead of serialising every object again.
    const head = JSON.stringify({ kind: `${served.info.kind}List`, apiVersion, metadata: meta });
    return new RawJson(`${head.slice(0, -1)},"items":[${list.jsons.join(',')}]}`);
  }
  return {
    kind: `${served.info.kind}List`,
    apiVersion,
    metadata: meta,
    items: list.items.map((o) => asServed(served, o)),
  };
}
