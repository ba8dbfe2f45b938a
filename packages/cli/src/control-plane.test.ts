import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tryOrder } from './api-balancer.js';
import { chooseMembers, sharedSecret } from './control-plane.js';

const etcd = { kind: 'etcd', servers: [] } as const;
const dataDir = (holds: 'nothing' | 'one' | 'three'): string => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-members-'));
  if (holds !== 'nothing') mkdirSync(join(dir, 'pki'));
  if (holds === 'three')
    writeFileSync(join(dir, 'control-plane.json'), '{"members":3,"port":1,"apiPorts":[],"pids":{}}');
  return dir;
};

describe('chooseMembers', () => {
  it('keeps what the data dir ran, else one', () => {
    expect(chooseMembers(undefined, etcd, dataDir('nothing'))).toBe(1);
    expect(chooseMembers(undefined, etcd, dataDir('one'))).toBe(1);
    expect(chooseMembers(undefined, etcd, dataDir('three'))).toBe(3);
    expect(chooseMembers(3, etcd, dataDir('nothing'))).toBe(3);
  });

  it('refuses three on SQLite, two, and a count a data dir was not made with', () => {
    expect(() => chooseMembers(3, { kind: 'sqlite' }, dataDir('nothing'))).toThrow(
      /^--control-plane-members 3 needs --store etcd: SQLite is a file of one process$/,
    );
    expect(() => chooseMembers(2, etcd, dataDir('nothing'))).toThrow(/must be 1 or 3, got 2$/);
    expect(() => chooseMembers(3, etcd, dataDir('one'))).toThrow(/runs 1 API server\(s\): the count is chosen/);
    expect(() => chooseMembers(1, etcd, dataDir('three'))).toThrow(/runs 3 API server\(s\)/);
  });
});

describe('tryOrder', () => {
  it('takes the healthy members in turn, then the others as a last resort', () => {
    const all = new Set([1, 2, 3]);
    expect(tryOrder([1, 2, 3], all, 0)).toEqual([1, 2, 3]);
    expect(tryOrder([1, 2, 3], all, 4)).toEqual([2, 3, 1]);
    expect(tryOrder([1, 2, 3], new Set([1, 3]), 1)).toEqual([3, 1, 2]);
    expect(tryOrder([1, 2, 3], new Set(), 2)).toEqual([3, 1, 2]);
  });
});

describe('sharedSecret', () => {
  it('is made once per data dir and name, readable by the owner only: every member of three gets the same', () => {
    const dir = dataDir('three');
    const token = sharedSecret(dir, 'agent-token');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(sharedSecret(dir, 'agent-token')).toBe(token);
    expect(sharedSecret(dir, 'console-ldap-proof')).not.toBe(token);
    expect(statSync(join(dir, 'console-ldap-proof')).mode & 0o777).toBe(0o600);
    expect(sharedSecret(dataDir('three'), 'agent-token')).not.toBe(token);
  });
});
