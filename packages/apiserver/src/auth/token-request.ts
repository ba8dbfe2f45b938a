// serviceaccounts/<name>/token: the TokenRequest API behind `kubectl create token`.
import { isRecord } from '@wharf/api';
import { badRequest, methodNotAllowed } from '../errors.js';
import type { ObjectApi } from '../objects/api.js';
import type { ExternalSubresource } from '../rest/subresources.js';
import { decodeBody, readBody } from '../rest/body.js';
import { send } from '../rest/respond.js';
import type { TokenAuthenticator } from './tokens.js';

export function tokenRequestHandler(api: ObjectApi, tokens: TokenAuthenticator): ExternalSubresource {
  return async (r) => {
    if (r.ri.verb !== 'create') throw methodNotAllowed(r.req.method ?? '', 'serviceaccounts/token');
    const sa = api.get(r.served, r.namespace, r.name);
    const body = decodeBody(r.req.headers['content-type'], await readBody(r.req));
    const spec = isRecord(body) && isRecord(body.spec) ? body.spec : {};
    const seconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : 3600;
    if (seconds < 600)
      throw badRequest('spec.expirationSeconds: Invalid value: may not specify a duration less than 10 minutes');
    const audiences =
      Array.isArray(spec.audiences) && spec.audiences.length
        ? spec.audiences.map(String)
        : ['https://kubernetes.default.svc.cluster.local'];
    const { token, expiration } = tokens.issue(
      { namespace: r.namespace, name: r.name, uid: sa.metadata.uid },
      audiences,
      seconds,
    );
    send(
      r.res,
      201,
      {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { name: r.name, namespace: r.namespace, creationTimestamp: null },
        spec: { audiences, expirationSeconds: seconds, boundObjectRef: null },
        status: { token, expirationTimestamp: expiration.toISOString().replace(/\.\d+Z$/, 'Z') },
      },
      r.wanted,
    );
    return 201;
  };
}
