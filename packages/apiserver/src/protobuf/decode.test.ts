// Decoder behaviour the kubectl fixtures do not reach: pointer zeros, packed lists, special types,
// unknown fields, inline structs, and the errors a client sees for bad bodies.
import { describe, expect, it } from 'vitest';
import { compileSchema } from './compile.js';
import { ProtobufDecodeError, decodeKubernetesProtobuf, protobufMessageFor } from './index.js';
import { decodeSpecial } from './values.js';

// A tiny protobuf writer for hand-made bodies.
const varint = (v: number | bigint): number[] => {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    out.push(n > 0n ? b | 0x80 : b);
  } while (n > 0n);
  return out;
};
const key = (field: number, wire: number): number[] => varint(field * 8 + wire);
const vint = (field: number, v: number | bigint): number[] => [...key(field, 0), ...varint(v)];
const bytes = (field: number, payload: number[] | Uint8Array): number[] => [
  ...key(field, 2),
  ...varint(payload.length),
  ...payload,
];
const str = (field: number, s: string): number[] => bytes(field, Buffer.from(s, 'utf8'));
const entry = (field: number, k: string, value: number[]): number[] => bytes(field, [...str(1, k), ...value]);
const body = (apiVersion: string, kind: string, object: number[], extra: number[] = []): Buffer =>
  Buffer.from([
    0x6b,
    0x38,
    0x73,
    0x00,
    ...bytes(1, [...str(1, apiVersion), ...str(2, kind)]),
    ...bytes(2, object),
    ...extra,
  ]);
const meta = (name: string, more: number[] = []): number[] => bytes(1, [...str(1, name), ...more]);

function decodeError(b: Buffer): ProtobufDecodeError {
  try {
    decodeKubernetesProtobuf(b);
  } catch (e) {
    if (e instanceof ProtobufDecodeError) return e;
    throw e;
  }
  throw new Error('expected a ProtobufDecodeError');
}

describe('decodeKubernetesProtobuf', () => {
  it('keeps a pointer field present with its zero value and drops zero plain fields', () => {
    const cm = decodeKubernetesProtobuf(
      body('v1', 'ConfigMap', [...meta('c', [...str(2, ''), ...vint(7, 0)]), ...vint(4, 0)]),
    );
    expect(cm).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, immutable: false });

    const spec = [...vint(1, 0), ...vint(7, 0), ...vint(5, 0)]; // replicas=0 (pointer), paused=false, minReadySeconds=0
    expect(decodeKubernetesProtobuf(body('apps/v1', 'Deployment', bytes(2, spec))).spec).toEqual({ replicas: 0 });
  });

  it('reads repeated numbers both packed and one per tag', () => {
    const psc = [...bytes(4, [...varint(1000), ...varint(2000)]), ...vint(4, 3000)];
    const pod = decodeKubernetesProtobuf(body('v1', 'Pod', bytes(2, bytes(14, psc))));
    expect(pod.spec).toEqual({ securityContext: { supplementalGroups: [1000, 2000, 3000] } });
  });

  it('writes Time as RFC 3339 seconds and drops a zero Time', () => {
    const m = meta('t', [...bytes(8, [...vint(1, 1704164645), ...vint(2, 5)]), ...bytes(9, [])]);
    expect(decodeKubernetesProtobuf(body('v1', 'Namespace', m)).metadata).toEqual({
      name: 't',
      creationTimestamp: '2024-01-02T03:04:05Z',
    });
    const micro = Buffer.from([...vint(1, 1704164645), ...vint(2, 123456789)]);
    expect(decodeSpecial('MicroTime', micro, 0, micro.length)).toBe('2024-01-02T03:04:05.123456Z');
  });

  it('decodes Quantity maps, IntOrString and negative numbers', () => {
    const hard = [...entry(1, 'cpu', bytes(2, str(1, '500m'))), ...entry(1, 'pods', [])];
    expect(decodeKubernetesProtobuf(body('v1', 'ResourceQuota', bytes(2, hard))).spec).toEqual({
      hard: { cpu: '500m', pods: '0' },
    });

    const port = (ios: number[]): number[] => bytes(1, [...vint(3, 80), ...bytes(4, ios)]);
    const svc = decodeKubernetesProtobuf(
      body('v1', 'Service', bytes(2, [...port([...vint(1, 1), ...str(3, 'http')]), ...port(vint(2, 8080))])),
    );
    expect(svc.spec).toEqual({
      ports: [
        { port: 80, targetPort: 'http' },
        { port: 80, targetPort: 8080 },
      ],
    });

    const pc = decodeKubernetesProtobuf(body('scheduling.k8s.io/v1', 'PriorityClass', vint(2, -5)));
    expect(pc.value).toBe(-5);
  });

  it('merges embedded structs into their parent (volumes, probes, env refs)', () => {
    const volume = bytes(1, [
      ...str(1, 'cfg'),
      ...bytes(2, bytes(19, [...bytes(1, str(1, 'app-config')), ...vint(3, 420)])),
    ]);
    const probe = bytes(10, [
      ...bytes(1, bytes(2, [...str(1, '/healthz'), ...bytes(2, vint(2, 8080))])),
      ...vint(4, 5),
    ]);
    const env = bytes(7, [
      ...str(1, 'PASS'),
      ...bytes(3, bytes(4, [...bytes(1, str(1, 's')), ...str(2, 'pw'), ...vint(3, 0)])),
    ]);
    const container = bytes(2, [...str(1, 'c'), ...probe, ...env]);
    const pod = decodeKubernetesProtobuf(body('v1', 'Pod', bytes(2, [...volume, ...container])));
    expect(pod.spec).toEqual({
      volumes: [{ name: 'cfg', configMap: { name: 'app-config', defaultMode: 420 } }],
      containers: [
        {
          name: 'c',
          livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
          env: [{ name: 'PASS', valueFrom: { secretKeyRef: { name: 's', key: 'pw', optional: false } } }],
        },
      ],
    });
  });

  it('skips unknown fields of every wire type, including groups', () => {
    const unknown = [
      ...vint(90, 12345),
      ...key(91, 1),
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      ...str(92, 'future'),
      ...key(93, 5),
      1,
      2,
      3,
      4,
      ...key(94, 3),
      ...vint(1, 1),
      ...key(95, 3),
      ...key(95, 4),
      ...key(94, 4),
    ];
    const withUnknown = decodeKubernetesProtobuf(
      body('v1', 'Namespace', meta('ns', unknown), str(9, 'envelope-extra')),
    );
    expect(withUnknown).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
  });

  it('encodes bytes as base64 and keeps map keys like __proto__ as plain data', () => {
    const secret = decodeKubernetesProtobuf(
      body('v1', 'Secret', [
        ...meta('s', entry(11, '__proto__', str(2, 'x'))),
        ...entry(2, 'bin', bytes(2, [0, 255, 1])),
      ]),
    );
    expect(secret.data).toEqual({ bin: 'AP8B' });
    expect(Object.keys(secret.metadata?.labels ?? {})).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('knows which kinds it can decode', () => {
    expect(protobufMessageFor('apps/v1', 'Deployment')).toBe('apps.Deployment');
    expect(protobufMessageFor('v1', 'toString')).toBeUndefined();
    expect(protobufMessageFor('__proto__', 'x')).toBeUndefined();
  });
});

describe('decode errors', () => {
  it('names the field path and byte of a wrong wire type', () => {
    const e = decodeError(body('apps/v1', 'Deployment', bytes(2, bytes(3, bytes(2, bytes(2, vint(1, 7)))))));
    expect(e.message).toMatch(
      /^spec\.template\.spec\.containers\[0\]\.name: wire type 0 where 2 was expected, at byte \d+$/,
    );
    expect(e.reason).toBe('malformed');
  });

  it('rejects kinds without a schema as unsupported', () => {
    const e = decodeError(body('example.com/v1', 'Widget', []));
    expect(e.message).toBe('no protobuf schema for kind Widget in example.com/v1');
    expect(e.reason).toBe('unsupported');
  });

  it('rejects bodies without the k8s prefix, envelope type or with an encoding', () => {
    expect(decodeError(Buffer.from('{"kind":"Pod"}')).message).toMatch(/k8s\\0/);
    expect(decodeError(Buffer.from([0x6b, 0x38, 0x73, 0x00, ...bytes(2, [])])).message).toBe(
      'envelope carries no apiVersion and kind',
    );
    expect(decodeError(body('v1', 'Namespace', [], str(3, 'gzip'))).reason).toBe('unsupported');
  });

  it('rejects truncation, absurd lengths, bad wire types and field 0', () => {
    // The object message starts at byte 23 of these bodies.
    expect(decodeError(body('v1', 'Namespace', [...key(5, 0), 0x80])).message).toBe('truncated varint at byte 24');
    expect(decodeError(body('v1', 'Namespace', [0x0a, ...varint(0xffffffff)])).message).toMatch(
      /^metadata: length 4294967295 at byte 24 exceeds the 0 bytes left/,
    );
    expect(decodeError(body('v1', 'Namespace', [0x0a, ...varint(2 ** 35)])).message).toMatch(/does not fit in 32 bits/);
    expect(decodeError(body('v1', 'Namespace', [...key(5, 6)])).message).toMatch(/^bad wire type 6 for field 5/);
    expect(decodeError(body('v1', 'Namespace', [0x02, 0x00])).message).toMatch(/^field number 0/);
    expect(decodeError(body('v1', 'Namespace', meta('n', bytes(8, vint(1, 2 ** 40))))).message).toMatch(
      /outside years 0000-9999/,
    );
  });

  it('rejects runaway nesting without recursing into it', () => {
    const deep = [...Array.from({ length: 5000 }, () => key(7, 3)).flat()];
    expect(decodeError(body('v1', 'Namespace', deep)).message).toMatch(/nested deeper than 100/);
  });
});

describe('compileSchema', () => {
  it('refuses tables with dangling types, reused numbers or misplaced markers', () => {
    expect(() => compileSchema({ 'x.A': { b: [1, 'x.Missing'] } })).toThrow(/unknown type "x.Missing"/);
    expect(() => compileSchema({ 'x.A': { b: [1, 'string'], c: [1, 'bool'] } })).toThrow(/reuses field number 1/);
    expect(() => compileSchema({ 'x.A': { b: [1, '[]*string'] } })).toThrow(/applies only to single scalar/);
  });
});
