// Access and token reviews: the create-only kinds behind `kubectl auth can-i`, `kubectl auth
// whoami` and TokenReview, answered from the authorizer and authenticator without storage.
import { isRecord, type KubeObject } from '@wharf/api';
import { badRequest } from '../errors.js';
import type { UserInfo } from '../objects/context.js';
import type { Served } from '../registry.js';
import type { RbacAuthorizer } from './rbac.js';
import type { TokenAuthenticator } from './tokens.js';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function userFromSpec(spec: Record<string, unknown>): UserInfo {
  return {
    name: str(spec.user),
    uid: str(spec.uid),
    groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [],
  };
}

export function answerReview(
  authz: RbacAuthorizer,
  tokens: TokenAuthenticator,
  served: Served,
  body: KubeObject,
  user: UserInfo,
): KubeObject {
  const spec = isRecord(body.spec) ? body.spec : {};
  const out: KubeObject = {
    apiVersion: `${served.info.group}/${served.info.version}`,
    kind: served.info.kind,
    metadata: {},
    spec,
  };
  switch (served.info.kind) {
    case 'SelfSubjectAccessReview':
    case 'SubjectAccessReview': {
      const who = served.info.kind === 'SubjectAccessReview' ? userFromSpec(spec) : user;
      const ra = isRecord(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
      const na = isRecord(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
      if (!ra && !na) throw badRequest('spec.resourceAttributes or spec.nonResourceAttributes is required');
      const d = authz.authorize(
        who,
        ra
          ? {
              verb: str(ra.verb),
              apiGroup: str(ra.group),
              resource: str(ra.resource),
              subresource: str(ra.subresource),
              name: str(ra.name),
              namespace: str(ra.namespace),
              resourceRequest: true,
              path: '',
            }
          : {
              verb: str(na?.verb),
              apiGroup: '',
              resource: '',
              subresource: '',
              name: '',
              namespace: '',
              resourceRequest: false,
              path: str(na?.path),
            },
      );
      out.status = { allowed: d.allowed, ...(d.allowed ? {} : { denied: false }), reason: d.reason };
      return out;
    }
    case 'SelfSubjectRulesReview': {
      const rules = authz.rulesFor(user, str(spec.namespace));
      out.status = {
        resourceRules: rules.resourceRules,
        nonResourceRules: rules.nonResourceRules,
        incomplete: rules.incomplete,
      };
      return out;
    }
    case 'SelfSubjectReview':
      out.status = { userInfo: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups } };
      return out;
    case 'TokenReview': {
      const who = tokens.authenticate(str(spec.token));
      out.status = who
        ? {
            authenticated: true,
            user: { username: who.name, uid: who.uid ?? '', groups: who.groups },
            audiences: Array.isArray(spec.audiences) ? spec.audiences : [],
          }
        : { authenticated: false, error: 'invalid bearer token' };
      return out;
    }
    default:
      throw badRequest(`${served.info.kind} is not a review kind`);
  }
}
