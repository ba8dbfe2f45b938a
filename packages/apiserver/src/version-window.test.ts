import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from './server.js';
import { storedVersions } from './storage/offline.js';
import {
  chooseKubernetesVersion,
  deprecationWarning,
  minorPath,
  parseKubernetesVersion,
  removedBetween,
} from './version-window.js';

interface Reply {
  code: number;
  json: Record<string, unknown>;
  warning: string | undefined;
}

function call(server: ApiServer, port: number, method: string, path: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca: server.pki.caCert,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({
            code: res.statusCode ?? 0,
            json: JSON.parse(text || '{}') as Record<string, unknown>,
            warning: res.headers.warning as string | undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const FLOWSCHEMAS = '/apis/flowcontrol.apiserver.k8s.io/%s/flowschemas';
const flowSchema = {
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
  kind: 'FlowSchema',
  metadata: { name: 'legacy' },
  spec: { priorityLevelConfiguration: { name: 'workload-low' }, matchingPrecedence: 1000 },
};

describe('version window', () => {
  it('parses versions of the window and refuses others in one line', () => {
    expect(parseKubernetesVersion('1.31')).toEqual({ major: '1', minor: '31', version: '1.31.13' });
    expect(parseKubernetesVersion('v1.33.2').version).toBe('1.33.2');
    expect(() => parseKubernetesVersion('1.30')).toThrow(
      'Kubernetes version "1.30" is not served: this Wharf serves 1.31, 1.32, 1.33 (X.Y or X.Y.Z)',
    );
    expect(() => parseKubernetesVersion('2.0.1')).toThrow(/not served/);
  });

  it('knows what each step removes, and the minors in between', () => {
    expect(removedBetween('1.31.2', '1.32.0').map((a) => `${a.group}/${a.version}`)).toEqual([
      'flowcontrol.apiserver.k8s.io/v1beta3',
    ]);
    expect(removedBetween('1.32.0', '1.33.0')).toEqual([]);
    expect(minorPath('1.31', '1.33')).toEqual(['1.31', '1.32', '1.33']);
    expect(deprecationWarning('flowcontrol.apiserver.k8s.io', 'v1beta3', 'FlowSchema', '1.31')).toBe(
      'flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema',
    );
  });

  it("serves a minor's APIs; a data dir keeps its version, refuses going back or skipping, and objects of a removed version stay readable", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wharf-window-'));
    const old = await ApiServer.create({ dataDir, port: 0, kubernetesVersion: '1.31' });
    let port = await old.start();
    try {
      expect((await call(old, port, 'GET', '/version')).json).toMatchObject({
        major: '1',
        minor: '31',
        gitVersion: 'v1.31.13',
      });
      const created = await call(old, port, 'POST', FLOWSCHEMAS.replace('%s', 'v1beta3'), flowSchema);
      expect(created.code).toBe(201);
      expect(created.warning).toContain('unavailable in v1.32+');
      expect((await call(old, port, 'GET', '/apis/flowcontrol.apiserver.k8s.io')).json).toMatchObject({
        versions: [{ version: 'v1' }, { version: 'v1beta3' }],
      });
      expect(
        storedVersions(join(dataDir, 'wharf.db'), [{ group: 'flowcontrol.apiserver.k8s.io', resource: 'flowschemas' }]),
      ).toEqual([
        {
          key: '/registry/flowcontrol.apiserver.k8s.io/flowschemas/legacy',
          apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
        },
      ]);
    } finally {
      await old.stop();
    }
    expect(() => chooseKubernetesVersion(dataDir, '1.33')).toThrow(
      /skips a minor; upgrade one minor at a time \(1\.31 -> 1\.32 -> 1\.33\)/,
    );

    const next = await ApiServer.create({ dataDir, port: 0, kubernetesVersion: '1.32.4' });
    port = await next.start();
    try {
      expect((await call(next, port, 'GET', '/version')).json).toMatchObject({ minor: '32', gitVersion: 'v1.32.4' });
      const gone = await call(next, port, 'GET', `${FLOWSCHEMAS.replace('%s', 'v1beta3')}/legacy`);
      expect(gone.code).toBe(404);
      expect(gone.json).toMatchObject({ kind: 'Status', reason: 'NotFound' });
      expect((await call(next, port, 'GET', '/apis/flowcontrol.apiserver.k8s.io')).json).toMatchObject({
        versions: [{ version: 'v1' }],
      });
      const kept = await call(next, port, 'GET', `${FLOWSCHEMAS.replace('%s', 'v1')}/legacy`);
      expect(kept.json).toMatchObject({
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
        metadata: { name: 'legacy' },
        spec: { matchingPrecedence: 1000 },
      });
      // Rewritten through v1, it is stored as v1.
      expect((await call(next, port, 'PUT', `${FLOWSCHEMAS.replace('%s', 'v1')}/legacy`, kept.json)).code).toBe(200);
      expect(
        storedVersions(join(dataDir, 'wharf.db'), [
          { group: 'flowcontrol.apiserver.k8s.io', resource: 'flowschemas' },
        ])[0]?.apiVersion,
      ).toBe('flowcontrol.apiserver.k8s.io/v1');
    } finally {
      await next.stop();
    }
    expect(() => chooseKubernetesVersion(dataDir, '1.31')).toThrow(
      /runs Kubernetes 1\.32\.4: going back to 1\.31\.13 is a downgrade/,
    );
    expect(chooseKubernetesVersion(dataDir, undefined).version).toBe('1.32.4');
  });
});
