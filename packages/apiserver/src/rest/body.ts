// Reading and decoding request bodies: a hard size limit, then JSON, YAML or Kubernetes protobuf
// by Content-Type. Any malformed body becomes a 400/415 Status, never an exception escaping.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, entityTooLarge, unsupportedMediaType } from '../errors.js';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from '../protobuf/index.js';

/** The real apiserver's limit for request bodies is 3 MiB; objects in etcd are capped at 1.5 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
const MAX_DEPTH = 100;

/** The body each request sent, once read (the audit log's requestObject at level Request). */
export const requestBodies = new WeakMap<IncomingMessage, Buffer>();

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
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requestBodies.set(req, body);
      resolve(body);
    });
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

/**
 * Refuses YAML that nests deeper than MAX_DEPTH before parsing it: the parser recurses per level,
 * and a stack overflow inside V8's regexp compiler ends the process instead of throwing. Counts
 * flow brackets outside quoted scalars and block indentation levels, whichever is deeper.
 */
function checkYamlDepth(text: string): void {
  let flow = 0;
  let quote = '';
  const indents: number[] = [];
  let lineStart = true;
  let indent = 0;
  /** The last character that was not a space: a quote opens a scalar only after one of `:[{,-` or at a line's start. */
  let prev = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\n') {
      lineStart = true;
      indent = 0;
      prev = '';
      if (quote === "'" || quote === '"') continue;
      quote = '';
      continue;
    }
    if (lineStart) {
      if (c === ' ' || c === '-') {
        indent++;
        continue;
      }
      lineStart = false;
      if (c !== '#' && c !== '\r') {
        while (indents.length && (indents[indents.length - 1] ?? 0) >= indent) indents.pop();
        indents.push(indent);
      }
    }
    if (quote) {
      if (c === quote && text[i - 1] !== '\\') quote = '';
      continue;
    }
    if ((c === '"' || c === "'") && (prev === '' || ':[{,-'.includes(prev))) quote = c;
    else if (c === '#' && (i === 0 || text[i - 1] === ' '))
      quote = '\n'; // a comment runs to the end of the line
    else if (c === '[' || c === '{') flow++;
    else if ((c === ']' || c === '}') && flow > 0) flow--;
    if (c !== ' ' && c !== '\t' && c !== '\r') prev = c;
    if (flow + indents.length > MAX_DEPTH) throw badRequest(`the request body nests deeper than ${MAX_DEPTH} levels`);
  }
}

/** A body that does not parse, with the reason in the words Go's decoders use. */
class BodySyntaxError extends ApiError {
  constructor(
    readonly why: string,
    message: string,
  ) {
    super(400, 'BadRequest', message);
  }
}

function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const first = text.trimStart()[0];
    const reason =
      first === undefined
        ? 'unexpected end of JSON input'
        : !/[[{"\-0-9tfn]/.test(first)
          ? `invalid character '${first}' looking for beginning of value`
          : (e as Error).message;
    throw new BodySyntaxError(reason, `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The first bytes of a body for an error message, as kube-apiserver's summarizeData: text when it
 * starts like a JSON object, hex otherwise.
 */
function summarize(buf: Buffer, max = 30): string {
  if (!buf.length) return '<empty>';
  const part = buf.subarray(0, max);
  const shown = buf[0] === 0x7b ? part.toString('utf8') : part.toString('hex');
  return buf.length > max ? `${shown} ...` : shown;
}

/**
 * Decodes the body of a create or update of `kind`: an object, or the real API server's 400
 * (`the object provided is unrecognized (must be of type Namespace): …`).
 */
export function decodeObjectBody(kind: string, contentType: string | undefined, buf: Buffer): Record<string, unknown> {
  const unrecognized = (why: string): ApiError =>
    badRequest(
      `the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${why} (${summarize(buf)})`,
    );
  let value: unknown;
  try {
    value = decodeBody(contentType, buf);
  } catch (e) {
    if (e instanceof BodySyntaxError) throw unrecognized(e.why);
    throw e;
  }
  if (value === undefined) throw unrecognized('unexpected end of JSON input');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
    throw unrecognized(
      `json: cannot unmarshal ${what} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    );
  }
  return value as Record<string, unknown>;
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
  if (
    type === 'application/json' ||
    type === '' ||
    PATCH_TYPES[type] === 'json' ||
    PATCH_TYPES[type] === 'merge' ||
    PATCH_TYPES[type] === 'strategic'
  ) {
    value = parseJson(buf);
  } else if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    // JSON is YAML, and what kubectl and client-node send: parse it as such, far faster.
    value = looksLikeJson(buf) ? tryParseJson(buf) : undefined;
    if (value === undefined) {
      const text = buf.toString('utf8');
      checkYamlDepth(text);
      try {
        value = parseYaml(text, { maxAliasCount: 100 }) as unknown;
      } catch (e) {
        const first = (e as Error).message.split('\n')[0] ?? '';
        throw new BodySyntaxError(
          `error converting YAML to JSON: yaml: ${first}`,
          `the request body is not valid YAML: ${first}`,
        );
      }
    }
  } else if (type === 'application/vnd.kubernetes.protobuf') {
    try {
      value = decodeKubernetesProtobuf(buf);
    } catch (e) {
      if (e instanceof ProtobufDecodeError) {
        if (e.reason === 'unsupported')
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format: ${e.message}`,
          );
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
