import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from './errors.js';
import { formatReference, parseReference, refName } from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    ['busybox', { repository: 'busybox', tag: 'latest' }],
    ['busybox:1', { repository: 'busybox', tag: '1' }],
    ['team/app:v2', { repository: 'team/app', tag: 'v2' }],
    ['localhost:5000/x/y:tag', { registry: 'localhost:5000', repository: 'x/y', tag: 'tag' }],
    ['localhost/x', { registry: 'localhost', repository: 'x', tag: 'latest' }],
    ['registry.example.com/a/b', { registry: 'registry.example.com', repository: 'a/b', tag: 'latest' }],
    [`app@${D}`, { repository: 'app', digest: D }],
    [`app:1@${D}`, { repository: 'app', tag: '1', digest: D }],
    ['docker.io/library/busybox:1', { repository: 'busybox', tag: '1' }],
    ['index.docker.io/grafana/grafana', { repository: 'grafana/grafana', tag: 'latest' }],
  ])('%s', (ref, want) => {
    expect(parseReference(ref)).toEqual(want);
  });

  it('treats configured hosts as the built-in registry', () => {
    expect(parseReference('127.0.0.1:5000/busybox:1', { builtinHosts: ['127.0.0.1:5000'] })).toEqual({
      repository: 'busybox',
      tag: '1',
    });
  });

  it.each(['', 'Busybox:1', 'a//b', 'a:b:c:d', 'app@sha256:123', 'a/../b', '-x', 'x:-tag'])('rejects %j', (ref) => {
    expect(() => parseReference(ref)).toThrow(InvalidReferenceError);
  });

  it('formats and names refs', () => {
    const r = parseReference('localhost:5000/x/y:tag');
    expect(formatReference(r)).toBe('localhost:5000/x/y:tag');
    expect(refName(r)).toBe('localhost:5000/x/y:tag');
    expect(refName(parseReference(`a@${D}`))).toBeUndefined();
  });
});
