// Decodes every body real kubectl 1.32 sent (fixtures/*.bin, captured by fixtures/capture.mjs) and
// compares it with what `kubectl create … --dry-run=client -o json` prints for the same command.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf } from './index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.bin'))
  .map((f) => f.slice(0, -4))
  .sort();

/**
 * The dry-run JSON is Go's encoding of the struct. Its only `null`s are nil pointers or nil slices
 * without omitempty (a zero `creationTimestamp`, Role `rules: null`): the wire carries nothing for
 * them and the decoder omits them, so they are dropped before comparing. Nothing else differs.
 */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x);
    return out;
  }
  return v;
}

describe('kubectl 1.32 protobuf bodies decode to the dry-run JSON', () => {
  it('covers every kind the generator subcommands create', () => {
    const kinds = new Set(
      names.map((n) => (JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')) as { kind: string }).kind),
    );
    for (const kind of [
      'Namespace',
      'ConfigMap',
      'Secret',
      'Deployment',
      'Service',
      'Job',
      'CronJob',
      'Role',
      'RoleBinding',
      'ServiceAccount',
      'ResourceQuota',
      'PodDisruptionBudget',
      'Ingress',
      'PriorityClass',
      'ClusterRole',
      'ClusterRoleBinding',
      'TokenRequest',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
  });

  for (const name of names) {
    it(name, () => {
      const body = readFileSync(join(dir, `${name}.bin`));
      const expected = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as unknown;
      expect(decodeKubernetesProtobuf(body)).toEqual(withoutNulls(expected));
    });
  }
});
