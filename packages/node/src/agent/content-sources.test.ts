import { describe, expect, it } from 'vitest';
import { showsLiveContent } from './content-sources.js';

describe('showsLiveContent', () => {
  const sa = {
    name: 'kube-api-access-x',
    projected: {
      sources: [
        { serviceAccountToken: { path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt' } },
        { downwardAPI: {} },
      ],
    },
  };
  it('the service-account volume, emptyDir and hostPath do not count', () => {
    expect(
      showsLiveContent({
        spec: { containers: [], volumes: [sa, { name: 'e', emptyDir: {} }, { name: 'h', hostPath: { path: '/tmp' } }] },
      }),
    ).toBe(false);
  });
  it('a configMap or secret volume, or one projected, counts', () => {
    expect(
      showsLiveContent({ spec: { containers: [], volumes: [sa, { name: 'c', configMap: { name: 'app' } }] } }),
    ).toBe(true);
    expect(showsLiveContent({ spec: { containers: [], volumes: [{ name: 's', secret: { secretName: 'pw' } }] } })).toBe(
      true,
    );
    expect(
      showsLiveContent({
        spec: { containers: [], volumes: [{ name: 'p', projected: { sources: [{ secret: { name: 'pw' } }] } }] },
      }),
    ).toBe(true);
  });
});
