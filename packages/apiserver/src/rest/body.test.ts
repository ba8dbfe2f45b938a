import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { decodeBody } from './body.js';

const yaml = (text: string): unknown => decodeBody('application/yaml', Buffer.from(text));
const refusal = (text: string): string => {
  try {
    yaml(text);
  } catch (e) {
    if (e instanceof ApiError) return `${e.code} ${e.message}`;
    throw e;
  }
  return 'accepted';
};

describe('YAML bodies', () => {
  it('refuse deep nesting before the parser recurses into it, flow or block', () => {
    expect(refusal(`metadata: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`)).toBe(
      '400 the request body nests deeper than 100 levels',
    );
    expect(refusal(`a: ${'{b: '.repeat(150)}1${'}'.repeat(150)}\n`)).toBe(
      '400 the request body nests deeper than 100 levels',
    );
    const block = Array.from({ length: 150 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    expect(refusal(`${block} 1\n`)).toBe('400 the request body nests deeper than 100 levels');
    expect(refusal(`${Array.from({ length: 150 }, (_, i) => `${'  '.repeat(i)}- `).join('\n')}x\n`)).toBe(
      '400 the request body nests deeper than 100 levels',
    );
  });

  it('count no brackets inside quoted scalars or comments, and follow indentation back out', () => {
    const manifest = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: quoted, annotations: {note: "it\'s [[[[[[[[[["}}',
      `data:`,
      `  script: '${'['.repeat(200)}'`,
      `  other: "${'{'.repeat(200)}" # ${'['.repeat(200)}`,
      `  plain: it's fine`,
      ...Array.from({ length: 120 }, (_, i) => `  k${i}: [1, [2]]`),
    ].join('\n');
    expect(yaml(manifest)).toMatchObject({ kind: 'ConfigMap', data: { script: '['.repeat(200), plain: "it's fine" } });
  });
});
