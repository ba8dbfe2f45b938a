import { describe, expect, it } from 'vitest';
import { requestInfo } from './request-info.js';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);

describe('requestInfo', () => {
  it('parses namespaced resource paths with subresources', () => {
    const ri = requestInfo('POST', '/api/v1/namespaces/ns1/pods/p1/eviction', q());
    expect(ri).toMatchObject({
      resourceRequest: true,
      verb: 'create',
      group: '',
      version: 'v1',
      namespace: 'ns1',
      resource: 'pods',
      name: 'p1',
      subresource: 'eviction',
    });
  });

  it('tells list, watch and deletecollection from get and delete', () => {
    expect(requestInfo('GET', '/apis/apps/v1/deployments', q()).verb).toBe('list');
    expect(requestInfo('GET', '/apis/apps/v1/namespaces/a/deployments', q('watch=true')).verb).toBe('watch');
    expect(requestInfo('DELETE', '/api/v1/namespaces/a/configmaps', q()).verb).toBe('deletecollection');
    expect(requestInfo('GET', '/api/v1/watch/namespaces/a/pods', q()).verb).toBe('watch');
  });

  it('treats /namespaces/<name>/status and /finalize as the namespace subresource', () => {
    expect(requestInfo('PUT', '/api/v1/namespaces/x/finalize', q())).toMatchObject({
      resource: 'namespaces',
      name: 'x',
      subresource: 'finalize',
      namespace: 'x',
    });
    expect(requestInfo('GET', '/api/v1/namespaces/x', q())).toMatchObject({
      resource: 'namespaces',
      name: 'x',
      verb: 'get',
    });
  });

  it('authorizes non-resource paths by the lower-cased method', () => {
    expect(requestInfo('GET', '/version', q())).toMatchObject({ resourceRequest: false, verb: 'get' });
    expect(requestInfo('POST', '/apis', q())).toMatchObject({ resourceRequest: false, verb: 'post' });
  });

  it('rejects malformed percent-encoding as a bad request', () => {
    expect(() => requestInfo('GET', '/api/v1/namespaces/a/configmaps/%zz', q())).toThrow(/not valid percent-encoding/);
    expect(requestInfo('GET', '/api/v1/namespaces/a/configmaps/a%2Fb', q()).name).toBe('a/b');
  });
});
