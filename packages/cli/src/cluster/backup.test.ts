import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '@wharf/apiserver';
import { backupCluster, listBackups, readManifest, restoreInto } from './backup.js';
import { parseClusterSpec } from './spec.js';

const cm = (name: string, v: string) => (rev: number) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    resourceVersion: String(rev),
    creationTimestamp: '2024-01-01T00:00:00Z',
  },
  data: { v },
});

describe('cluster backup and restore', () => {
  it('snapshots the store while it is open, with keys, registry and volumes, and puts them back', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wharf-backup-'));
    const state = join(root, 'state');
    const spec = parseClusterSpec(
      'apiVersion: wharf.dev/v1alpha1\nkind: Cluster\nmetadata: {name: b}\n',
      'b.yaml',
      () => join(root, 'data'),
    );
    const data = spec.dataDir;
    mkdirSync(join(data, 'registry', 'blobs'), { recursive: true });
    mkdirSync(join(data, 'nodes', 'node-0', 'volumes', 'pvc-1'), { recursive: true });
    writeFileSync(join(data, 'registry', 'blobs', 'sha256-abc'), 'layer');
    writeFileSync(join(data, 'nodes', 'node-0', 'volumes', 'pvc-1', 'file'), 'before');
    writeFileSync(join(data, 'encryption-keys.json'), '{"keys":[]}');
    writeFileSync(join(data, 'kubernetes-version'), '1.31.13\n');
    mkdirSync(join(state, 'b'), { recursive: true });

    // The store stays open and written (WAL mode), as under a running API server.
    const store = new SqliteStore({ path: join(data, 'wharf.db') });
    await store.create('/registry/core/configmaps/default/kept', cm('kept', 'one'));
    const b = await backupCluster({ state }, spec, '1.31.13');
    await store.create('/registry/core/configmaps/default/later', cm('later', 'two'));
    await store.close();
    expect(listBackups({ state }, 'b')).toEqual([b]);
    expect(await readManifest(b.file)).toMatchObject({
      cluster: 'b',
      version: '1.31.13',
      data: ['encryption-keys.json', 'kubernetes-version', 'registry', 'nodes/node-0/volumes'],
    });

    writeFileSync(join(data, 'nodes', 'node-0', 'volumes', 'pvc-1', 'file'), 'after');
    writeFileSync(join(data, 'kubernetes-version'), '1.32.9\n');
    await restoreInto(data, b.file);
    const back = new SqliteStore({ path: join(data, 'wharf.db') });
    try {
      expect(back.get('/registry/core/configmaps/default/kept')).toMatchObject({ data: { v: 'one' } });
      expect(back.get('/registry/core/configmaps/default/later')).toBeUndefined();
    } finally {
      await back.close();
    }
    expect(readFileSync(join(data, 'nodes', 'node-0', 'volumes', 'pvc-1', 'file'), 'utf8')).toBe('before');
    expect(readFileSync(join(data, 'kubernetes-version'), 'utf8')).toBe('1.31.13\n');
    expect(existsSync(join(data, 'registry', 'blobs', 'sha256-abc'))).toBe(true);
  });

  it('refuses a file that is not a backup in one line', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'wharf-backup-')), 'x.tar.gz');
    writeFileSync(f, 'nope');
    await expect(readManifest(f)).rejects.toThrow(`${f} is not a wharf cluster backup (no backup.json inside)`);
    await expect(readManifest(`${f}.missing`)).rejects.toThrow(`no backup file ${f}.missing`);
  });
});
