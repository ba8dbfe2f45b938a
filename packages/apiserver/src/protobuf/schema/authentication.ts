// authentication.k8s.io/v1 messages (k8s.io/api/authentication/v1/types.go): TokenRequest, which
// `kubectl create token` POSTs to serviceaccounts/<name>/token, and SelfSubjectReview, which
// `kubectl auth whoami` POSTs.
import type { SchemaTable } from './types.js';

export const authentication: SchemaTable = {
  'authentication.TokenRequest': {
    metadata: [1, 'meta.ObjectMeta'],
    spec: [2, 'authentication.TokenRequestSpec'],
    status: [3, 'authentication.TokenRequestStatus'],
  },
  'authentication.TokenRequestSpec': {
    audiences: [1, '[]string'],
    boundObjectRef: [3, 'authentication.BoundObjectReference'],
    expirationSeconds: [4, '*int64'],
  },
  'authentication.BoundObjectReference': {
    kind: [1, 'string'],
    apiVersion: [2, 'string'],
    name: [3, 'string'],
    uid: [4, 'string'],
  },
  'authentication.TokenRequestStatus': { token: [1, '*string'], expirationTimestamp: [2, 'Time'] },
  'authentication.SelfSubjectReview': {
    metadata: [1, 'meta.ObjectMeta'],
    status: [2, 'authentication.SelfSubjectReviewStatus'],
  },
  'authentication.SelfSubjectReviewStatus': { userInfo: [1, 'authentication.UserInfo'] },
  // UserInfo.extra (4) is left out: its values use ExtraValue's list-as-message encoding.
  'authentication.UserInfo': { username: [1, 'string'], uid: [2, 'string'], groups: [3, '[]string'] },
};
