// `wharf image pack`, the thin-image step: a directory of build outputs becomes a FROM scratch
// image in the built-in registry, with no daemon and no root. skopeo (a client Wharf did not
// write) reads the manifest's OCI annotations and copies the image out; its one layer holds
// exactly the packed files: no shell, no base.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);

describe('wharf image pack', () => {
  let wharf: WharfProcess;
  let token: string;
  let work: string;
  const host = (): string => `127.0.0.1:${wharf.registryPort}`;
  const wharfCli = (...args: string[]) =>
    run(process.execPath, [WHARF_BIN, ...args, '--data-dir', wharf.dataDir], { timeout: 120_000 });
  const skopeo = (...args: string[]) => run('skopeo', ['--insecure-policy', ...args], { timeout: 60_000 });

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--no-platform'] });
    token = /token: (\S+)/.exec(readFileSync(wharf.kubeconfig, 'utf8'))?.[1] ?? '';
    work = mkdtempSync(join(tmpdir(), 'wharf-pack-'));
  });
  afterAll(async () => {
    await wharf?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('packs only the files, with source, revision, created and base annotations, seen by skopeo', async () => {
    // A stand-in runtime image to name as the base (an M+N app's Tomcat, say).
    const runtimeDir = join(work, 'runtime');
    mkdirSync(runtimeDir);
    writeFileSync(join(runtimeDir, 'marker'), 'runtime');
    const runtime = (await wharfCli('image', 'pack', runtimeDir, '--to', `${host()}/runtime:1`)).stdout.trim();
    const runtimeDigest = runtime.slice(runtime.indexOf('@') + 1);

    const out = join(work, 'target');
    mkdirSync(join(out, 'static'), { recursive: true });
    writeFileSync(join(out, 'ROOT.war'), 'PK\x03\x04 root war');
    writeFileSync(join(out, 'shop.war'), 'PK\x03\x04 shop war');
    writeFileSync(join(out, 'static', 'index.html'), '<h1>shop</h1>');
    symlinkSync('shop.war', join(out, 'current.war'));
    const sha = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';
    const before = Date.now();
    const { stdout, stderr } = await wharfCli(
      'image',
      'pack',
      out,
      '--to',
      `${host()}/shop-war:${sha.slice(0, 12)}`,
      '--prefix',
      'app',
      '--source',
      'http://127.0.0.1:8090/git/team-a/shop.git',
      '--revision',
      sha,
      '--base',
      `${host()}/runtime:1`,
    );
    expect(stderr).toContain('packed 3 files');
    const ref = stdout.trim();
    expect(ref).toMatch(new RegExp(`^${host()}/shop-war:${sha.slice(0, 12)}@sha256:[0-9a-f]{64}$`));

    const docker = `docker://${host()}/shop-war:${sha.slice(0, 12)}`;
    const raw = JSON.parse(
      (await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', `x:${token}`, docker)).stdout,
    ) as { mediaType: string; layers: unknown[]; annotations: Record<string, string> };
    expect(raw.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(raw.layers).toHaveLength(1);
    expect(raw.annotations).toMatchObject({
      'org.opencontainers.image.source': 'http://127.0.0.1:8090/git/team-a/shop.git',
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.base.name': `${host()}/runtime:1`,
      'org.opencontainers.image.base.digest': runtimeDigest,
    });
    const created = Date.parse(raw.annotations['org.opencontainers.image.created']!);
    expect(created).toBeGreaterThanOrEqual(before - 1000);
    expect(created).toBeLessThanOrEqual(Date.now());

    // Copied out by skopeo; the layer lists exactly the packed tree under /app.
    const copy = join(work, 'copy');
    await skopeo('copy', '--src-tls-verify=false', '--src-creds', `x:${token}`, docker, `dir:${copy}`);
    const layerDigest = (raw.layers[0] as { digest: string }).digest.replace('sha256:', '');
    expect(readdirSync(copy)).toContain(layerDigest);
    const listing = (await run('tar', ['-tvzf', join(copy, layerDigest)])).stdout.trim().split('\n');
    const names = listing.map((l) => l.split(/\s+/).slice(5).join(' '));
    expect(names).toEqual([
      'app/',
      'app/ROOT.war',
      'app/current.war -> shop.war',
      'app/shop.war',
      'app/static/',
      'app/static/index.html',
    ]);
    expect(listing.every((l) => l.includes('0/0'))).toBe(true);
  });

  it('packs from a pipeline step: --registry with a token file and CA file instead of a data dir', async () => {
    const dir = join(work, 'step');
    mkdirSync(dir);
    writeFileSync(join(dir, 'app.js'), 'console.log(1)\n');
    writeFileSync(join(work, 'token'), token);
    const { stdout } = await run(
      process.execPath,
      [
        WHARF_BIN,
        'image',
        'pack',
        dir,
        '--to',
        `${host()}/step:1`,
        '--registry',
        `https://${host()}`,
        '--token-file',
        join(work, 'token'),
        '--ca-file',
        join(wharf.dataDir, 'pki', 'ca.crt'),
      ],
      { timeout: 120_000 },
    );
    expect(stdout.trim()).toMatch(new RegExp(`^${host()}/step:1@sha256:[0-9a-f]{64}$`));
    const inspected = JSON.parse(
      (await skopeo('inspect', '--tls-verify=false', '--creds', `x:${token}`, `docker://${host()}/step:1`)).stdout,
    ) as { Labels: Record<string, string> };
    expect(Object.keys(inspected.Labels)).toEqual(['org.opencontainers.image.created']);
  });

  it('refuses a missing directory and another registry in one line, exit 1', async () => {
    const missing = await wharfCli('image', 'pack', join(work, 'nope'), '--to', `${host()}/x:1`).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect('code' in missing && missing.code).toBe(1);
    expect((missing as { stderr: string }).stderr.trim()).toMatch(/^wharf: .*nope is not a directory$/);
    const elsewhere = await wharfCli('image', 'pack', work, '--to', 'registry.example.com/x:1').catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((elsewhere as { stderr: string }).stderr).toContain('only the built-in registry');
  });
});
