// Hostile and malformed input: every bad request gets a clear 4xx answer as a Kubernetes Status
// (kind Status, the right code and reason), and the server survives with its objects intact.
import { request } from 'node:https';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  crdManifest,
  eventually,
  json,
  Kubectl,
  KUBECTL_132,
  RawApi,
  type RawResponse,
  sharedWharf,
  type WharfEndpoint,
} from '@wharf/testing';

const NS = 'bad';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const KEEP = `${CM}/keep`;
const WIDGETS = `/apis/malformed.example.com/v1/namespaces/${NS}/widgets`;
const CRD = crdManifest({
  group: 'malformed.example.com',
  kind: 'Widget',
  spec: { properties: { size: { type: 'integer' } } },
});

let wharf: WharfEndpoint;
let api: RawApi;
let keepRv = '';

beforeAll(async () => {
  wharf = await sharedWharf(); // the run's control plane, shared with the other kubectl suites
  api = RawApi.fromKubeconfig(wharf.kubeconfig);
  const k = new Kubectl(wharf.kubeconfig, KUBECTL_132);
  await k.ok(['create', 'namespace', NS]);
  await k.ok(['create', 'configmap', 'keep', '-n', NS, '--from-literal=color=blue']);
  await k.ok(['apply', '-f', '-'], { stdin: CRD });
  await k.ok(['wait', '--for=condition=Established', 'crd/widgets.malformed.example.com', '--timeout=20s']);
  await eventually(
    async () =>
      (
        await api.post(WIDGETS, {
          apiVersion: 'malformed.example.com/v1',
          kind: 'Widget',
          metadata: { name: 'w1' },
          spec: { size: 1 },
        })
      ).status === 201,
    20_000,
    'widget created',
  );
  keepRv = json(await api.get(KEEP)).metadata.resourceVersion as string;
});

afterEach(async () => {
  // After every batch of bad input the server still answers.
  expect((await api.get('/readyz')).status).toBe(200);
});

afterAll(async () => {
  api?.close();
});

/** Asserts a failure answered as a JSON Kubernetes Status with this code and reason. */
function expectStatus(r: RawResponse, code: number, reason: string, message?: RegExp): void {
  const what = `${r.status} ${r.text.slice(0, 300)}`;
  expect(r.status, what).toBe(code);
  expect(r.headers['content-type'], what).toMatch(/^application\/json/);
  const s = json(r);
  expect(s, what).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
  expect(typeof s.message === 'string' && s.message.length > 0, what).toBe(true);
  if (message) expect(s.message).toMatch(message);
}

const cm = (name: unknown, data: Record<string, string> = { a: 'b' }): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});

// Minimal protobuf writer for the Kubernetes envelope (field numbers from the API reference).
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
function field(num: number, value: Buffer | string): Buffer {
  const b = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([varint((num << 3) | 2), varint(b.length), b]);
}
/** `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw}. */
function envelope(apiVersion: string, kind: string, raw: Buffer, magic = 'k8s\0'): Buffer {
  return Buffer.concat([
    Buffer.from(magic, 'binary'),
    field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])),
    field(2, raw),
  ]);
}
/** A ConfigMap message: metadata{name} and one data entry. */
function configMapProto(name: string, key: string, value: string): Buffer {
  return Buffer.concat([field(1, field(1, name)), field(2, Buffer.concat([field(1, key), field(2, value)]))]);
}
const PROTO = 'application/vnd.kubernetes.protobuf';

describe('malformed bodies', () => {
  it('a body that is not an object is named as the real server names it', async () => {
    // kube-apiserver's transformDecodeError: the URL's kind, Go's reason, the first 30 bytes (hex unless JSON).
    expectStatus(
      await api.post(CM, 'apiVersion: v1\nkind: ConfigMap\n'),
      400,
      'BadRequest',
      /^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: invalid character 'a' looking for beginning of value \(61706956657273696f6e3a2076310a6b696e643a20436f6e6669674d6170 \.\.\.\)$/,
    );
    expectStatus(
      await api.post(CM, '[1,2]'),
      400,
      'BadRequest',
      /^the object provided is unrecognized \(must be of type ConfigMap\): couldn't get version\/kind; json parse error: json: cannot unmarshal array into Go value/,
    );
  });

  it('JSON: syntax errors, trailing garbage, non-objects, empty, binary', async () => {
    for (const body of [
      '{bad',
      '{"apiVersion":"v1",',
      '{}x',
      '[1,2]',
      '"text"',
      'null',
      '\u0000\u0001\u0002',
      '{"metadata":',
    ]) {
      expectStatus(await api.post(CM, body), 400, 'BadRequest');
    }
    expectStatus(await api.request('POST', CM), 400, 'BadRequest');
  });

  it('YAML: tabs, garbage, non-objects and alias bombs', async () => {
    const bomb =
      'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
    for (const body of [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tabbed\n',
      ': : :\n  - ]',
      'metadata: {name: [unclosed\n',
      '- a\n- b\n',
      bomb,
    ]) {
      expectStatus(await api.post(CM, body, { contentType: 'application/yaml' }), 400, 'BadRequest');
    }
    // A well-formed YAML body is accepted, so the rejections above are about the bytes.
    expect(
      (
        await api.post(CM, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml}\ndata: {a: b}\n', {
          contentType: 'application/yaml',
        })
      ).status,
    ).toBe(201);
  });

  it('protobuf: garbage, wrong magic, truncated, bad wire types, wrong kind', async () => {
    const good = envelope('v1', 'ConfigMap', configMapProto('from-proto', 'k', 'v'));
    const created = await api.post(CM, good, { contentType: PROTO });
    expect(created.status, created.text).toBe(201);
    expect(json(created).data).toEqual({ k: 'v' });

    expectStatus(await api.post(CM, 'garbage that is not protobuf', { contentType: PROTO }), 400, 'BadRequest');
    expectStatus(
      await api.post(CM, envelope('v1', 'ConfigMap', configMapProto('x1', 'k', 'v'), 'k9s\0'), { contentType: PROTO }),
      400,
      'BadRequest',
    );
    expectStatus(await api.post(CM, Buffer.from('k8s\0'), { contentType: PROTO }), 400, 'BadRequest');
    // Every truncation of a valid body that cuts through a field is rejected, none crashes.
    for (let len = 5; len < good.length; len += 3) {
      const r = await api.post(CM, good.subarray(0, len), { contentType: PROTO });
      expect(r.status, `truncated at ${len}: ${r.text}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `truncated at ${len}: ${r.text}`).toBeLessThan(500);
      expect(json(r).kind).toBe('Status');
    }
    // Wire type 7 does not exist; a length far past the end of the body.
    expectStatus(
      await api.post(CM, Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0f, 0x01])]), { contentType: PROTO }),
      400,
      'BadRequest',
    );
    expectStatus(
      await api.post(CM, Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f])]), {
        contentType: PROTO,
      }),
      400,
      'BadRequest',
    );
    // A Secret envelope sent to configmaps.
    expectStatus(
      await api.post(CM, envelope('v1', 'Secret', configMapProto('x2', 'k', 'v')), { contentType: PROTO }),
      400,
      'BadRequest',
    );
  });

  it('protobuf for a custom resource is 415', async () => {
    const body = envelope('malformed.example.com/v1', 'Widget', field(1, field(1, 'pw')));
    expectStatus(await api.post(WIDGETS, body, { contentType: PROTO }), 415, 'UnsupportedMediaType');
  });

  it('bodies over the 3 MiB limit are 413, declared or streamed', async () => {
    const big = JSON.stringify(cm('big', { a: 'x'.repeat(4 * 1024 * 1024) }));
    expectStatus(await api.post(CM, big), 413, 'RequestEntityTooLarge');
    // Chunked, no Content-Length: the limit holds while reading.
    const streamed = await new Promise<RawResponse>((resolve, reject) => {
      const url = new URL(api.server);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: CM,
          ca: api.ca,
          headers: {
            authorization: `Bearer ${api.token ?? ''}`,
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 'x');
      let sent = 0;
      const pump = (): void => {
        while (sent < 16 && !req.destroyed) {
          sent++;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expectStatus(streamed, 413, 'RequestEntityTooLarge');
  });

  it('an object over the 1 MiB ConfigMap size is 422 Invalid', async () => {
    expectStatus(await api.post(CM, cm('too-much', { a: 'x'.repeat(1024 * 1024 + 10) })), 422, 'Invalid', /Too long/);
  });

  it('deep nesting (10,000 levels) is 400, not a crash', async () => {
    const deepArray = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expectStatus(await api.post(CM, deepArray), 400, 'BadRequest', /nest/);
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    expectStatus(await api.post(CM, deepObject), 400, 'BadRequest');
    const deepYaml = `metadata: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    expectStatus(await api.post(CM, deepYaml, { contentType: 'application/yaml' }), 400, 'BadRequest');
    const deepPatch = `{"data":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    expectStatus(await api.patch(KEEP, deepPatch, 'application/merge-patch+json'), 400, 'BadRequest');
  });
});

describe('names', () => {
  const bad = [
    'a'.repeat(254),
    '../x',
    '..',
    '%2e%2e',
    'a/b',
    "x'); DROP TABLE log;--",
    '名前',
    'Upper',
    'nul\u0000byte',
    ' spaced',
    '-dash',
  ];

  it('invalid names in a body are 422 Invalid naming metadata.name', async () => {
    for (const name of bad) {
      const r = await api.post(CM, cm(name));
      expectStatus(r, 422, 'Invalid', /metadata\.name/);
      expect(json(r).details.causes[0].field).toBe('metadata.name');
    }
    expectStatus(await api.post(CM, cm(42)), 400, 'BadRequest');
  });

  it('path traversal in the URL is rejected and never reaches another object', async () => {
    expectStatus(await api.get(`${CM}/..`), 400, 'BadRequest', /Name parameter invalid/);
    expectStatus(await api.request('DELETE', `${CM}/%2e%2e`), 400, 'BadRequest');
    expectStatus(await api.request('DELETE', `${CM}/%2E%2E`), 400, 'BadRequest');
    expectStatus(await api.get(`${CM}/.`), 400, 'BadRequest');
    expectStatus(await api.get(`${CM}/a%2Fb`), 400, 'BadRequest', /may not contain '\/'/);
    expectStatus(await api.get(`${CM}/%zz`), 400, 'BadRequest');
    // The namespace the traversal pointed at is untouched.
    expect((await api.get(`/api/v1/namespaces/${NS}`)).status).toBe(200);
  });

  it('SQL and unicode in names are plain not-found lookups', async () => {
    expectStatus(await api.get(`${CM}/${encodeURIComponent("x'); DROP TABLE log;--")}`), 404, 'NotFound');
    expectStatus(await api.get(`${CM}/${encodeURIComponent('名前')}`), 404, 'NotFound');
    expectStatus(
      await api.get(`${CM}?labelSelector=${encodeURIComponent("app in (x'); DROP TABLE log;--)")}`),
      400,
      'BadRequest',
    );
    // Field selector values are free text: an injection attempt is just a name that matches nothing.
    const byField = await api.get(`${CM}?fieldSelector=${encodeURIComponent("metadata.name=x'; DROP TABLE log;--")}`);
    expect(byField.status).toBe(200);
    expect(json(byField).items).toEqual([]);
  });

  it('unicode in values round-trips', async () => {
    const r = await api.post(CM, cm('unicode', { greeting: 'héllo 名前 🚢 \u202e' }));
    expect(r.status).toBe(201);
    expect(json(await api.get(`${CM}/unicode`)).data.greeting).toBe('héllo 名前 🚢 \u202e');
  });
});

describe('type and path errors', () => {
  it('wrong apiVersion or kind in the body is 400', async () => {
    expectStatus(
      await api.post(CM, { ...cm('wrong-version'), apiVersion: 'apps/v1' }),
      400,
      'BadRequest',
      /API version/,
    );
    expectStatus(
      await api.post(CM, { ...cm('wrong-kind'), kind: 'Secret' }),
      400,
      'BadRequest',
      /^Secret in version "v1" cannot be handled as a ConfigMap: /,
    );
    expectStatus(await api.put(KEEP, { ...cm('keep'), kind: 'Pod' }), 400, 'BadRequest');
    expectStatus(await api.post(CM, { ...cm('typed'), data: { a: 1 } }), 400, 'BadRequest');
  });

  it('unknown resources and paths are 404 Status', async () => {
    for (const p of [
      `/api/v1/namespaces/${NS}/widgetz`,
      '/apis/nope.example.com/v1/things',
      '/api/v2/pods',
      '/apis/apps/v9/deployments',
      '/nonsense',
      '/apis/nope',
      `/api/v1/namespaces/${NS}/configmaps/keep/nosuchsub`,
    ]) {
      expectStatus(await api.get(p), 404, 'NotFound');
    }
    expectStatus(await api.get(`${CM}/missing`), 404, 'NotFound', /configmaps "missing" not found/);
  });

  it('bad label and field selectors are 400', async () => {
    for (const sel of ['a in (', '!!!', 'a=b=c', '=x', 'Bad Key=1', `a=${'x'.repeat(64)}`, 'a in (x y)']) {
      expectStatus(await api.get(`${CM}?labelSelector=${encodeURIComponent(sel)}`), 400, 'BadRequest');
    }
    for (const sel of ['spec.bogus=1', 'metadata.name', 'metadata.name~x']) {
      expectStatus(await api.get(`${CM}?fieldSelector=${encodeURIComponent(sel)}`), 400, 'BadRequest');
    }
  });

  it('bad resourceVersion, limit, continue, dryRun and fieldValidation parameters are 400', async () => {
    expectStatus(await api.get(`${CM}?resourceVersion=abc`), 400, 'BadRequest', /resourceVersion/);
    expectStatus(await api.get(`${CM}?resourceVersion=-5`), 400, 'BadRequest');
    expectStatus(await api.get(`${CM}?watch=true&resourceVersion=abc`), 400, 'BadRequest', /resourceVersion/);
    expectStatus(await api.get(`${KEEP}?resourceVersion=abc`), 400, 'BadRequest');
    expectStatus(
      await api.put(KEEP, { ...cm('keep'), metadata: { name: 'keep', resourceVersion: 'abc' } }),
      400,
      'BadRequest',
      /resourceVersion/,
    );
    expectStatus(
      await api.put(KEEP, { ...cm('keep', { color: 'red' }), metadata: { name: 'keep', resourceVersion: '1' } }),
      409,
      'Conflict',
    );
    expectStatus(await api.get(`${CM}?limit=abc`), 400, 'BadRequest', /limit/);
    expectStatus(await api.get(`${CM}?limit=1&continue=garbage`), 400, 'BadRequest');
    expectStatus(await api.post(`${CM}?dryRun=Some`, cm('dry')), 400, 'BadRequest');
    expectStatus(await api.post(`${CM}?fieldValidation=Bogus`, cm('fv')), 400, 'BadRequest');
  });
});

describe('patches', () => {
  it('invalid JSON patches', async () => {
    const T = 'application/json-patch+json';
    expectStatus(await api.patch(KEEP, '[{"op":', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '{"op":"add"}', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '[{"op":"explode","path":"/data"}]', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '[{"op":"add"}]', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '[{"op":"replace","path":"/nope/x","value":1}]', T), 422, 'Invalid');
    expectStatus(await api.patch(KEEP, '[{"op":"test","path":"/data/color","value":"green"}]', T), 422, 'Invalid');
    expectStatus(await api.patch(KEEP, '[{"op":"add","path":"/data","value":"notamap"}]', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '', T), 400, 'BadRequest');
  });

  it('invalid merge patches', async () => {
    const T = 'application/merge-patch+json';
    expectStatus(await api.patch(KEEP, '{bad', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '[1]', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '{"data":"notamap"}', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '{"metadata":{"name":"other"}}', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '{"data":{"bad key":"x"}}', T), 422, 'Invalid', /data/);
  });

  it('invalid strategic merge patches', async () => {
    const T = 'application/strategic-merge-patch+json';
    expectStatus(await api.patch(KEEP, '{bad', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '"str"', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '{"$patch":"bogus"}', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '{"data":{"$patch":"bogus"}}', T), 400, 'BadRequest');
    expectStatus(await api.patch(KEEP, '{"data":"notamap"}', T), 400, 'BadRequest');
  });

  it('strategic merge on a custom resource is 415; merge patch type errors are 422', async () => {
    expectStatus(
      await api.patch(`${WIDGETS}/w1`, '{"spec":{"size":2}}', 'application/strategic-merge-patch+json'),
      415,
      'UnsupportedMediaType',
    );
    expectStatus(
      await api.patch(`${WIDGETS}/w1`, '{"spec":{"size":"big"}}', 'application/merge-patch+json'),
      422,
      'Invalid',
      /spec\.size/,
    );
    expect(json(await api.get(`${WIDGETS}/w1`)).spec).toEqual({ size: 1 });
  });
});

describe('media types and methods', () => {
  it('unsupported request media types are 415', async () => {
    expectStatus(await api.post(CM, 'a=b', { contentType: 'text/plain' }), 415, 'UnsupportedMediaType');
    expectStatus(await api.post(CM, '<cm/>', { contentType: 'application/xml' }), 415, 'UnsupportedMediaType');
    expectStatus(await api.patch(KEEP, '{"data":{"a":"b"}}', 'application/json'), 415, 'UnsupportedMediaType');
    // An apply patch is a known type now: without its fieldManager it is invalid, as upstream.
    expectStatus(
      await api.patch(KEEP, 'data: {a: b}', 'application/apply-patch+yaml'),
      422,
      'Invalid',
      /fieldManager: Required value: is required for apply patch/,
    );
  });

  it('an unacceptable Accept header is 406', async () => {
    expectStatus(await api.get(KEEP, { headers: { accept: 'application/xml' } }), 406, 'NotAcceptable');
  });

  it('wrong HTTP methods are 405', async () => {
    expectStatus(await api.put(CM, cm('x')), 405, 'MethodNotAllowed');
    expectStatus(await api.patch(CM, '{}', 'application/merge-patch+json'), 405, 'MethodNotAllowed');
    expectStatus(await api.post(KEEP, cm('keep')), 405, 'MethodNotAllowed');
    expectStatus(await api.request('TRACE', KEEP), 405, 'MethodNotAllowed');
    expectStatus(
      await api.request('DELETE', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'),
      405,
      'MethodNotAllowed',
    );
  });
});

describe('afterwards', () => {
  it('the server still answers and existing objects are intact', async () => {
    const keep = json(await api.get(KEEP));
    expect(keep.data).toEqual({ color: 'blue' });
    expect(keep.metadata.resourceVersion).toBe(keepRv);
    expect(json(await api.get(`${WIDGETS}/w1`)).spec).toEqual({ size: 1 });
    const names = json(await api.get(CM))
      .items.map((i: { metadata: { name: string } }) => i.metadata.name)
      .sort();
    expect(names).toEqual(['from-proto', 'from-yaml', 'keep', 'kube-root-ca.crt', 'unicode']);
    // Every rejection was a 4xx: the server logged no internal error.
    expect(wharf.output).not.toContain('internal error');
    const k = new Kubectl(wharf.kubeconfig, KUBECTL_132);
    expect(await k.ok(['get', 'configmap', 'keep', '-n', NS, '-o', 'jsonpath={.data.color}'])).toBe('blue');
  });
});
