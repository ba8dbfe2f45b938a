import { describe, expect, it } from 'vitest';
import { resolveRegistryOptions } from './options.js';

describe('resolveRegistryOptions', () => {
  it('applies the defaults once: port 5000 on loopback, no anonymous pulls, 1000 uploads, 4 MiB manifests, a silent logger', () => {
    const r = resolveRegistryOptions({ root: '/r' });
    expect(r).toMatchObject({
      root: '/r',
      port: 5000,
      host: '127.0.0.1',
      anonymousPull: false,
      maxUploads: 1000,
      maxManifestBytes: 4 * 1024 * 1024,
    });
    expect(r.logger.isLevelEnabled('error')).toBe(false);
    expect(r.authenticate).toBeUndefined();
  });

  it('keeps 0 (a free port) and undefined means the default', () => {
    expect(resolveRegistryOptions({ root: '/r', port: 0, maxUploads: undefined })).toMatchObject({
      port: 0,
      maxUploads: 1000,
    });
  });
});
