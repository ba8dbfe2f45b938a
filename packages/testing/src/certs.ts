// Certificates for servers a test runs (aggregated API servers, admission webhooks): a CA and a
// serving certificate for the given DNS names and IPs; and client certificates (a front proxy).
// Made with openssl in a temporary folder, with P-256 keys (RSA keys cost a suite tenths of a
// second of CPU each).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServingCertificate {
  /** PEM of the CA that signed `cert` (what a caBundle carries). */
  readonly ca: string;
  /** The CA's key (PEM), for tests that sign more with it. */
  readonly caKey: string;
  readonly cert: string;
  readonly key: string;
}

/** A fresh CA and a certificate it signed for subject `cn` (in organization `o`) with the extension lines `ext`. */
function signed(cn: string, ext: string, o?: string): ServingCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-certs-'));
  try {
    const run = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    run([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=wharf-test-ca',
    ]);
    run([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'tls.key',
      '-out',
      'tls.csr',
      '-subj',
      `${o ? `/O=${o}` : ''}/CN=${cn}`,
    ]);
    writeFileSync(join(dir, 'ext.cnf'), ext);
    run([
      'x509',
      '-req',
      '-in',
      'tls.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'tls.crt',
      '-days',
      '1',
      '-extfile',
      'ext.cnf',
    ]);
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
    return { ca: read('ca.crt'), caKey: read('ca.key'), cert: read('tls.crt'), key: read('tls.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function servingCertificate(dnsNames: readonly string[], ips: readonly string[] = []): ServingCertificate {
  const san = [...dnsNames.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(',');
  return signed(dnsNames[0] ?? ips[0] ?? 'localhost', `subjectAltName=${san}\n`);
}

/**
 * A client certificate for `cn`, in group `organization` if given (extendedKeyUsage clientAuth), and the CA that signed
 * it.
 */
export function clientCertificate(cn: string, organization?: string): ServingCertificate {
  return signed(cn, 'extendedKeyUsage=clientAuth\n', organization);
}
