import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageStore } from './image-store.js';
import { packDirectory } from './pack.js';

describe('packDirectory --from', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'wharf-pack-test-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('layers the files on a base image of the store, keeping its layers, env and entrypoint', async () => {
    const store = new ImageStore({ root: join(tmp(), 'images') });
    const baseDir = tmp();
    mkdirSync(join(baseDir, 'bin'));
    writeFileSync(join(baseDir, 'bin', 'tool'), 'base tool');
    const base = await packDirectory(store, { dir: baseDir, name: 'base', tag: '1' });
    // A base with an entrypoint and env, as build-base makes them.
    const baseImage = await store.resolve('base:1');
    const cfg = {
      ...baseImage.config,
      config: { ...baseImage.config.config, Env: ['PATH=/bin'], Entrypoint: ['/bin/tool'] },
    };
    const { describeJson } = await import('./layout.js');
    const c = describeJson('application/vnd.oci.image.config.v1+json', cfg);
    await store.putBlob(c.bytes, { digest: c.descriptor.digest });
    await store.putManifest({ ...baseImage.manifest, config: c.descriptor }, { ref: 'base:2' });

    const appDir = tmp();
    writeFileSync(join(appDir, 'main.js'), 'console.log(1)');
    const packed = await packDirectory(store, {
      dir: appDir,
      name: 'step',
      tag: '1',
      prefix: 'opt/app',
      from: 'base:2',
    });
    const img = await store.resolve(packed.reference);
    expect(img.manifest.layers).toHaveLength(2);
    expect(img.manifest.layers[0]).toEqual(baseImage.manifest.layers[0]);
    expect(img.config.rootfs.diff_ids).toHaveLength(2);
    expect(img.config.config).toMatchObject({ Env: ['PATH=/bin'], Entrypoint: ['/bin/tool'] });
    expect(img.config.history?.at(-1)?.created_by).toBe('wharf image pack --prefix opt/app --from base:2');
    const out = tmp();
    await store.unpack(packed.reference, out);
    expect(readFileSync(join(out, 'bin', 'tool'), 'utf8')).toBe('base tool');
    expect(readFileSync(join(out, 'opt', 'app', 'main.js'), 'utf8')).toBe('console.log(1)');
    expect(base.reference).toBe('base:1');
  });

  it('refuses a base the store does not hold', async () => {
    const store = new ImageStore({ root: join(tmp(), 'images') });
    await expect(packDirectory(store, { dir: tmp(), name: 'x', from: 'nope:1' })).rejects.toThrow(/nope/);
  });
});
