import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseStore } from './etcd-member.js';

const dataDir = (holds: 'nothing' | 'sqlite' | 'member'): string => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-store-choice-'));
  if (holds === 'sqlite') writeFileSync(join(dir, 'wharf.db'), '');
  if (holds === 'member') {
    mkdirSync(join(dir, 'etcd'));
    writeFileSync(join(dir, 'etcd', 'member.json'), '{"clientPort":1,"peerPort":2}');
  }
  return dir;
};

describe('chooseStore', () => {
  it('keeps what the data dir holds when no --store is given', () => {
    expect(chooseStore(undefined, dataDir('nothing'))).toEqual({ kind: 'sqlite' });
    expect(chooseStore(undefined, dataDir('sqlite'))).toEqual({ kind: 'sqlite' });
    expect(chooseStore(undefined, dataDir('member'))).toEqual({ kind: 'etcd', servers: [] });
  });

  it('refuses a switch that would start the cluster empty, but not outside etcd servers', () => {
    expect(() => chooseStore({ kind: 'sqlite' }, dataDir('member'))).toThrow(/start it with --store etcd$/);
    expect(() => chooseStore({ kind: 'etcd', servers: [] }, dataDir('sqlite'))).toThrow(
      /keeps its objects in SQLite \(wharf\.db\): --store etcd would start an empty cluster$/,
    );
    const servers = { kind: 'etcd' as const, servers: ['http://127.0.0.1:2379'] };
    expect(chooseStore(servers, dataDir('sqlite'))).toEqual(servers);
  });
});
