import { describe, expect, it } from 'vitest';
import type { PullSecret } from '../agent/image-provider.js';
import {
  DOCKER_CFG,
  DOCKER_CONFIG_JSON,
  DockerKeyring,
  keyMatches,
  normaliseKey,
  PullSecretError,
} from './credentials.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const configJson = (name: string, auths: Record<string, unknown>): PullSecret => ({
  metadata: { name },
  type: DOCKER_CONFIG_JSON,
  data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
});

describe('normaliseKey', () => {
  it('drops the scheme, a /v1/ or /v2/ prefix and a bare trailing slash', () => {
    expect(normaliseKey('https://index.docker.io/v1/')).toBe('index.docker.io');
    expect(normaliseKey('http://127.0.0.1:5001/v2/team')).toBe('127.0.0.1:5001/team');
    expect(normaliseKey('reg.example/')).toBe('reg.example');
    expect(normaliseKey('reg.example:5000/team/app')).toBe('reg.example:5000/team/app');
  });
});

describe('keyMatches (the kubelet keyring rules)', () => {
  it.each([
    ['127.0.0.1:5001', '127.0.0.1:5001/team/app', true],
    ['127.0.0.1:5001', '127.0.0.1:5002/team/app', false], // ports must be equal
    ['127.0.0.1', '127.0.0.1:5001/team/app', false], // no port in the key does not mean any port
    ['reg.example/team', 'reg.example/team/app', true],
    ['reg.example/team', 'reg.example/other/app', false],
    ['reg.example/team', 'reg.example/teamwork/app', true], // a string prefix, as the kubelet compares
    ['*.example', 'reg.example/app', true],
    ['*.example', 'a.reg.example/app', false], // a glob stands for one label
    ['reg?.example', 'reg1.example/app', true],
    ['reg.example', 'reg.example.org/app', false],
  ])('%s applies to %s: %s', (key, image, want) => {
    expect(keyMatches(key, image)).toBe(want);
  });
});

describe('DockerKeyring', () => {
  it('reads auth (base64 user:password, the password may hold colons) and username/password', () => {
    const ring = DockerKeyring.fromSecrets([
      configJson('a', { '127.0.0.1:5001': { auth: b64('alice:pa:ss') } }),
      configJson('b', { 'https://reg.example/v2/': { username: 'bob', password: 'pw' } }),
    ]);
    expect(ring.lookup('127.0.0.1:5001/team/app')).toEqual([
      { key: '127.0.0.1:5001', secret: 'a', username: 'alice', password: 'pa:ss' },
    ]);
    expect(ring.lookup('reg.example/x')).toEqual([
      { key: 'reg.example', secret: 'b', username: 'bob', password: 'pw' },
    ]);
    expect(ring.lookup('other.example/x')).toEqual([]);
  });

  it('reads kubernetes.io/dockercfg secrets (the registry map at the top level)', () => {
    const legacy: PullSecret = {
      metadata: { name: 'old' },
      type: DOCKER_CFG,
      data: { '.dockercfg': b64(JSON.stringify({ 'reg.example': { auth: b64('u:p') } })) },
    };
    expect(DockerKeyring.fromSecrets([legacy]).lookup('reg.example/app')).toMatchObject([
      { username: 'u', password: 'p', secret: 'old' },
    ]);
  });

  it('orders the most specific key first, then by secret order', () => {
    const ring = DockerKeyring.fromSecrets([
      configJson('host', { 'reg.example': { auth: b64('h:1') } }),
      configJson('team', { 'reg.example/team': { auth: b64('t:1') } }),
      configJson('host2', { 'reg.example': { auth: b64('h:2') } }),
    ]);
    expect(ring.lookup('reg.example/team/app').map((e) => e.username + ':' + e.password)).toEqual([
      't:1',
      'h:1',
      'h:2',
    ]);
  });

  it('ignores secrets of other types and secrets without their key', () => {
    const opaque: PullSecret = {
      metadata: { name: 'o' },
      type: 'Opaque',
      data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'reg.example': { auth: b64('u:p') } } })) },
    };
    const empty: PullSecret = { metadata: { name: 'e' }, type: DOCKER_CONFIG_JSON, data: {} };
    expect(DockerKeyring.fromSecrets([opaque, empty]).size).toBe(0);
  });

  it('names the secret whose content is malformed', () => {
    const bad: PullSecret = {
      metadata: { name: 'broken' },
      type: DOCKER_CONFIG_JSON,
      data: { '.dockerconfigjson': b64('{not json') },
    };
    expect(() => DockerKeyring.fromSecrets([bad])).toThrow(PullSecretError);
    expect(() => DockerKeyring.fromSecrets([bad])).toThrow(/pull secret "broken": \.dockerconfigjson is not JSON/);
    expect(() =>
      DockerKeyring.fromSecrets([configJson('nocolon', { 'reg.example': { auth: b64('justuser') } })]),
    ).toThrow(/"nocolon".*not base64 of user:password/);
  });
});
