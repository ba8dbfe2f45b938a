// Reading and decoding request bodies: a hard size limit, then JSON, YAML or Kubernetes protobuf
// by Content-Type. Any malformed body becomes a 400/415 Status, never an exception escaping.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, entityTooLarge, unsupportedMediaType } from '../errors.js';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from '../protobuf/index.js';

/** The real apiserver's limit for request bodies is 3 MiB; objects in etcd are capped at 1.5 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
const MAX_DEPTH = 100;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(entityTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(entityTooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function checkDepth(v: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw badRequest(`the request body nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(v)) for (const x of v) checkDepth(x, depth + 1);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) checkDepth(x, depth + 1);
}

function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch (e) {
    throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

function looksLikeJson(buf: Buffer): boolean {
  for (const b of buf) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    return b === 0x7b; // '{'
  }
  return false;
}

/** The JSON value of `buf`, or undefined when it is not JSON (the YAML parser then decides). */
function tryParseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Media types accepted for PATCH, mapped to the patch type. */
export const PATCH_TYPES: Record<string, 'json' | 'merge' | 'strategic' | 'apply'> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

/** Decodes an object body (POST/PUT and DELETE options). An empty body decodes to undefined. */
export function decodeBody(contentType: string | undefined, buf: Buffer): unknown {
  if (buf.length === 0) return undefined;
  const type = mediaType(contentType);
  let value: unknown;
  if (type === 'application/json' || type === '' || PATCH_TYPES[type] === 'json' || PATCH_TYPES[type] === 'merge' || PATCH_TYPES[type] === 'strategic') {
    value = parseJson(buf);
  } else if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    // JSON is YAML, and what kubectl and client-node send: parse it as such, far faster.
    value = looksLikeJson(buf) ? tryParseJson(buf) : undefined;
    if (value === undefined) {
      try {
        value = parseYaml(buf.toString('utf8'), { maxAliasCount: 100 }) as unknown;
      } catch (e) {
        throw badRequest(`the request body is not valid YAML: ${(e as Error).message.split('\n')[0] ?? ''}`);
      }
    }
  } else if (type === 'application/vnd.kubernetes.protobuf') {
    try {
      value = decodeKubernetesProtobuf(buf);
    } catch (e) {
      if (e instanceof ProtobufDecodeError) {
        if (e.reason === 'unsupported') throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format: ${e.message}`);
        throw badRequest(`the request body is not a valid Kubernetes protobuf message: ${e.message}`);
      }
      throw e;
    }
  } else {
    throw unsupportedMediaType(type);
  }
  checkDepth(value);
  return value;
}
