import { describe, expect, it } from 'vitest';
import { withDefaults } from './options.js';

interface Opts {
  readonly dir: string;
  readonly port?: number;
  readonly host?: string;
  readonly token?: string;
}

describe('withDefaults', () => {
  it('fills left-out and undefined options with their defaults, keeps given ones (0 and "" too)', () => {
    expect(withDefaults({ port: 6443, host: '127.0.0.1' }, { dir: '/d', port: undefined } as Opts)).toEqual({
      dir: '/d',
      port: 6443,
      host: '127.0.0.1',
    });
    expect(withDefaults({ port: 6443, host: '127.0.0.1' }, { dir: '/d', port: 0, host: '' } as Opts)).toEqual({
      dir: '/d',
      port: 0,
      host: '',
    });
  });

  it('leaves options without a default optional, and does not change its inputs', () => {
    const given: Opts = { dir: '/d' };
    const defaults = { port: 1 };
    const r = withDefaults(defaults, given);
    expect(r.token).toBeUndefined();
    expect(given).toEqual({ dir: '/d' });
    expect(defaults).toEqual({ port: 1 });
  });
});
