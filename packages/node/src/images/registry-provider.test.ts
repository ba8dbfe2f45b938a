import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ImageStore } from '@wharf/images';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, RegistryImageProvider } from './registry-provider.js';

describe('isLoopbackHost (where plain HTTP is allowed)', () => {
  it.each([
    ['localhost:5001', true],
    ['localhost', true],
    ['127.0.0.1:5001', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['registry.example:5000', false],
    ['10.0.0.1:5000', false],
    ['127.0.0.1.nip.io:5000', false],
    ['localhost.example', false],
  ])('%s: %s', (host, want) => {
    expect(isLoopbackHost(host)).toBe(want);
  });
});

describe('RegistryImageProvider', () => {
  /** A store holding busybox:1 already unpacked; counts how often the provider resolves it. */
  function presentImage(): {
    provider: RegistryImageProvider;
    retag: () => void;
    resolves: () => number;
    done: () => void;
  } {
    const root = mkdtempSync(path.join(tmpdir(), 'wharf-images-'));
    const rootfsDir = path.join(root, 'rootfs');
    mkdirSync(path.join(rootfsDir, 'sha256-abc'), { recursive: true });
    const writeIndex = (): void => {
      writeFileSync(path.join(root, 'index.json.tmp'), JSON.stringify({ schemaVersion: 2, manifests: [] }));
      renameSync(path.join(root, 'index.json.tmp'), path.join(root, 'index.json'));
    };
    writeIndex();
    let resolves = 0;
    const store = {
      root,
      lookup: async () => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:abc', size: 1 }),
      resolve: async () => {
        resolves++;
        return { manifestDescriptor: { digest: 'sha256:abc' }, config: { config: { Cmd: ['sh'] } } };
      },
    } as unknown as ImageStore; // the two reads the provider makes of a present image
    const provider = new RegistryImageProvider({
      store,
      registry: { url: 'https://127.0.0.1:5000' },
      registryHost: '127.0.0.1:5000',
      rootfsDir,
    });
    return { provider, retag: writeIndex, resolves: () => resolves, done: () => rmSync(root, { recursive: true }) };
  }

  it("reads a present image's manifest and config once while the store's index stays the same", async () => {
    const s = presentImage();
    try {
      const first = await s.provider.ensure('busybox:1', 'IfNotPresent', []);
      const again = await s.provider.ensure('busybox:1', 'IfNotPresent', []);
      expect(again).toEqual({ ...first, pulled: false });
      expect(again.config.cmd).toEqual(['sh']);
      expect(s.resolves()).toBe(1);
      s.retag(); // a push, tag or gc writes a new index.json
      await s.provider.ensure('busybox:1', 'IfNotPresent', []);
      expect(s.resolves()).toBe(2);
    } finally {
      s.done();
    }
  });
});
