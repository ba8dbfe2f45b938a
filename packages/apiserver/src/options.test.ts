import { describe, expect, it } from 'vitest';
import { resolveApiServerOptions } from './options.js';

describe('resolveApiServerOptions', () => {
  it('applies kube-apiserver-like defaults once', () => {
    const r = resolveApiServerOptions({ dataDir: '/d' });
    expect(r).toMatchObject({
      dataDir: '/d',
      port: 6443,
      host: '127.0.0.1',
      compactKeepRevisions: 10_000,
      compactRetentionMs: 300_000,
      compactEveryMs: 60_000,
      bookmarkMs: 30_000,
      watchTimeoutSeconds: 1800,
      externalSubresources: {},
      defaultTolerationSeconds: 300,
      mountServiceAccountToken: true,
    });
    expect(r.agentToken).toBeUndefined();
    expect(r.logger.isLevelEnabled('error')).toBe(false);
  });

  it('keeps what the caller set (0 and false included) and treats undefined as "the default"', () => {
    const r = resolveApiServerOptions({
      dataDir: '/d',
      port: 0,
      compactEveryMs: undefined,
      defaultTolerationSeconds: 0,
      mountServiceAccountToken: false,
      agentToken: 't',
    });
    expect(r).toMatchObject({
      port: 0,
      compactEveryMs: 60_000,
      defaultTolerationSeconds: 0,
      mountServiceAccountToken: false,
      agentToken: 't',
    });
  });
});
