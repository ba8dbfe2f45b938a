// Wharf's own CRDs (deploy/) are within the API server's CEL cost budgets, so they install on a
// real cluster too: a rule over an unbounded list or string would be refused there.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FieldPath } from './issues.js';
import { validateCelRules } from './crd-cel.js';
import type { JSONSchemaProps } from './crd-types.js';

const DEPLOY = join(import.meta.dirname, '../../../../deploy');
const files = (d: string): string[] =>
  readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]));

describe("Wharf's CRDs", () => {
  it('have CEL rules within the per-rule and per-schema cost budgets', () => {
    const issues: string[] = [];
    let crds = 0;
    for (const f of files(DEPLOY).filter((n) => n.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(f, 'utf8'))) {
        const o = doc.toJS() as {
          kind?: string;
          metadata: { name: string };
          spec: { versions: { name: string; schema?: { openAPIV3Schema?: JSONSchemaProps } }[] };
        } | null;
        if (o?.kind !== 'CustomResourceDefinition') continue;
        crds++;
        o.spec.versions.forEach((v, i) => {
          const schema = v.schema?.openAPIV3Schema;
          if (!schema) return;
          for (const e of validateCelRules(schema, FieldPath.root(`spec.versions[${i}].schema.openAPIV3Schema`)))
            issues.push(`${o.metadata.name}: ${e.field}: ${e.message}`);
        });
      }
    }
    expect(crds).toBeGreaterThan(5);
    expect(issues).toEqual([]);
  });
});
