// CertificateSigningRequest rules (certificates.k8s.io/v1, as pkg/apis/certificates/validation):
// the request is a PEM "CERTIFICATE REQUEST", the signer a qualified name, the usages known ones;
// the kubelet client signer takes only `O=system:nodes, CN=system:node:<name>` with no SANs. The
// spec is immutable; /approval writes only the Approved and Denied conditions, /status the others
// and the certificate, which is set once. Approved, Denied and Failed are never removed.
import { isDeepStrictEqual } from 'node:util';
import { clone, isRecord, type KubeObject } from '@wharf/api';
import { Pkcs10CertificateRequest } from '@peculiar/x509';
import { invalid } from '../errors.js';
import type { FieldIssue } from '../validation/issues.js';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
export const NODES_GROUP = 'system:nodes';
export const NODE_PREFIX = 'system:node:';

const KNOWN_USAGES = new Set([
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
]);
const KUBELET_CLIENT_USAGES = new Set(['digital signature', 'key encipherment', 'client auth']);
const APPROVAL_TYPES = new Set(['Approved', 'Denied']);
const QUALIFIED = /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,})\/([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
/** The smallest expirationSeconds the API accepts (10 minutes). */
export const MIN_EXPIRATION_SECONDS = 600;

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** What a signer and an approver look at in a request. */
export interface CsrSubject {
  readonly commonName: string;
  readonly organizations: readonly string[];
  /** DNS names, IP addresses, emails and URIs of the subjectAltName extension. */
  readonly altNames: readonly string[];
  readonly request: Pkcs10CertificateRequest;
}

/** Parses `spec.request` (base64 of a PEM block); throws with a message naming what is wrong. */
export function parseRequest(base64: string): CsrSubject {
  const pem = Buffer.from(base64, 'base64').toString('utf8');
  const m = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/.exec(pem);
  if (!m) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  if (m[1] !== 'CERTIFICATE REQUEST' && m[1] !== 'NEW CERTIFICATE REQUEST')
    throw new Error(`PEM block type must be CERTIFICATE REQUEST, not ${m[1]}`);
  let request: Pkcs10CertificateRequest;
  try {
    request = new Pkcs10CertificateRequest(m[0]);
  } catch (e) {
    throw new Error(`x509: malformed certificate request: ${(e as Error).message}`);
  }
  const name = request.subjectName;
  const altNames: string[] = [];
  for (const ext of request.extensions) {
    if (ext.type !== '2.5.29.17') continue;
    const names = (ext as unknown as { names?: { items?: { type: string; value: string }[] } }).names?.items ?? [];
    for (const n of names) altNames.push(`${n.type}:${n.value}`);
  }
  return { commonName: name.getField('CN')[0] ?? '', organizations: name.getField('O'), altNames, request };
}

export function conditionsOf(obj: Obj): Obj[] {
  return Array.isArray(rec(obj.status).conditions) ? (rec(obj.status).conditions as unknown[]).filter(isRecord) : [];
}

export const hasCondition = (obj: Obj, type: string): boolean =>
  conditionsOf(obj).some((c) => c.type === type && c.status !== 'False');

/** The checks of a create (strategy.validate). */
export function validateCsr(obj: Obj): FieldIssue[] {
  const spec = rec(obj.spec);
  const issues: FieldIssue[] = [];
  const bad = (field: string, value: unknown, message: string): void => {
    issues.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${message}` });
  };
  let subject: CsrSubject | undefined;
  if (typeof spec.request !== 'string' || spec.request === '')
    issues.push({ reason: 'FieldValueRequired', field: 'spec.request', message: 'Required value' });
  else {
    try {
      subject = parseRequest(spec.request);
    } catch (e) {
      bad('spec.request', '[]byte{...}', (e as Error).message);
    }
  }
  const signer = typeof spec.signerName === 'string' ? spec.signerName : '';
  if (!signer) issues.push({ reason: 'FieldValueRequired', field: 'spec.signerName', message: 'Required value' });
  else if (!QUALIFIED.test(signer) || signer.length > 571)
    bad('spec.signerName', signer, "must be a fully qualified domain and path of the form 'example.com/signer-name'");
  const usages = strings(spec.usages);
  if (usages.length === 0)
    issues.push({ reason: 'FieldValueRequired', field: 'spec.usages', message: 'Required value' });
  usages.forEach((u, i) => {
    if (!KNOWN_USAGES.has(u))
      issues.push({
        reason: 'FieldValueNotSupported',
        field: `spec.usages[${i}]`,
        message: `Unsupported value: ${JSON.stringify(u)}`,
      });
  });
  if (new Set(usages).size !== usages.length) bad('spec.usages', usages, 'duplicate usages');
  if (
    spec.expirationSeconds !== undefined &&
    (typeof spec.expirationSeconds !== 'number' || spec.expirationSeconds < MIN_EXPIRATION_SECONDS)
  ) {
    bad(
      'spec.expirationSeconds',
      spec.expirationSeconds,
      `may not specify a duration less than ${MIN_EXPIRATION_SECONDS} seconds`,
    );
  }
  if (signer === KUBELET_CLIENT_SIGNER && subject) issues.push(...kubeletClientIssues(subject, usages));
  return issues;
}

/** A kubelet client certificate names a node and nothing else (ValidateKubeletClientCSR). */
function kubeletClientIssues(s: CsrSubject, usages: string[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  const bad = (message: string): number =>
    out.push({
      reason: 'FieldValueInvalid',
      field: 'spec.request',
      message: `Invalid value: "<PEM data>": ${message}`,
    });
  if (s.organizations.length !== 1 || s.organizations[0] !== NODES_GROUP)
    bad(`subject organization is not ${NODES_GROUP}`);
  if (!s.commonName.startsWith(NODE_PREFIX) || s.commonName.length === NODE_PREFIX.length)
    bad(`subject common name does not begin with ${NODE_PREFIX}`);
  if (s.altNames.length) bad('DNS, email, IP and URI subjectAltNames are not allowed');
  if (!usages.includes('client auth'))
    out.push({
      reason: 'FieldValueRequired',
      field: 'spec.usages',
      message: 'Required value: "client auth" is required',
    });
  usages.forEach((u, i) => {
    if (!KUBELET_CLIENT_USAGES.has(u))
      out.push({
        reason: 'FieldValueNotSupported',
        field: `spec.usages[${i}]`,
        message: `Unsupported value: ${JSON.stringify(u)}: supported values: "client auth", "digital signature", "key encipherment"`,
      });
  });
  return out;
}

/** The spec is immutable after creation (strategy.validateUpdate). */
export function validateCsrUpdate(obj: Obj, old: Obj): FieldIssue[] {
  // Compared as values, not as text: a client may send the same spec with its keys in another order.
  return isDeepStrictEqual(obj.spec, old.spec)
    ? []
    : [{ reason: 'FieldValueForbidden', field: 'spec', message: 'Forbidden: field is immutable' }];
}

/**
 * A write to /approval or /status: the merged object, or undefined for other subresources.
 * /approval changes only the Approved and Denied conditions; /status the other conditions and the
 * certificate (set once). Neither may remove an Approved, Denied or Failed condition.
 */
export function csrSubresourceUpdate(
  sub: string,
  given: KubeObject,
  old: KubeObject,
  now = new Date(),
): KubeObject | undefined {
  if (sub !== 'approval' && sub !== 'status') return undefined;
  const mine = (c: Obj): boolean => (sub === 'approval') === APPROVAL_TYPES.has(String(c.type));
  const stamp = new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const previous = new Map(conditionsOf(old).map((c) => [String(c.type), c]));
  const written = conditionsOf(given)
    .filter(mine)
    .map((c) => {
      const was = previous.get(String(c.type));
      const next: Obj = { ...c, lastUpdateTime: c.lastUpdateTime ?? stamp };
      if (next.lastTransitionTime === undefined)
        next.lastTransitionTime = was && was.status === c.status ? (was.lastTransitionTime ?? stamp) : stamp;
      return next;
    });
  const conditions = [...conditionsOf(old).filter((c) => !mine(c)), ...written];
  const name = old.metadata?.name ?? '';
  const issues: FieldIssue[] = [];
  const types = conditions.map((c) => String(c.type));
  types.forEach((t, i) => {
    if (types.indexOf(t) !== i)
      issues.push({
        reason: 'FieldValueDuplicate',
        field: 'status.conditions',
        message: `Duplicate value: ${JSON.stringify(t)}`,
      });
  });
  if (types.includes('Approved') && types.includes('Denied'))
    issues.push({
      reason: 'FieldValueInvalid',
      field: 'status.conditions',
      message: 'Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
    });
  for (const c of conditions) {
    if (['Approved', 'Denied', 'Failed'].includes(String(c.type)) && c.status !== 'True') {
      issues.push({
        reason: 'FieldValueNotSupported',
        field: 'status.conditions',
        message: `Unsupported value: ${JSON.stringify(c.status)}: ${String(c.type)} conditions may only be "True"`,
      });
    }
  }
  for (const t of ['Approved', 'Denied', 'Failed']) {
    if (previous.has(t) && !types.includes(t))
      issues.push({
        reason: 'FieldValueForbidden',
        field: 'status.conditions',
        message: `Forbidden: updates may not remove a condition of type "${t}"`,
      });
  }
  const oldCert = rec(old.status).certificate;
  const certificate = sub === 'status' ? rec(given.status).certificate : oldCert;
  if (typeof oldCert === 'string' && oldCert !== '' && certificate !== oldCert)
    issues.push({
      reason: 'FieldValueForbidden',
      field: 'status.certificate',
      message: 'Forbidden: updates may not modify existing certificate',
    });
  if (certificate !== undefined && certificate !== '' && !types.includes('Approved'))
    issues.push({
      reason: 'FieldValueInvalid',
      field: 'status.certificate',
      message: 'Invalid value: "<certificate data>": certificate can only be set if the Approved condition is present',
    });
  if (issues.length) throw invalid('CertificateSigningRequest', 'certificates.k8s.io', name, issues);
  const next = clone(old);
  const status: Obj = { ...rec(next.status), conditions };
  if (typeof certificate === 'string' && certificate !== '') status.certificate = certificate;
  else delete status.certificate;
  next.status = status;
  return next;
}
