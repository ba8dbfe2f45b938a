// Certificates for servers a test runs (aggregated API servers, admission webhooks): a CA and a
// serving certificate for the given DNS names and IPs, made with openssl in a temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServingCertificate {
  /** PEM of the CA that signed `cert` (what a caBundle carries). */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export function servingCertificate(dnsNames: readonly string[], ips: readonly string[] = []): ServingCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-certs-'));
  try {
    const run = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=wharf-test-ca']);
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', `/CN=${dnsNames[0] ?? ips[0] ?? 'localhost'}`]);
    const san = [...dnsNames.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(',');
    writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${san}\n`);
    run(['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tls.crt', '-days', '1', '-extfile', 'ext.cnf']);
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
    return { ca: read('ca.crt'), cert: read('tls.crt'), key: read('tls.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
