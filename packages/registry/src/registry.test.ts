import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientCertificate, servingCertificate } from '@wharf/testing';
import { Registry, type RegistryOptions } from './index.js';

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

let root: string;
let reg: Registry;
let base: string;

async function boot(opts: Partial<RegistryOptions> = {}): Promise<void> {
  await reg?.stop();
  reg = new Registry({ root, port: 0, ...opts });
  base = `http://127.0.0.1:${await reg.start()}`;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wharf-registry-'));
  await boot();
});
afterEach(async () => {
  await reg.stop();
  await rm(root, { recursive: true, force: true });
});

const req = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${base}${path}`, init);
async function errorCode(r: Response): Promise<string | undefined> {
  const body = (await r.json()) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}
async function pushBlob(name: string, data: Buffer | string): Promise<string> {
  const d = sha(data);
  const r = await req(`/v2/${name}/blobs/uploads/?digest=${d}`, { method: 'POST', body: data });
  expect(r.status).toBe(201);
  return d;
}
async function pushImage(
  name: string,
  tag: string,
  extra: Record<string, unknown> = {},
): Promise<{ digest: string; body: string; config: string; layer: string }> {
  const configBody = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [] },
    tag,
  });
  const config = await pushBlob(name, configBody);
  const layer = await pushBlob(name, `layer of ${tag}`);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: config,
      size: Buffer.byteLength(configBody),
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: layer,
        size: Buffer.byteLength(`layer of ${tag}`),
      },
    ],
    ...extra,
  });
  const r = await req(`/v2/${name}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'Content-Type': OCI_MANIFEST },
    body,
  });
  expect(r.status).toBe(201);
  expect(r.headers.get('docker-content-digest')).toBe(sha(body));
  return { digest: sha(body), body, config, layer };
}

describe('end-1 base', () => {
  it('answers 200 with the API version header', async () => {
    const r = await req('/v2/');
    expect(r.status).toBe(200);
    expect(r.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });
  it('answers unknown paths and methods with UNSUPPORTED', async () => {
    expect((await req('/v3/')).status).toBe(404);
    const r = await req('/v2/a/tags/list', { method: 'PATCH' });
    expect(r.status).toBe(405);
    expect(await errorCode(r)).toBe('UNSUPPORTED');
  });
});

describe('blobs: end-2, end-4a/4b, end-5, end-6, end-10, end-11, end-13, end-14', () => {
  it('takes a single-POST upload and serves it with GET, HEAD and ranges', async () => {
    const d = await pushBlob('lib/a', 'hello world');
    const get = await req(`/v2/lib/a/blobs/${d}`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('hello world');
    expect(get.headers.get('docker-content-digest')).toBe(d);
    const head = await req(`/v2/lib/a/blobs/${d}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('11');
    const part = await req(`/v2/lib/a/blobs/${d}`, { headers: { Range: 'bytes=6-10' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 6-10/11');
    expect(await part.text()).toBe('world');
    const bad = await req(`/v2/lib/a/blobs/${d}`, { headers: { Range: 'bytes=50-60' } });
    expect(bad.status).toBe(416);
  });

  it('rejects a single-POST upload whose digest does not match', async () => {
    const r = await req(`/v2/a/blobs/uploads/?digest=${sha('other')}`, { method: 'POST', body: 'data' });
    expect(r.status).toBe(400);
    expect(await errorCode(r)).toBe('DIGEST_INVALID');
    expect((await req(`/v2/a/blobs/${sha('data')}`)).status).toBe(404);
  });

  it('does POST then PUT with the whole body (monolithic)', async () => {
    const post = await req('/v2/a/blobs/uploads/', { method: 'POST' });
    expect(post.status).toBe(202);
    const loc = post.headers.get('location') ?? '';
    expect(loc).toMatch(/^\/v2\/a\/blobs\/uploads\/[0-9a-f-]{36}$/);
    const put = await req(`${loc}?digest=${sha('whole')}`, {
      method: 'PUT',
      body: 'whole',
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('location')).toBe(`/v2/a/blobs/${sha('whole')}`);
  });

  it('takes chunks in order, reports progress and answers 416 for an out-of-order chunk', async () => {
    const loc = (await req('/v2/a/blobs/uploads/', { method: 'POST' })).headers.get('location') ?? '';
    const p1 = await req(loc, {
      method: 'PATCH',
      body: 'hello',
      headers: { 'Content-Range': '0-4', 'Content-Type': 'application/octet-stream' },
    });
    expect(p1.status).toBe(202);
    expect(p1.headers.get('range')).toBe('0-4');
    const status = await req(loc);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-4');
    const skip = await req(loc, { method: 'PATCH', body: 'later', headers: { 'Content-Range': '10-14' } });
    expect(skip.status).toBe(416);
    expect(skip.headers.get('range')).toBe('0-4');
    const wrongLen = await req(loc, { method: 'PATCH', body: 'abc', headers: { 'Content-Range': '5-9' } });
    expect(wrongLen.status).toBe(400);
    expect(await errorCode(wrongLen)).toBe('SIZE_INVALID');
    const p2 = await req(loc, { method: 'PATCH', body: ' word', headers: { 'Content-Range': '5-9' } });
    expect(p2.headers.get('range')).toBe('0-9');
    const put = await req(`${p2.headers.get('location') ?? ''}?digest=${sha('hello word!')}`, {
      method: 'PUT',
      body: '!',
      headers: { 'Content-Range': '10-10' },
    });
    expect(put.status).toBe(201);
    expect(await (await req(`/v2/a/blobs/${sha('hello word!')}`)).text()).toBe('hello word!');
    expect((await req(loc)).status).toBe(404);
  });

  it('takes a streamed PATCH without Content-Range', async () => {
    const loc = (await req('/v2/a/blobs/uploads/', { method: 'POST' })).headers.get('location') ?? '';
    expect((await req(loc, { method: 'PATCH', body: 'streamed' })).status).toBe(202);
    expect((await req(`${loc}?digest=${sha('streamed')}`, { method: 'PUT' })).status).toBe(201);
  });

  it('rejects a final PUT with a wrong or missing digest', async () => {
    const loc = (await req('/v2/a/blobs/uploads/', { method: 'POST' })).headers.get('location') ?? '';
    const none = await req(loc, { method: 'PUT', body: 'x' });
    expect(await errorCode(none)).toBe('DIGEST_INVALID');
    const loc2 = (await req('/v2/a/blobs/uploads/', { method: 'POST' })).headers.get('location') ?? '';
    const wrong = await req(`${loc2}?digest=${sha('y')}`, { method: 'PUT', body: 'x' });
    expect(wrong.status).toBe(400);
    expect(await errorCode(wrong)).toBe('DIGEST_INVALID');
  });

  it('cancels uploads and answers BLOB_UPLOAD_UNKNOWN afterwards and for other repositories', async () => {
    const loc = (await req('/v2/a/blobs/uploads/', { method: 'POST' })).headers.get('location') ?? '';
    const other = await req(loc.replace('/v2/a/', '/v2/b/'));
    expect(other.status).toBe(404);
    expect(await errorCode(other)).toBe('BLOB_UPLOAD_UNKNOWN');
    expect((await req(loc, { method: 'DELETE' })).status).toBe(204);
    const gone = await req(loc, { method: 'PATCH', body: 'x' });
    expect(gone.status).toBe(404);
    expect(await errorCode(gone)).toBe('BLOB_UPLOAD_UNKNOWN');
    expect(await errorCode(await req('/v2/a/blobs/uploads/not-a-uuid'))).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('answers malformed Content-Range with 416 BLOB_UPLOAD_INVALID', async () => {
    const loc = (await req('/v2/a/blobs/uploads/', { method: 'POST' })).headers.get('location') ?? '';
    const r = await req(loc, { method: 'PATCH', body: 'x', headers: { 'Content-Range': 'garbage' } });
    expect(r.status).toBe(416);
    expect(await errorCode(r)).toBe('BLOB_UPLOAD_INVALID');
  });

  it('keeps blobs per repository and mounts across repositories', async () => {
    const d = await pushBlob('src', 'shared layer');
    const unknown = await req(`/v2/dst/blobs/${d}`);
    expect(unknown.status).toBe(404);
    expect(await errorCode(unknown)).toBe('BLOB_UNKNOWN');
    const mount = await req(`/v2/dst/blobs/uploads/?mount=${d}&from=src`, { method: 'POST' });
    expect(mount.status).toBe(201);
    expect(mount.headers.get('location')).toBe(`/v2/dst/blobs/${d}`);
    expect(await (await req(`/v2/dst/blobs/${d}`)).text()).toBe('shared layer');
    const miss = await req(`/v2/dst/blobs/uploads/?mount=${sha('nope')}&from=src`, { method: 'POST' });
    expect(miss.status).toBe(202);
    expect(miss.headers.get('location')).toMatch(/\/v2\/dst\/blobs\/uploads\//);
  });

  it('deletes blobs from a repository and collects unreferenced ones', async () => {
    const d = await pushBlob('a', 'to delete');
    expect((await req(`/v2/a/blobs/${d}`, { method: 'DELETE' })).status).toBe(202);
    const again = await req(`/v2/a/blobs/${d}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await errorCode(again)).toBe('BLOB_UNKNOWN');
    expect((await reg.gc()).removed).toContain(d);
  });

  it('answers DIGEST_INVALID for malformed digests', async () => {
    const r = await req('/v2/a/blobs/sha256:xyz');
    expect(r.status).toBe(400);
    expect(await errorCode(r)).toBe('DIGEST_INVALID');
  });

  it('answers TOOMANYREQUESTS past the upload limit', async () => {
    await boot({ maxUploads: 1 });
    expect((await req('/v2/a/blobs/uploads/', { method: 'POST' })).status).toBe(202);
    const r = await req('/v2/a/blobs/uploads/', { method: 'POST' });
    expect(r.status).toBe(429);
    expect(await errorCode(r)).toBe('TOOMANYREQUESTS');
  });
});

describe('manifests: end-3, end-7, end-9', () => {
  it('stores a manifest by tag and serves it by tag and digest', async () => {
    const { digest, body } = await pushImage('team/app', 'v1');
    for (const ref of ['v1', digest]) {
      const r = await req(`/v2/team/app/manifests/${ref}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe(OCI_MANIFEST);
      expect(r.headers.get('docker-content-digest')).toBe(digest);
      expect(await r.text()).toBe(body);
    }
    const head = await req('/v2/team/app/manifests/v1', { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
  });

  it('rejects manifests naming unknown blobs, bad JSON, and digest mismatches', async () => {
    const missing = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('c'), size: 1 },
      layers: [],
    });
    const r1 = await req('/v2/a/manifests/t', {
      method: 'PUT',
      headers: { 'Content-Type': OCI_MANIFEST },
      body: missing,
    });
    expect(r1.status).toBe(400);
    expect(await errorCode(r1)).toBe('MANIFEST_BLOB_UNKNOWN');
    const r2 = await req('/v2/a/manifests/t', {
      method: 'PUT',
      headers: { 'Content-Type': OCI_MANIFEST },
      body: '{nope',
    });
    expect(await errorCode(r2)).toBe('MANIFEST_INVALID');
    const r3 = await req('/v2/a/manifests/t', {
      method: 'PUT',
      headers: { 'Content-Type': OCI_MANIFEST },
      body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }),
    });
    expect(await errorCode(r3)).toBe('MANIFEST_INVALID');
    const { body } = await pushImage('a', 'ok');
    const r4 = await req(`/v2/a/manifests/${sha('different')}`, {
      method: 'PUT',
      headers: { 'Content-Type': OCI_MANIFEST },
      body,
    });
    expect(await errorCode(r4)).toBe('DIGEST_INVALID');
    const big = await boot({ maxManifestBytes: 10 }).then(() =>
      req('/v2/a/manifests/big', { method: 'PUT', headers: { 'Content-Type': OCI_MANIFEST }, body }),
    );
    expect(big.status).toBe(413);
    expect(await errorCode(big)).toBe('SIZE_INVALID');
  });

  it('answers MANIFEST_UNKNOWN and NAME_UNKNOWN', async () => {
    await pushImage('a', 'v1');
    const r = await req('/v2/a/manifests/v2');
    expect(r.status).toBe(404);
    expect(await errorCode(r)).toBe('MANIFEST_UNKNOWN');
    const n = await req('/v2/nobody/manifests/v1');
    expect(n.status).toBe(404);
    expect(await errorCode(n)).toBe('NAME_UNKNOWN');
  });

  it('stores an index whose manifests are present, and rejects one with missing children', async () => {
    const { digest, body } = await pushImage('a', 'amd64');
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest,
          size: Buffer.byteLength(body),
          platform: { os: 'linux', architecture: 'amd64' },
        },
      ],
    });
    expect(
      (await req('/v2/a/manifests/multi', { method: 'PUT', headers: { 'Content-Type': OCI_INDEX }, body: index }))
        .status,
    ).toBe(201);
    expect((await req('/v2/a/manifests/multi')).headers.get('content-type')).toBe(OCI_INDEX);
    const bad = index.replace(digest, sha('missing'));
    expect(
      await errorCode(
        await req('/v2/a/manifests/bad', { method: 'PUT', headers: { 'Content-Type': OCI_INDEX }, body: bad }),
      ),
    ).toBe('MANIFEST_BLOB_UNKNOWN');
  });

  it('deletes a tag, then a manifest by digest with its tags', async () => {
    const { digest } = await pushImage('a', 'v1');
    await req('/v2/a/manifests/v2', {
      method: 'PUT',
      headers: { 'Content-Type': OCI_MANIFEST },
      body: await (await req('/v2/a/manifests/v1')).text(),
    });
    expect((await req('/v2/a/manifests/v2', { method: 'DELETE' })).status).toBe(202);
    expect((await req('/v2/a/manifests/v2')).status).toBe(404);
    expect((await req('/v2/a/manifests/v1')).status).toBe(200);
    expect((await req(`/v2/a/manifests/${digest}`, { method: 'DELETE' })).status).toBe(202);
    expect(await errorCode(await req(`/v2/a/manifests/${digest}`))).toBe('MANIFEST_UNKNOWN');
    expect((await req('/v2/a/manifests/v1')).status).toBe(404);
    expect(await errorCode(await req(`/v2/a/manifests/${digest}`, { method: 'DELETE' }))).toBe('MANIFEST_UNKNOWN');
  });
});

describe('end-8 tags', () => {
  it('lists tags in order with n/last paging and a Link header', async () => {
    const { body } = await pushImage('a', 'e');
    for (const t of ['c', 'a', 'd', 'b'])
      await req(`/v2/a/manifests/${t}`, { method: 'PUT', headers: { 'Content-Type': OCI_MANIFEST }, body });
    expect(await (await req('/v2/a/tags/list')).json()).toEqual({ name: 'a', tags: ['a', 'b', 'c', 'd', 'e'] });
    const p1 = await req('/v2/a/tags/list?n=2');
    expect(await p1.json()).toEqual({ name: 'a', tags: ['a', 'b'] });
    expect(p1.headers.get('link')).toBe('</v2/a/tags/list?n=2&last=b>; rel="next"');
    const p2 = await req('/v2/a/tags/list?n=2&last=b');
    expect(((await p2.json()) as { tags: string[] }).tags).toEqual(['c', 'd']);
    const p3 = await req('/v2/a/tags/list?n=2&last=d');
    expect(((await p3.json()) as { tags: string[] }).tags).toEqual(['e']);
    expect(p3.headers.get('link')).toBeNull();
    expect(((await (await req('/v2/a/tags/list?n=0')).json()) as { tags: string[] }).tags).toEqual([]);
    expect(await errorCode(await req('/v2/none/tags/list'))).toBe('NAME_UNKNOWN');
    expect(await (await req('/v2/_catalog')).json()).toEqual({ repositories: ['a'] });
  });
});

describe('end-12 referrers', () => {
  it('lists manifests whose subject is a digest, filtered by artifactType', async () => {
    const subject = await pushImage('a', 'v1');
    const empty = await pushBlob('a', '{}');
    const artifact = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.sbom',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 }],
      subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: Buffer.byteLength(subject.body) },
      annotations: { 'org.example': 'yes' },
    });
    const put = await req(`/v2/a/manifests/${sha(artifact)}`, {
      method: 'PUT',
      headers: { 'Content-Type': OCI_MANIFEST },
      body: artifact,
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('oci-subject')).toBe(subject.digest);
    const r = await req(`/v2/a/referrers/${subject.digest}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(OCI_INDEX);
    expect(r.headers.get('oci-filters-applied')).toBeNull();
    expect(await r.json()).toEqual({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: sha(artifact),
          size: Buffer.byteLength(artifact),
          artifactType: 'application/vnd.example.sbom',
          annotations: { 'org.example': 'yes' },
        },
      ],
    });
    const f = await req(`/v2/a/referrers/${subject.digest}?artifactType=application/vnd.example.sbom`);
    expect(f.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(((await f.json()) as { manifests: unknown[] }).manifests).toHaveLength(1);
    const none = await req(`/v2/a/referrers/${subject.digest}?artifactType=other`);
    expect(((await none.json()) as { manifests: unknown[] }).manifests).toHaveLength(0);
    expect(
      ((await (await req(`/v2/a/referrers/${sha('nothing')}`)).json()) as { manifests: unknown[] }).manifests,
    ).toEqual([]);
    expect(await errorCode(await req('/v2/a/referrers/bad'))).toBe('DIGEST_INVALID');
    await req(`/v2/a/manifests/${sha(artifact)}`, { method: 'DELETE' });
    expect(
      ((await (await req(`/v2/a/referrers/${subject.digest}`)).json()) as { manifests: unknown[] }).manifests,
    ).toEqual([]);
  });
});

describe('names', () => {
  it('answers NAME_INVALID for names outside the grammar', async () => {
    for (const name of ['Upper', 'a..b', '-a', 'a/_blobs', 'a%2F..%2Fb']) {
      const r = await req(`/v2/${name}/tags/list`);
      expect(r.status, name).toBe(400);
      expect(await errorCode(r)).toBe('NAME_INVALID');
    }
  });
});

describe('auth', () => {
  const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

  it('challenges without credentials and accepts bearer and basic tokens', async () => {
    await boot({ authenticate: (t) => t === 'secret' });
    const r = await req('/v2/');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="wharf"');
    expect(await errorCode(r)).toBe('UNAUTHORIZED');
    expect((await req('/v2/', { headers: { Authorization: 'Bearer secret' } })).status).toBe(200);
    expect((await req('/v2/', { headers: { Authorization: basic('anyone', 'secret') } })).status).toBe(200);
    expect((await req('/v2/', { headers: { Authorization: basic('anyone', 'wrong') } })).status).toBe(401);
    expect((await req('/v2/a/tags/list')).status).toBe(401);
  });

  it('allows anonymous pulls when configured, never anonymous pushes', async () => {
    await boot({ authenticate: (t) => t === 'secret', anonymousPull: true });
    const d = sha('x');
    const push = await req(`/v2/a/blobs/uploads/?digest=${d}`, {
      method: 'POST',
      body: 'x',
      headers: { Authorization: 'Bearer secret' },
    });
    expect(push.status).toBe(201);
    expect((await req(`/v2/a/blobs/${d}`)).status).toBe(200);
    expect((await req(`/v2/a/blobs/${d}`, { headers: { Authorization: basic('', '') } })).status).toBe(200);
    expect((await req('/v2/a/blobs/uploads/', { method: 'POST' })).status).toBe(401);
    expect((await req(`/v2/a/blobs/${d}`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('answers DENIED when the token is valid but the action is not allowed', async () => {
    await boot({ authenticate: (t, access) => (t !== 'reader' ? false : access.action === 'pull' ? true : 'denied') });
    const r = await req('/v2/a/blobs/uploads/', { method: 'POST', headers: { Authorization: 'Bearer reader' } });
    expect(r.status).toBe(403);
    expect(await errorCode(r)).toBe('DENIED');
  });

  it('signs in clients whose certificate the client CA issued, and decides by its subject', async () => {
    const serving = servingCertificate(['localhost'], ['127.0.0.1']);
    const node = clientCertificate('system:node:n1', 'system:nodes');
    const stranger = clientCertificate('system:node:n2', 'system:nodes');
    const seen: string[] = [];
    await boot({
      cert: serving.cert,
      key: serving.key,
      clientCa: node.ca,
      authenticate: () => false,
      authenticateCertificate: (s, access) => {
        seen.push(`${s.name} ${s.groups.join()} ${access.action}`);
        return s.groups.includes('system:nodes') && access.action !== 'pull' ? 'denied' : true;
      },
    });
    const port = new URL(base).port;
    const status = (method: string, path: string, client?: { cert: string; key: string }): Promise<number> =>
      new Promise((resolve, reject) => {
        const r = request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            ca: serving.ca,
            ...(client ? { cert: client.cert, key: client.key } : {}),
            agent: false,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        r.on('error', reject);
        r.end();
      });
    expect(await status('GET', '/v2/', node)).toBe(200);
    expect(await status('GET', '/v2/a/tags/list', node)).toBe(404);
    expect(await status('POST', '/v2/a/blobs/uploads/', node)).toBe(403);
    // Another CA's certificate, or none, is no identity.
    expect(await status('GET', '/v2/a/tags/list', stranger)).toBe(401);
    expect(await status('GET', '/v2/a/tags/list')).toBe(401);
    expect(seen).toEqual([
      'system:node:n1 system:nodes pull',
      'system:node:n1 system:nodes pull',
      'system:node:n1 system:nodes push',
    ]);
  });
});
