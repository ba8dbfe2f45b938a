import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from './registry-provider.js';

describe('isLoopbackHost (where plain HTTP is allowed)', () => {
  it.each([
    ['localhost:5001', true],
    ['localhost', true],
    ['127.0.0.1:5001', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['registry.example:5000', false],
    ['10.0.0.1:5000', false],
    ['127.0.0.1.nip.io:5000', false],
    ['localhost.example', false],
  ])('%s: %s', (host, want) => {
    expect(isLoopbackHost(host)).toBe(want);
  });
});
