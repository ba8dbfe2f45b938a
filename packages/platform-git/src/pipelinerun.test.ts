import { describe, expect, it } from 'vitest';
import { labelValue, pipelineRunFor } from './pipelinerun.js';
import type { Repository } from './types.js';

const repo: Repository = {
  apiVersion: 'platform.wharf.dev/v1alpha1',
  kind: 'Repository',
  metadata: { name: 'shop', namespace: 'team-a' },
  spec: {
    source: { type: 'builtin' },
    rules: [
      {
        branches: ['main'],
        pipelineRef: { name: 'build' },
        params: [
          { name: 'image', value: 'shop' },
          { name: 'git-url', value: 'ignored' },
        ],
      },
    ],
  },
};

describe('PipelineRun for a push', () => {
  it('carries the pipeline, git params, the rule params and the commit annotations', () => {
    const run = pipelineRunFor(
      repo,
      repo.spec.rules![0]!,
      {
        ref: 'refs/heads/main',
        commit: 'abc',
        author: 'Ann <ann@x>',
        message: 'fix',
        cloneUrl: 'http://h/git/team-a/shop.git',
        trigger: 'push',
      },
      false,
    );
    expect(run.spec).toEqual({
      pipelineRef: { name: 'build' },
      params: [
        { name: 'git-url', value: 'http://h/git/team-a/shop.git' },
        { name: 'git-revision', value: 'abc' },
        { name: 'git-branch', value: 'main' },
        { name: 'image', value: 'shop' },
      ],
    });
    expect(run.metadata.annotations).toMatchObject({
      'platform.wharf.dev/commit': 'abc',
      'platform.wharf.dev/author': 'Ann <ann@x>',
      'platform.wharf.dev/message': 'fix',
      'platform.wharf.dev/trigger': 'push',
    });
    expect(run.metadata.labels['platform.wharf.dev/repository']).toBe('shop');
  });

  it('a queued run is created pending, as Tekton defines it', () => {
    expect(
      pipelineRunFor(repo, repo.spec.rules![0]!, { ref: 'refs/heads/main', cloneUrl: 'u', trigger: 'push' }, true).spec
        .status,
    ).toBe('PipelineRunPending');
  });

  it('branch label values stay valid and distinct', () => {
    expect(labelValue('main')).toBe('main');
    expect(labelValue('feature/x')).not.toBe(labelValue('feature-x'));
    expect(labelValue('feature/x')).toMatch(/^feature-x-[0-9a-f]{10}$/);
    expect(labelValue('x'.repeat(100)).length).toBeLessThanOrEqual(63);
  });
});
