// A new CertificateSigningRequest records who asked (spec.username, uid, groups), from the
// request's authenticated user and never from the body, as the CSR registry's PrepareForCreate:
// approvers and signers decide on it.
import { isRecord } from '@wharf/api';
import type { AdmissionPlugin } from '../objects/context.js';

export const csrRequester: AdmissionPlugin = (req) => {
  const { group, kind } = req.served.info;
  if (
    req.operation !== 'CREATE' ||
    req.subresource ||
    !req.object ||
    group !== 'certificates.k8s.io' ||
    kind !== 'CertificateSigningRequest'
  )
    return;
  const spec = isRecord(req.object.spec) ? req.object.spec : {};
  const { user } = req.ctx;
  spec.username = user.name;
  spec.groups = [...user.groups];
  if (user.uid) spec.uid = user.uid;
  else delete spec.uid;
  delete spec.extra;
  delete req.object.status;
  req.object.spec = spec;
};
