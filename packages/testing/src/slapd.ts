// A real LDAP directory for tests: Debian's slapd on loopback (ldap:// with StartTLS and ldaps://,
// a certificate from a CA the test makes), with the people and groups a test names, loaded with
// slapadd before it starts. Needs slapd and root-free ports only; `slapdUnavailable` says why not.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servingCertificate } from './certs.js';
import { toolUnavailable } from './runtime.js';
import { freePort } from './wharf-process.js';

export interface LdapPerson {
  readonly uid: string;
  readonly password: string;
}

export interface LdapGroup {
  readonly cn: string;
  /** uids of the members. */
  readonly members: readonly string[];
}

export const LDAP_SUFFIX = 'dc=example,dc=org';
const SLAPD = '/usr/sbin/slapd';

/** Why slapd cannot run here, or undefined when it can (throws as root or in CI: see toolUnavailable). */
export function slapdUnavailable(): string | undefined {
  return (
    toolUnavailable([SLAPD, '/usr/sbin/slapadd'], 'apt-get install slapd ldap-utils; scripts/setup.sh --test does') ||
    undefined
  );
}

export class Slapd {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    /** ldap://127.0.0.1:port (StartTLS offered). */
    readonly ldapUrl: string,
    /** ldaps://127.0.0.1:port. */
    readonly ldapsUrl: string,
    /** PEM file of the CA that signed the server certificate. */
    readonly caFile: string,
  ) {}

  /** The user DN template for uids under ou=people. */
  static readonly userDNTemplate = `uid={username},ou=people,${LDAP_SUFFIX}`;
  static readonly groupSearchBase = `ou=groups,${LDAP_SUFFIX}`;

  static async start(people: readonly LdapPerson[], groups: readonly LdapGroup[]): Promise<Slapd> {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-slapd-'));
    try {
      const tls = servingCertificate(['localhost'], ['127.0.0.1']);
      for (const [f, v] of [
        ['ca.crt', tls.ca],
        ['tls.crt', tls.cert],
        ['tls.key', tls.key],
      ] as const)
        writeFileSync(join(dir, f), v, { mode: 0o600 });
      mkdirSync(join(dir, 'db'));
      const conf = join(dir, 'slapd.conf');
      writeFileSync(
        conf,
        [
          ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
          'modulepath /usr/lib/ldap',
          'moduleload back_mdb',
          `pidfile ${join(dir, 'slapd.pid')}`,
          `argsfile ${join(dir, 'slapd.args')}`,
          `TLSCACertificateFile ${join(dir, 'ca.crt')}`,
          `TLSCertificateFile ${join(dir, 'tls.crt')}`,
          `TLSCertificateKeyFile ${join(dir, 'tls.key')}`,
          'database mdb',
          `suffix "${LDAP_SUFFIX}"`,
          `rootdn "cn=admin,${LDAP_SUFFIX}"`,
          `directory ${join(dir, 'db')}`,
          'access to attrs=userPassword by self read by anonymous auth by * none',
          'access to * by users read by * none',
          '',
        ].join('\n'),
      );
      const hash = (pw: string): string =>
        execFileSync('/usr/sbin/slappasswd', ['-s', pw], { encoding: 'utf8' }).trim();
      const dn = (uid: string): string => `uid=${uid},ou=people,${LDAP_SUFFIX}`;
      const entries = [
        `dn: ${LDAP_SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example`,
        `dn: ou=people,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: people`,
        `dn: ou=groups,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: groups`,
        ...people.map(
          (p) =>
            `dn: ${dn(p.uid)}\nobjectClass: inetOrgPerson\nuid: ${p.uid}\ncn: ${p.uid}\nsn: ${p.uid}\nuserPassword: ${hash(p.password)}`,
        ),
        ...groups.map(
          (g) =>
            `dn: cn=${g.cn},ou=groups,${LDAP_SUFFIX}\nobjectClass: groupOfNames\ncn: ${g.cn}\n${g.members.map((m) => `member: ${dn(m)}`).join('\n')}`,
        ),
      ];
      writeFileSync(join(dir, 'data.ldif'), `${entries.join('\n\n')}\n`);
      execFileSync('/usr/sbin/slapadd', ['-f', conf, '-l', join(dir, 'data.ldif')], { stdio: 'pipe' });
      const [ldapPort, ldapsPort] = [await freePort(), await freePort()];
      const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
      const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
      // -d 0: stay in the foreground (the test owns the process), log nothing.
      const child = spawn(SLAPD, ['-f', conf, '-h', `${ldapUrl}/ ${ldapsUrl}/`, '-d', '0'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      const s = new Slapd(child, dir, ldapUrl, ldapsUrl, join(dir, 'ca.crt'));
      const deadline = Date.now() + 20_000;
      while (!(await accepts(ldapPort)) || !(await accepts(ldapsPort))) {
        if (child.exitCode !== null || Date.now() > deadline) {
          await s.stop();
          throw new Error(`slapd did not start: ${err}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return s;
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
  });
}
