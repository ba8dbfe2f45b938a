import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject, StoredObject } from '@wharf/api';
import { ApiError } from '../errors.js';
import { csrSubresourceUpdate, parseRequest, validateCsr } from './csr.js';

const dir = mkdtempSync(join(tmpdir(), 'csr-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CSR made by openssl (base64 of the PEM, as spec.request holds it). */
function request(subject: string, extra: string[] = []): string {
  const out = join(dir, `${subject.replace(/\W/g, '_')}.csr`);
  execFileSync(
    'openssl',
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-subj',
      subject,
      ...extra,
      '-out',
      out,
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(out).toString('base64');
}

const csr = (spec: Record<string, unknown>, status?: Record<string, unknown>): StoredObject =>
  ({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'x', uid: 'u', resourceVersion: '1', creationTimestamp: '2026-12-05T00:00:00Z' },
    spec,
    ...(status ? { status } : {}),
  }) as StoredObject;

const fields = (issues: { field: string; message: string }[]): string[] =>
  issues.map((i) => `${i.field}: ${i.message}`);

describe('CertificateSigningRequest validation', () => {
  const node = request('/O=system:nodes/CN=system:node:n1');

  it('parses subject and SANs from an openssl request', () => {
    const s = parseRequest(request('/O=a/O=b/CN=c', ['-addext', 'subjectAltName=DNS:c.example']));
    expect([s.commonName, s.organizations, s.altNames.length]).toEqual(['c', ['a', 'b'], 1]);
  });

  it('accepts a node client request and refuses what kubelet client certificates may not have', () => {
    expect(
      validateCsr({
        spec: {
          request: node,
          signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
          usages: ['digital signature', 'client auth'],
        },
      }),
    ).toEqual([]);
    const bad = fields(
      validateCsr({
        spec: {
          request: request('/O=system:nodes/CN=system:node:n1', ['-addext', 'subjectAltName=DNS:evil']),
          signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
          usages: ['server auth'],
        },
      }),
    );
    expect(bad).toEqual([
      'spec.request: Invalid value: "<PEM data>": DNS, email, IP and URI subjectAltNames are not allowed',
      'spec.usages: Required value: "client auth" is required',
      'spec.usages[0]: Unsupported value: "server auth": supported values: "client auth", "digital signature", "key encipherment"',
    ]);
  });

  it('requires a request, a qualified signer, known usages and at least 10 minutes', () => {
    expect(
      fields(validateCsr({ spec: { signerName: 'nope', usages: ['client auth', 'flying'], expirationSeconds: 60 } })),
    ).toEqual([
      'spec.request: Required value',
      'spec.signerName: Invalid value: "nope": must be a fully qualified domain and path of the form \'example.com/signer-name\'',
      'spec.usages[1]: Unsupported value: "flying"',
      'spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds',
    ]);
    expect(
      fields(
        validateCsr({
          spec: {
            request: Buffer.from('-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----').toString('base64'),
            signerName: 'example.com/s',
            usages: ['any'],
          },
        }),
      ),
    ).toEqual([
      'spec.request: Invalid value: "[]byte{...}": PEM block type must be CERTIFICATE REQUEST, not CERTIFICATE',
    ]);
  });
});

describe('the approval and status subresources', () => {
  const base = csr({ request: 'r', signerName: 'example.com/s', usages: ['client auth'] });
  const approved = { conditions: [{ type: 'Approved', status: 'True', reason: 'ok' }] };
  const issues = (f: () => unknown): string => {
    try {
      f();
      return 'no error';
    } catch (e) {
      return e instanceof ApiError ? e.message : String(e);
    }
  };

  it('approval writes only Approved/Denied; status only the rest and the certificate', () => {
    const given = { ...base, spec: { hacked: true }, status: { ...approved, certificate: 'c' } } as KubeObject;
    const next = csrSubresourceUpdate('approval', given, base, new Date('2026-12-05T10:00:00.500Z'));
    expect(next?.spec).toEqual(base.spec);
    expect(next?.status).toEqual({
      conditions: [
        {
          type: 'Approved',
          status: 'True',
          reason: 'ok',
          lastUpdateTime: '2026-12-05T10:00:00Z',
          lastTransitionTime: '2026-12-05T10:00:00Z',
        },
      ],
    });
    const signed = csrSubresourceUpdate(
      'status',
      { ...base, status: { conditions: [], certificate: 'Y2VydA==' } } as KubeObject,
      next as StoredObject,
    );
    expect(signed?.status).toMatchObject({ certificate: 'Y2VydA==', conditions: [{ type: 'Approved' }] });
    expect(csrSubresourceUpdate('', base, base)).toBeUndefined();
  });

  it('refuses Approved with Denied, removing a decision, a second certificate, and a certificate before approval', () => {
    const isApproved = csr(base.spec as Record<string, unknown>, approved);
    expect(
      issues(() =>
        csrSubresourceUpdate(
          'approval',
          {
            ...base,
            status: { conditions: [...approved.conditions, { type: 'Denied', status: 'True' }] },
          } as KubeObject,
          base,
        ),
      ),
    ).toContain('Approved and Denied conditions are mutually exclusive');
    expect(
      issues(() => csrSubresourceUpdate('approval', { ...base, status: { conditions: [] } } as KubeObject, isApproved)),
    ).toContain('updates may not remove a condition of type "Approved"');
    const issued = csr(base.spec as Record<string, unknown>, { ...approved, certificate: 'b25l' });
    expect(
      issues(() => csrSubresourceUpdate('status', { ...base, status: { certificate: 'dHdv' } } as KubeObject, issued)),
    ).toContain('updates may not modify existing certificate');
    expect(
      issues(() => csrSubresourceUpdate('status', { ...base, status: { certificate: 'b25l' } } as KubeObject, base)),
    ).toContain('certificate can only be set if the Approved condition is present');
    expect(
      issues(() =>
        csrSubresourceUpdate(
          'approval',
          { ...base, status: { conditions: [{ type: 'Approved', status: 'False' }] } } as KubeObject,
          base,
        ),
      ),
    ).toContain('Approved conditions may only be "True"');
  });
});
