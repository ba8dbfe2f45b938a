// Forge webhooks on a real `wharf up`: a local forge stand-in (Debian's `git http-backend` on
// loopback serving a real repository) and GitHub-, GitLab- (token and signing-token) and
// Gitea-/Forgejo-shaped push and tag deliveries with good, bad, missing and replayed signatures.
// A good delivery creates the PipelineRun whose git-url is the forge's clone URL, from which the
// pushed revision can be fetched; refusals are 401/409 and recorded in the Repository's status;
// replays stay refused after a restart.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGitHttpBackend } from '@wharf/platform-git';
import { eventually, freePort, Kubectl, WharfProcess } from '@wharf/testing';

const NS = 'forge';
const SECRETS = {
  github: 'gh-secret',
  gitlab: 'gl-token',
  gitlabSigning: `whsec_${randomBytes(32).toString('base64')}`,
  gitea: 'gitea-secret',
  forgejo: 'forgejo-secret',
};

interface Run {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { pipelineRef: { name: string }; params: { name: string; value: string }[] };
}
interface RepoEvent {
  result: string;
  trigger: string;
  ref?: string;
  commit?: string;
  deliveryId?: string;
  reason?: string;
  pipelineRun?: string;
}

const git = (cwd: string, args: string[]): string =>
  execFileSync(
    'git',
    ['-c', 'user.name=Forge User', '-c', 'user.email=forge@example.com', '-c', 'init.defaultBranch=main', ...args],
    { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
  )
    .toString()
    .trim();
/** Async: the forge answers from this process, so a blocking git would wait on itself. */
const gitAsync = async (cwd: string, args: string[]): Promise<string> =>
  (
    await promisify(execFile)('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, timeout: 30_000 })
  ).stdout.trim();
const hex = (key: string, body: string): string => createHmac('sha256', key).update(body).digest('hex');

describe('forge webhooks', () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let gitPort: number;
  let forge: Server;
  let forgeUrl: string;
  let root: string;
  let sha: string;
  const cloneUrl = (): string => `${forgeUrl}/acme/widget.git`;

  const post = (repo: string, headers: Record<string, string>, body: string) =>
    fetch(`http://127.0.0.1:${gitPort}/hooks/${NS}/${repo}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const events = async (repo: string): Promise<RepoEvent[]> =>
    (
      JSON.parse(await k.ok(['get', 'repository', repo, '-n', NS, '-o', 'json'])) as {
        status?: { events?: RepoEvent[] };
      }
    ).status?.events ?? [];
  const run = async (name: string): Promise<Run> =>
    JSON.parse(await k.ok(['get', 'pipelinerun.tekton.dev', name, '-n', NS, '-o', 'json'])) as Run;
  const param = (r: Run, name: string): string | undefined => r.spec.params.find((p) => p.name === name)?.value;

  /** GitHub's push payload (trimmed to the documented fields) for the forge's repository. */
  const hubPush = (ref: string): string =>
    JSON.stringify({
      ref,
      before: '0'.repeat(40),
      after: sha,
      created: true,
      deleted: false,
      forced: false,
      compare: `${forgeUrl}/acme/widget/compare`,
      repository: {
        id: 1,
        name: 'widget',
        full_name: 'acme/widget',
        clone_url: cloneUrl(),
        html_url: `${forgeUrl}/acme/widget`,
      },
      pusher: { name: 'forge', email: 'forge@example.com' },
      sender: { login: 'forge' },
      head_commit: {
        id: sha,
        tree_id: sha,
        distinct: true,
        message: 'Widget v1',
        timestamp: new Date().toISOString(),
        author: { name: 'Forge User', email: 'forge@example.com', username: 'forge' },
      },
      commits: [{ id: sha, message: 'Widget v1', author: { name: 'Forge User', email: 'forge@example.com' } }],
    });
  const gitlabPush = (kind: 'push' | 'tag_push', ref: string): string =>
    JSON.stringify({
      object_kind: kind,
      event_name: kind,
      before: '0'.repeat(40),
      after: sha,
      ref,
      checkout_sha: sha,
      user_name: 'Forge User',
      user_username: 'forge',
      project: {
        id: 15,
        name: 'widget',
        path_with_namespace: 'acme/widget',
        git_http_url: cloneUrl(),
        git_ssh_url: 'git@example.com:acme/widget.git',
      },
      repository: { name: 'widget', git_http_url: cloneUrl() },
      commits: [
        {
          id: sha,
          message: 'Widget v1\n',
          title: 'Widget v1',
          timestamp: new Date().toISOString(),
          author: { name: 'Forge User', email: 'forge@example.com' },
        },
      ],
      total_commits_count: 1,
    });

  beforeAll(async () => {
    // The forge: a bare repository with one commit and a tag, served over smart HTTP.
    root = mkdtempSync(join(tmpdir(), 'wharf-forge-'));
    const work = join(root, 'work');
    git(root, ['init', '-q', work]);
    writeFileSync(join(work, 'app.txt'), 'widget v1\n');
    git(work, ['add', '-A']);
    git(work, ['commit', '-qm', 'Widget v1']);
    git(work, ['tag', 'v1.0.0']);
    sha = git(work, ['rev-parse', 'HEAD']);
    git(root, ['clone', '-q', '--bare', work, join(root, 'repos', 'acme', 'widget.git')]);
    forge = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      void runGitHttpBackend(req, res, { projectRoot: join(root, 'repos'), pathInfo: path, maxBodyBytes: 1 << 20 });
    });
    const forgePort = await freePort();
    await new Promise<void>((r) => forge.listen(forgePort, '127.0.0.1', r));
    forgeUrl = `http://127.0.0.1:${forgePort}`;

    gitPort = await freePort();
    wharf = await WharfProcess.start({ extraArgs: ['--git-port', String(gitPort), '--max-concurrent-builds', '10'] });
    k = new Kubectl(wharf.kubeconfig);
    await k.ok(['create', 'namespace', NS]);
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const docs: unknown[] = [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'hooks', namespace: NS },
        data: Object.fromEntries(Object.entries(SECRETS).map(([key, v]) => [key, b64(v)])),
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'forge-login', namespace: NS },
        type: 'kubernetes.io/basic-auth',
        data: { username: b64('ci'), password: b64('pw') },
      },
    ];
    const repo = (name: string, provider: string, key: string) => ({
      apiVersion: 'platform.wharf.dev/v1alpha1',
      kind: 'Repository',
      metadata: { name, namespace: NS },
      spec: {
        source: { type: 'external', url: cloneUrl(), credentialsSecretRef: { name: 'forge-login' } },
        webhook: { provider, secretRef: { name: 'hooks', key } },
        rules: [
          { branches: ['main'], pipelineRef: { name: 'build' } },
          { tags: ['v*'], pipelineRef: { name: 'release' } },
        ],
      },
    });
    docs.push(
      repo('widget-github', 'github', 'github'),
      repo('widget-gitlab', 'gitlab', 'gitlab'),
      repo('widget-gitlab-signed', 'gitlab', 'gitlabSigning'),
      repo('widget-gitea', 'gitea', 'gitea'),
      repo('widget-forgejo', 'forgejo', 'forgejo'),
    );
    await k.ok(['apply', '-f', '-'], { stdin: docs.map((d) => JSON.stringify(d)).join('\n') });
  }, 120_000);

  afterAll(async () => {
    await wharf?.stop();
    await new Promise((r) => forge?.close(r));
    rmSync(root, { recursive: true, force: true });
  });

  /** The PipelineRun a delivery created: its params and annotations, and the revision fetchable from its git-url. */
  async function expectRun(name: string, pipeline: string, ref: string, trigger: string): Promise<void> {
    const r = await run(name);
    expect(r.spec.pipelineRef.name).toBe(pipeline);
    expect(param(r, 'git-url')).toBe(cloneUrl());
    expect(param(r, 'git-revision')).toBe(sha);
    expect(param(r, 'git-branch')).toBe(ref.replace(/^refs\/(heads|tags)\//, ''));
    expect(r.metadata.annotations).toMatchObject({
      'platform.wharf.dev/commit': sha,
      'platform.wharf.dev/trigger': trigger,
      'platform.wharf.dev/credentials-secret': 'forge-login',
    });
    // What the build's clone step does: fetch the revision from the URL in the payload.
    const dir = mkdtempSync(join(tmpdir(), 'wharf-fetch-'));
    try {
      await gitAsync(dir, ['init', '-q']);
      await gitAsync(dir, ['fetch', '-q', param(r, 'git-url')!, param(r, 'git-revision')!]);
      expect(await gitAsync(dir, ['log', '-1', '--format=%s', 'FETCH_HEAD'])).toBe('Widget v1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('GitHub: a signed push creates the run, a replay is 409, a wrong or missing signature is 401; all recorded', async () => {
    const body = hubPush('refs/heads/main');
    const id = randomUUID();
    const headers = {
      'x-github-event': 'push',
      'x-github-delivery': id,
      'x-hub-signature-256': `sha256=${hex(SECRETS.github, body)}`,
      'user-agent': 'GitHub-Hookshot/abc',
    };
    const ok = await post('widget-github', headers, body);
    expect(ok.status).toBe(202);
    const answer = (await ok.json()) as { result: string; pipelineRun: string };
    expect(answer.result).toBe('PipelineRunCreated');
    await expectRun(answer.pipelineRun, 'build', 'refs/heads/main', 'webhook:github');

    expect((await post('widget-github', headers, body)).status).toBe(409);
    expect(
      (
        await post(
          'widget-github',
          { ...headers, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': `sha256=${hex('wrong', body)}` },
          body,
        )
      ).status,
    ).toBe(401);
    expect(
      (await post('widget-github', { 'x-github-event': 'push', 'x-github-delivery': randomUUID() }, body)).status,
    ).toBe(401);
    // A body changed after signing (the signature of the original) is refused too.
    expect(
      (
        await post(
          'widget-github',
          { ...headers, 'x-github-delivery': randomUUID() },
          body.replace('Widget v1', 'Widget v2'),
        )
      ).status,
    ).toBe(401);
    const ev = await eventually(
      async () => ((await events('widget-github')).length >= 5 ? events('widget-github') : undefined),
      10_000,
      'five recorded deliveries',
    );
    expect(ev.map((e) => e.result)).toEqual([
      'SignatureRefused',
      'SignatureRefused',
      'SignatureRefused',
      'Replayed',
      'PipelineRunCreated',
    ]);
    expect(ev[1]!.reason).toBe('missing X-Hub-Signature-256');
    expect(ev[3]!.deliveryId).toBe(id);
  });

  it('GitHub: a tag push runs the tag rule; a ping is acknowledged and ignored', async () => {
    const body = hubPush('refs/tags/v1.0.0');
    const r = await post(
      'widget-github',
      {
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${hex(SECRETS.github, body)}`,
      },
      body,
    );
    expect(r.status).toBe(202);
    await expectRun(
      ((await r.json()) as { pipelineRun: string }).pipelineRun,
      'release',
      'refs/tags/v1.0.0',
      'webhook:github',
    );
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const p = await post(
      'widget-github',
      {
        'x-github-event': 'ping',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${hex(SECRETS.github, ping)}`,
      },
      ping,
    );
    expect(p.status).toBe(202);
    expect(((await p.json()) as { result: string }).result).toBe('Ignored');
  });

  it('GitLab X-Gitlab-Token: Push Hook and Tag Push Hook; a wrong token is 401; a replayed Idempotency-Key 409', async () => {
    const body = gitlabPush('push', 'refs/heads/main');
    const key = randomUUID();
    const headers = {
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': SECRETS.gitlab,
      'idempotency-key': key,
      'x-gitlab-event-uuid': randomUUID(),
    };
    const ok = await post('widget-gitlab', headers, body);
    expect(ok.status).toBe(202);
    await expectRun(
      ((await ok.json()) as { pipelineRun: string }).pipelineRun,
      'build',
      'refs/heads/main',
      'webhook:gitlab',
    );
    expect((await post('widget-gitlab', headers, body)).status).toBe(409);
    expect(
      (
        await post(
          'widget-gitlab',
          { ...headers, 'idempotency-key': randomUUID(), 'x-gitlab-token': 'gl-token-x' },
          body,
        )
      ).status,
    ).toBe(401);
    const tag = gitlabPush('tag_push', 'refs/tags/v1.0.0');
    const t = await post(
      'widget-gitlab',
      { 'x-gitlab-event': 'Tag Push Hook', 'x-gitlab-token': SECRETS.gitlab, 'idempotency-key': randomUUID() },
      tag,
    );
    expect(t.status).toBe(202);
    await expectRun(
      ((await t.json()) as { pipelineRun: string }).pipelineRun,
      'release',
      'refs/tags/v1.0.0',
      'webhook:gitlab',
    );
  });

  it('GitLab webhook-signature (signing token): signed push accepted, tampered or stale refused', async () => {
    const body = gitlabPush('push', 'refs/heads/main');
    const id = randomUUID();
    const ts = String(Math.floor(Date.now() / 1000));
    const sign = (i: string, t: string, b: string): string =>
      `v1,${createHmac('sha256', Buffer.from(SECRETS.gitlabSigning.slice(6), 'base64'))
        .update(`${i}.${t}.${b}`)
        .digest('base64')}`;
    const headers = {
      'x-gitlab-event': 'Push Hook',
      'webhook-id': id,
      'idempotency-key': id,
      'webhook-timestamp': ts,
      'webhook-signature': sign(id, ts, body),
    };
    const ok = await post('widget-gitlab-signed', headers, body);
    expect(ok.status).toBe(202);
    await expectRun(
      ((await ok.json()) as { pipelineRun: string }).pipelineRun,
      'build',
      'refs/heads/main',
      'webhook:gitlab',
    );
    expect((await post('widget-gitlab-signed', headers, body)).status).toBe(409);
    const id2 = randomUUID();
    expect(
      (
        await post(
          'widget-gitlab-signed',
          { ...headers, 'webhook-id': id2, 'webhook-signature': sign(id2, ts, body) },
          `${body} `,
        )
      ).status,
    ).toBe(401);
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const stale = await post(
      'widget-gitlab-signed',
      { ...headers, 'webhook-id': id2, 'webhook-timestamp': old, 'webhook-signature': sign(id2, old, body) },
      body,
    );
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { message: string }).message).toContain('five minutes');
  });

  it('Gitea and Forgejo: X-Gitea-Signature / X-Forgejo-Signature; wrong ones refused', async () => {
    for (const [repo, provider, headerPrefix] of [
      ['widget-gitea', 'gitea', 'x-gitea'],
      ['widget-forgejo', 'forgejo', 'x-forgejo'],
    ] as const) {
      const body = hubPush('refs/heads/main');
      const secret = SECRETS[provider];
      const id = randomUUID();
      const headers = {
        [`${headerPrefix}-event`]: 'push',
        [`${headerPrefix}-delivery`]: id,
        [`${headerPrefix}-signature`]: hex(secret, body),
        ...(provider === 'forgejo'
          ? { 'x-gitea-event': 'push', 'x-gitea-delivery': id, 'x-gitea-signature': hex(secret, body) }
          : {}),
      };
      const ok = await post(repo, headers, body);
      expect(ok.status, repo).toBe(202);
      await expectRun(
        ((await ok.json()) as { pipelineRun: string }).pipelineRun,
        'build',
        'refs/heads/main',
        `webhook:${provider}`,
      );
      expect(
        (
          await post(
            repo,
            {
              ...headers,
              [`${headerPrefix}-delivery`]: randomUUID(),
              [`${headerPrefix}-signature`]: hex('nope', body),
            },
            body,
          )
        ).status,
      ).toBe(401);
    }
  });

  it('unknown repositories, other methods and oversized payloads get clear 4xx', async () => {
    expect((await post('nope', {}, '{}')).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${gitPort}/hooks/${NS}/widget-github`)).status).toBe(405);
    const big = await post('widget-github', { 'x-github-event': 'push' }, 'x'.repeat(26 * 1024 * 1024)).catch(
      (e: Error) => e,
    );
    // 413, or the connection closed while the oversized body was still being sent: never accepted.
    if (!(big instanceof Error)) expect(big.status).toBe(413);
  });

  it('a replayed delivery stays refused after a restart', async () => {
    const ev = await events('widget-github');
    const accepted = ev.find((e) => e.result === 'PipelineRunCreated' && e.ref === 'refs/heads/main')!;
    await wharf.restart({ extraArgs: ['--git-port', String(gitPort), '--max-concurrent-builds', '10'] });
    const body = hubPush('refs/heads/main');
    const replay = await eventually(
      async () => {
        const r = await post(
          'widget-github',
          {
            'x-github-event': 'push',
            'x-github-delivery': accepted.deliveryId!,
            'x-hub-signature-256': `sha256=${hex(SECRETS.github, body)}`,
          },
          body,
        ).catch(() => undefined);
        return r && r.status !== 503 ? r : undefined;
      },
      30_000,
      'the git server after the restart',
    );
    expect(replay.status).toBe(409);
  });
});
