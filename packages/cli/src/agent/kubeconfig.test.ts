import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadNodeKubeconfig } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-kc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function write(user: Record<string, string>): string {
  const path = join(dir, `kc-${Object.keys(user).join('-')}`);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'wharf',
      clusters: [
        { name: 'other', cluster: { server: 'https://10.0.0.1:1' } },
        { name: 'wharf', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': b64('CA PEM') } },
      ],
      contexts: [{ name: 'wharf', context: { cluster: 'wharf', user: 'system:node:node-1' } }],
      users: [{ name: 'system:node:node-1', user }],
    }),
  );
  return path;
}

describe('loadNodeKubeconfig', () => {
  it('signs in with the token of a wharf up node, trusting the cluster CA', async () => {
    const kc = loadNodeKubeconfig(write({ token: 'abc' }));
    expect(kc.getCurrentCluster()).toEqual({ server: 'https://127.0.0.1:6443' });
    expect(kc.user).toEqual({ name: 'system:node:node-1', token: 'abc' });
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    expect(opts).toEqual({ ca: 'CA PEM', headers: { Authorization: 'Bearer abc' } });
  });

  it('signs in with the client certificate of a joined node', async () => {
    const kc = loadNodeKubeconfig(write({ 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }));
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    expect(opts).toEqual({ ca: 'CA PEM', cert: 'CERT', key: 'KEY' });
  });

  it('refuses a kubeconfig without a server', () => {
    const path = join(dir, 'empty');
    writeFileSync(path, 'apiVersion: v1\nkind: Config\n');
    expect(() => loadNodeKubeconfig(path)).toThrow(`${path} names no cluster server`);
  });
});
