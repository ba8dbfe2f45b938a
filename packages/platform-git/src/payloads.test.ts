// Payloads trimmed from the forges' documented examples (GitHub "push", GitLab "Push Hook" and
// "Tag Push Hook", Gitea "push"), keeping the fields the trigger reads.
import { describe, expect, it } from 'vitest';
import { parsePushEvent } from './payloads.js';

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const sha = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';

describe('push payloads', () => {
  it('GitHub push', () => {
    const body = json({
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after: sha,
      deleted: false,
      repository: { full_name: 'octo/hello', clone_url: 'https://github.com/octo/hello.git' },
      pusher: { name: 'octo' },
      head_commit: { id: sha, message: 'Update README.md', author: { name: 'Octo Cat', email: 'octo@example.com' } },
    });
    expect(parsePushEvent('github', { 'x-github-event': 'push' }, body)).toEqual({
      kind: 'push',
      push: {
        ref: 'refs/heads/main',
        commit: sha,
        cloneUrl: 'https://github.com/octo/hello.git',
        message: 'Update README.md',
        author: 'Octo Cat <octo@example.com>',
      },
    });
    expect(parsePushEvent('github', { 'x-github-event': 'ping' }, json({ zen: 'hi' })).kind).toBe('ignored');
    expect(
      parsePushEvent(
        'github',
        { 'x-github-event': 'push' },
        json({ ref: 'refs/heads/x', after: '0'.repeat(40), deleted: true, repository: { clone_url: 'u' } }),
      ),
    ).toEqual({ kind: 'push', push: { ref: 'refs/heads/x', cloneUrl: 'u' } });
  });

  it('GitLab Push Hook and Tag Push Hook', () => {
    const push = {
      object_kind: 'push',
      ref: 'refs/heads/master',
      before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
      after: sha,
      checkout_sha: sha,
      user_name: 'John Smith',
      project: { git_http_url: 'http://example.com/mike/diaspora.git' },
      commits: [
        { id: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327', message: 'old' },
        { id: sha, message: 'fixed readme', author: { name: 'GitLab dev user', email: 'gitlabdev@dv6700.(none)' } },
      ],
    };
    expect(parsePushEvent('gitlab', { 'x-gitlab-event': 'Push Hook' }, json(push))).toEqual({
      kind: 'push',
      push: {
        ref: 'refs/heads/master',
        commit: sha,
        cloneUrl: 'http://example.com/mike/diaspora.git',
        message: 'fixed readme',
        author: 'GitLab dev user <gitlabdev@dv6700.(none)>',
      },
    });
    const tag = {
      object_kind: 'tag_push',
      ref: 'refs/tags/v1.0.0',
      before: '0'.repeat(40),
      after: sha,
      checkout_sha: sha,
      project: { git_http_url: 'http://example.com/jsmith/example.git' },
      commits: [],
    };
    expect(parsePushEvent('gitlab', { 'x-gitlab-event': 'Tag Push Hook' }, json(tag))).toMatchObject({
      kind: 'push',
      push: { ref: 'refs/tags/v1.0.0', commit: sha },
    });
    expect(parsePushEvent('gitlab', { 'x-gitlab-event': 'Issue Hook' }, json({})).kind).toBe('ignored');
  });

  it('Gitea / Forgejo push', () => {
    const body = json({
      ref: 'refs/heads/develop',
      before: '28e1879d029cb852e4844d9c718537df08844e03',
      after: sha,
      repository: { clone_url: 'http://localhost:3000/gitea/webhooks.git' },
      head_commit: { id: sha, message: 'commit msg\n', author: { name: 'Gitea', email: 'someone@gitea.io' } },
      pusher: { login: 'gitea' },
    });
    expect(parsePushEvent('gitea', { 'x-gitea-event': 'push' }, body)).toMatchObject({
      kind: 'push',
      push: { ref: 'refs/heads/develop', commit: sha, author: 'Gitea <someone@gitea.io>' },
    });
    expect(parsePushEvent('forgejo', { 'x-forgejo-event': 'push', 'x-gitea-event': 'push' }, body).kind).toBe('push');
  });

  it('a body that is not JSON or lacks the fields is invalid, not a crash', () => {
    expect(parsePushEvent('github', { 'x-github-event': 'push' }, Buffer.from('{oops'))).toMatchObject({
      kind: 'invalid',
    });
    expect(parsePushEvent('github', { 'x-github-event': 'push' }, json([1]))).toMatchObject({ kind: 'invalid' });
    expect(parsePushEvent('gitlab', { 'x-gitlab-event': 'Push Hook' }, json({ ref: 'refs/heads/x' }))).toMatchObject({
      kind: 'invalid',
    });
  });
});
