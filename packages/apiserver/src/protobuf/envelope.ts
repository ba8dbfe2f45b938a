// Decodes a whole `application/vnd.kubernetes.protobuf` request body: the `k8s\0` magic, the
// runtime.Unknown envelope (TypeMeta, raw object bytes, content encoding/type), then the object
// message chosen by the envelope's apiVersion and kind.
import type { KubeObject } from '@wharf/api';
import { decodeMessageAt } from './decode.js';
import { ProtobufDecodeError } from './errors.js';
import { WIRE_BYTES, WireReader } from './reader.js';
import { KINDS } from './schema/index.js';
import { decodeString } from './values.js';

/** The media type kubectl's typed clients send. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

/** True when the body starts with the Kubernetes protobuf magic prefix. */
export function hasProtobufMagic(body: Uint8Array): boolean {
  return body.length >= MAGIC.length && MAGIC.every((b, i) => body[i] === b);
}

/** The schema message for a GVK, or undefined when Wharf cannot decode that kind from protobuf. */
export function protobufMessageFor(apiVersion: string, kind: string): string | undefined {
  const byKind = Object.hasOwn(KINDS, apiVersion) ? KINDS[apiVersion] : undefined;
  return byKind && Object.hasOwn(byKind, kind) ? byKind[kind] : undefined;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: { start: number; end: number };
  contentEncoding: string;
}

function readString(r: WireReader, buf: Uint8Array, field: string, wire: number, at: number): string {
  if (wire !== WIRE_BYTES)
    throw new ProtobufDecodeError(`envelope ${field} has wire type ${wire}, expected 2, at byte ${at}`);
  const s = r.lengthDelimited();
  return decodeString(buf, s.start, s.end);
}

function readEnvelope(body: Uint8Array): Envelope {
  const r = new WireReader(body, MAGIC.length, body.length);
  const env: Envelope = {
    apiVersion: '',
    kind: '',
    raw: { start: body.length, end: body.length },
    contentEncoding: '',
  };
  while (!r.done()) {
    const t = r.tag();
    if (t.field === 1) {
      if (t.wire !== WIRE_BYTES)
        throw new ProtobufDecodeError(`envelope typeMeta has wire type ${t.wire}, expected 2, at byte ${t.at}`);
      const s = r.lengthDelimited();
      const tm = decodeMessageAt(body, 'meta.TypeMeta', s.start, s.end);
      env.apiVersion = typeof tm.apiVersion === 'string' ? tm.apiVersion : '';
      env.kind = typeof tm.kind === 'string' ? tm.kind : '';
    } else if (t.field === 2) {
      if (t.wire !== WIRE_BYTES)
        throw new ProtobufDecodeError(`envelope raw has wire type ${t.wire}, expected 2, at byte ${t.at}`);
      env.raw = r.lengthDelimited();
    } else if (t.field === 3) {
      env.contentEncoding = readString(r, body, 'contentEncoding', t.wire, t.at);
    } else if (t.field === 4) {
      readString(r, body, 'contentType', t.wire, t.at);
    } else r.skip(t);
  }
  return env;
}

/**
 * Decodes a Kubernetes protobuf request body into the JSON object its JSON wire form would give.
 * Throws ProtobufDecodeError (reason `malformed` → 400, `unsupported` → 415) and nothing else.
 */
export function decodeKubernetesProtobuf(body: Buffer): KubeObject {
  if (!hasProtobufMagic(body)) {
    throw new ProtobufDecodeError('body does not start with the Kubernetes protobuf prefix "k8s\\0"');
  }
  try {
    const env = readEnvelope(body);
    if (env.contentEncoding !== '') {
      throw new ProtobufDecodeError(`unsupported contentEncoding "${env.contentEncoding}"`, 'unsupported');
    }
    if (env.kind === '' || env.apiVersion === '') {
      throw new ProtobufDecodeError('envelope carries no apiVersion and kind');
    }
    const message = protobufMessageFor(env.apiVersion, env.kind);
    if (!message) {
      throw new ProtobufDecodeError(`no protobuf schema for kind ${env.kind} in ${env.apiVersion}`, 'unsupported');
    }
    const obj = decodeMessageAt(body, message, env.raw.start, env.raw.end);
    return { apiVersion: env.apiVersion, kind: env.kind, ...obj };
  } catch (e) {
    if (e instanceof ProtobufDecodeError) throw e;
    // Anything else (e.g. a RangeError from a runaway input) is still the body's fault.
    throw new ProtobufDecodeError(`undecodable protobuf body: ${e instanceof Error ? e.message : String(e)}`);
  }
}
