import { describe, expect, it } from 'vitest';
import { formatBytes, shortDigest, summarize } from './registry.js';

describe("the Images page's reading of the registry", () => {
  it('sizes an image as its manifest, config and layers, and an index as itself and its manifests', () => {
    const image = summarize('1', 'sha256:ab', 400, {
      config: { size: 600, digest: 'sha256:c' },
      layers: [{ size: 1000 }, { size: 2000 }],
      annotations: { 'org.opencontainers.image.revision': 'abc' },
    });
    expect(image).toMatchObject({
      size: 4000,
      layers: 2,
      platforms: [],
      annotations: { 'org.opencontainers.image.revision': 'abc' },
    });
    const index = summarize('multi', 'sha256:ef', 300, {
      manifests: [
        { size: 500, platform: { os: 'linux', architecture: 'amd64' } },
        { size: 500, platform: { os: 'linux', architecture: 'arm64' } },
      ],
    });
    expect(index).toMatchObject({ size: 1300, layers: 0, platforms: ['linux/amd64', 'linux/arm64'] });
  });
  it('says sizes in binary units and digests by their first 12 hex digits', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
    expect(shortDigest(`sha256:${'0123456789abcdef'.repeat(4)}`)).toBe('sha256:0123456789ab');
    expect(shortDigest('not-a-digest')).toBe('not-a-digest');
  });
});
