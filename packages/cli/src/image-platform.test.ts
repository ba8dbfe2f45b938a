import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencyClosure } from './image-node-tree.js';

describe("the platform image's layer", () => {
  it('holds the npm closure of the npd, notify and monitoring packages, without type-only packages', () => {
    const names = [
      ...dependencyClosure(
        ['@wharf/platform-notify', '@wharf/platform-npd', '@wharf/platform-monitoring'],
        join(import.meta.dirname, '..'),
      ).keys(),
    ];
    expect(names).toEqual(
      expect.arrayContaining([
        '@wharf/client',
        '@wharf/api',
        '@kubernetes/client-node',
        'nodemailer',
        'prom-client',
        'pino',
        '@prometheus-io/lezer-promql',
        'yaml',
      ]),
    );
    expect(names.filter((n) => n.startsWith('@types/'))).toEqual([]);
  });
});
