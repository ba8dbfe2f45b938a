// A backup of a cluster on `wharf up --store etcd`: etcd's own snapshot of the member Wharf runs
// (real Debian etcd on loopback), taken while it serves, and a restore that makes the member's data
// again from it: what was written after the backup is gone, what was deleted is back. The same for
// a control plane of three: one snapshot, each member's data made again from it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { etcdUnavailable } from '@wharf/testing';
import { startEtcdMember, startEtcdMembers, type EtcdMember } from '../etcd-member.js';
import { backupCluster, readManifest, restoreInto } from './backup.js';
import { parseClusterSpec } from './spec.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'wharf-backup-etcd-'));
const log = pino({ level: 'silent' });
let member: EtcdMember | undefined;

afterAll(async () => {
  await member?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(etcdUnavailable() !== '')('cluster backup and restore on the etcd store', () => {
  it('snapshots the running member and restores it: later writes gone, deletions undone', async () => {
    const spec = parseClusterSpec(
      'apiVersion: wharf.dev/v1alpha1\nkind: Cluster\nmetadata: {name: e}\nspec: {controlPlane: {store: etcd}}\n',
      'e.yaml',
      () => join(root, 'data'),
    );
    mkdirSync(join(root, 'state', 'e'), { recursive: true });
    member = await startEtcdMember(spec.dataDir, log);
    const etcdctl = async (...args: string[]): Promise<string> =>
      (await run('etcdctl', ['--endpoints', member!.clientUrl, ...args], { env: { ...process.env, ETCDCTL_API: '3' } }))
        .stdout;
    await etcdctl('put', '/registry/configmaps/default/kept', 'one');
    const b = await backupCluster({ state: join(root, 'state') }, spec, '1.32.9');
    expect(await readManifest(b.file)).toMatchObject({ cluster: 'e', store: 'etcd', data: ['etcd/member.json'] });
    await etcdctl('put', '/registry/configmaps/default/later', 'two');
    await etcdctl('del', '/registry/configmaps/default/kept');

    await member.stop();
    await restoreInto(spec.dataDir, b.file);
    member = await startEtcdMember(spec.dataDir, log);
    expect(await etcdctl('get', '/registry/configmaps/default/kept', '--print-value-only')).toBe('one\n');
    expect(await etcdctl('get', '/registry/configmaps/default/later', '--print-value-only')).toBe('');
  });

  it('does the same for three members: every member restored, the cluster forms again', async () => {
    const spec = parseClusterSpec(
      'apiVersion: wharf.dev/v1alpha1\nkind: Cluster\nmetadata: {name: t}\nspec: {controlPlane: {members: 3}}\n',
      't.yaml',
      () => join(root, 'data3'),
    );
    mkdirSync(join(root, 'state', 't'), { recursive: true });
    await member?.stop(); // the single member of the test before
    member = await startEtcdMembers(spec.dataDir, 3, log);
    const etcdctl = async (...args: string[]): Promise<string> =>
      (
        await run('etcdctl', ['--endpoints', member!.clientUrls.join(','), ...args], {
          env: { ...process.env, ETCDCTL_API: '3' },
        })
      ).stdout;
    await etcdctl('put', '/registry/configmaps/default/kept', 'one');
    const b = await backupCluster({ state: join(root, 'state') }, spec, '1.32.9');
    expect((await readManifest(b.file)).data).toEqual([
      'etcd-0/member.json',
      'etcd-1/member.json',
      'etcd-2/member.json',
    ]);
    await etcdctl('put', '/registry/configmaps/default/later', 'two');

    await member.stop();
    await restoreInto(spec.dataDir, b.file);
    member = await startEtcdMembers(spec.dataDir, 3, log);
    expect(await etcdctl('get', '/registry/configmaps/default/kept', '--print-value-only')).toBe('one\n');
    expect(await etcdctl('get', '/registry/configmaps/default/later', '--print-value-only')).toBe('');
    expect((await etcdctl('member', 'list')).trim().split('\n')).toHaveLength(3);
  });
});
