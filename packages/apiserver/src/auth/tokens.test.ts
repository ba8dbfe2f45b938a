import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenAuthenticator, ensureAdminToken, ensureNodeToken } from './tokens.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tokenFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'wharf-tokens-'));
  dirs.push(d);
  return join(d, 'tokens.csv');
}

describe('node tokens', () => {
  it('adds one token per node to the 0600 token file, authenticating as system:node:<name> in system:nodes', () => {
    const file = tokenFile();
    const admin = ensureAdminToken(file);
    const node0 = ensureNodeToken(file, 'node-0');
    expect(ensureNodeToken(file, 'node-0')).toBe(node0);
    const node1 = ensureNodeToken(file, 'node-1');
    expect(new Set([admin, node0, node1]).size).toBe(3);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const auth = new TokenAuthenticator(file, privateKey, publicKey, () => false);
    expect(auth.authenticate(node0)).toEqual({
      name: 'system:node:node-0',
      uid: 'system:node:node-0',
      groups: ['system:nodes', 'system:authenticated'],
    });
    expect(auth.authenticate(admin)?.groups).toContain('system:masters');
  });

  it('takes a token another process (another API server on the data dir) added to the file since', () => {
    const file = tokenFile();
    ensureAdminToken(file);
    const { privateKey, publicKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const auth = new TokenAuthenticator(file, privateKey, publicKey, () => false);
    const later = ensureNodeToken(file, 'node-7'); // written behind this authenticator's back
    expect(auth.authenticate(later)?.name).toBe('system:node:node-7');
    expect(auth.authenticate('0'.repeat(64))).toBeUndefined();
  });

  it('refuses a node name that is not a DNS subdomain (it would corrupt the file)', () => {
    const file = tokenFile();
    expect(() => ensureNodeToken(file, 'a,b')).toThrow(/invalid node name "a,b"/);
    expect(() => ensureNodeToken(file, 'Node"0')).toThrow(/invalid node name/);
  });
});
