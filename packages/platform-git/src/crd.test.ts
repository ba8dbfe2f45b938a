// The committed manifest (deploy/git/repositories.yaml) is what crd.ts declares.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { gitClusterRoles, repositoryCrd } from './crd.js';

describe('Repository CRD and git ClusterRoles', () => {
  it('match the committed manifest (regenerate with npm run gen:git-crd)', () => {
    const committed = parseAllDocuments(
      readFileSync(new URL('../../../deploy/git/repositories.yaml', import.meta.url), 'utf8'),
    ).map((d) => d.toJS() as unknown);
    expect(committed).toEqual(JSON.parse(JSON.stringify([repositoryCrd, ...gitClusterRoles])));
  });

  it('push is granted to edit and admin only, fetch to view as well', () => {
    const labels = (name: string) =>
      Object.keys(gitClusterRoles.find((r) => r.metadata.name === name)!.metadata.labels);
    expect(labels('wharf:git:push')).toEqual([
      'rbac.authorization.k8s.io/aggregate-to-edit',
      'rbac.authorization.k8s.io/aggregate-to-admin',
    ]);
    expect(labels('wharf:git:view')).toContain('rbac.authorization.k8s.io/aggregate-to-view');
  });
});
