// certificates.k8s.io/v1 messages (k8s.io/api/certificates/v1/generated.proto):
// CertificateSigningRequest, which `kubectl certificate approve|deny` sends as protobuf.
import type { SchemaTable } from './types.js';

export const certificates: SchemaTable = {
  'certificates.CertificateSigningRequest': {
    metadata: [1, 'meta.ObjectMeta'],
    spec: [2, 'certificates.CertificateSigningRequestSpec'],
    status: [3, 'certificates.CertificateSigningRequestStatus'],
  },
  // extra (6) is left out: its values use ExtraValue's list-as-message encoding, and the server
  // sets it from the requester anyway.
  'certificates.CertificateSigningRequestSpec': {
    request: [1, 'bytes'],
    username: [2, 'string'],
    uid: [3, 'string'],
    groups: [4, '[]string'],
    usages: [5, '[]string'],
    signerName: [7, 'string'],
    expirationSeconds: [8, '*int32'],
  },
  'certificates.CertificateSigningRequestStatus': {
    conditions: [1, '[]certificates.CertificateSigningRequestCondition'],
    certificate: [2, 'bytes'],
  },
  'certificates.CertificateSigningRequestCondition': {
    type: [1, 'string'],
    reason: [2, 'string'],
    message: [3, 'string'],
    lastUpdateTime: [4, 'Time'],
    lastTransitionTime: [5, 'Time'],
    status: [6, 'string'],
  },
};
