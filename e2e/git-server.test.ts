// The built-in git server on a real `wharf up` (no nodes): real `git clone` and `git push` over
// smart HTTP with service-account tokens (with and without the push permission), a push that
// creates the Tekton PipelineRun its branch rule names, a push no rule matches recorded as
// such, the queue policy with a concurrent-build limit of one, bad requests answered 4xx, and
// repositories kept across a restart. PipelineRun is a minimal tekton.dev/v1 CRD here: this
// suite checks what the trigger creates, not how Tekton runs it.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, httpGet, Kubectl, WHARF_BIN, WharfProcess } from '@wharf/testing';

const exec = promisify(execFile);
const NS = 'team-a';

interface Run {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { pipelineRef: { name: string }; params: { name: string; value: string }[]; status?: string };
}
interface RepoEvent {
  result: string;
  ref?: string;
  commit?: string;
  author?: string;
  message?: string;
  pipelineRun?: string;
  reason?: string;
}

/** git with no prompts, no credential helpers and a fixed identity. */
async function git(cwd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await exec(
      'git',
      [
        '-c',
        'credential.helper=',
        '-c',
        'user.name=Ann Author',
        '-c',
        'user.email=ann@example.com',
        '-c',
        'init.defaultBranch=main',
        ...args,
      ],
      { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, timeout: 60_000 },
    );
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

// The pipeline pushes start. This Wharf has no nodes, so a started run holds its build slot
// (its pod waits to be scheduled) until it is cancelled: what the queue tests need.
const buildWar = `
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: build-war, namespace: ${NS}}
spec:
  params:
  - {name: git-url, type: string}
  - {name: git-revision, type: string}
  - {name: git-branch, type: string}
  - {name: image, type: string}
  tasks:
  - name: build
    taskSpec:
      steps: [{name: build, image: busybox:1, script: 'echo building'}]
`;

describe('built-in git server', () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let gitPort: number;
  let work: string;
  let tokens: { pusher: string; reader: string };
  const url = (token: string, repo = 'shop'): string => `http://x:${token}@127.0.0.1:${gitPort}/git/${NS}/${repo}.git`;
  const runs = async (): Promise<Run[]> =>
    (JSON.parse(await k.ok(['get', 'pipelineruns.tekton.dev', '-n', NS, '-o', 'json'])) as { items: Run[] }).items;
  const events = async (repo = 'shop'): Promise<RepoEvent[]> =>
    (
      JSON.parse(await k.ok(['get', 'repository', repo, '-n', NS, '-o', 'json'])) as {
        status?: { events?: RepoEvent[] };
      }
    ).status?.events ?? [];
  const commit = async (file: string, text: string, msg: string): Promise<string> => {
    writeFileSync(join(work, file), text);
    await git(work, ['add', '-A']);
    await git(work, ['commit', '-qm', msg]);
    return (await git(work, ['rev-parse', 'HEAD'])).out.trim();
  };

  beforeAll(async () => {
    gitPort = await freePort();
    wharf = await WharfProcess.start({ extraArgs: ['--git-port', String(gitPort), '--max-concurrent-builds', '1'] });
    k = new Kubectl(wharf.kubeconfig);
    await k.ok(['create', 'namespace', NS]);
    await k.ok(['apply', '-f', '-'], { stdin: buildWar });
    for (const [sa, role] of [
      ['pusher', 'edit'],
      ['reader', 'view'],
    ]) {
      await k.ok(['create', 'serviceaccount', sa!, '-n', NS]);
      await k.ok([
        'create',
        'rolebinding',
        `${sa}-${role}`,
        `--clusterrole=${role}`,
        `--serviceaccount=${NS}:${sa}`,
        '-n',
        NS,
      ]);
    }
    tokens = {
      pusher: (await k.ok(['create', 'token', 'pusher', '-n', NS])).trim(),
      reader: (await k.ok(['create', 'token', 'reader', '-n', NS])).trim(),
    };
    await k.ok(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'platform.wharf.dev/v1alpha1',
        kind: 'Repository',
        metadata: { name: 'shop', namespace: NS },
        spec: {
          source: { type: 'builtin' },
          concurrency: 'supersede',
          rules: [
            { branches: ['main'], pipelineRef: { name: 'build-war' }, params: [{ name: 'image', value: 'shop' }] },
          ],
        },
      }),
    });
    work = mkdtempSync(join(tmpdir(), 'wharf-git-work-'));
  }, 120_000);

  afterAll(async () => {
    await wharf?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('wharf up prints the git URL and the Repository gets its clone URL', async () => {
    expect(wharf.output).toContain(`git clone http://127.0.0.1:${gitPort}/git/`);
    const cloneURL = await eventually(
      async () =>
        (
          JSON.parse(await k.ok(['get', 'repository', 'shop', '-n', NS, '-o', 'json'])) as {
            status?: { cloneURL?: string };
          }
        ).status?.cloneURL,
      20_000,
      'status.cloneURL',
    );
    expect(cloneURL).toBe(`http://127.0.0.1:${gitPort}/git/${NS}/shop.git`);
  });

  it('a push with the push permission creates the PipelineRun its branch rule names', async () => {
    await git(work, ['init', '-q']);
    const sha = await commit('index.html', '<h1>v1</h1>', 'First page\n\nWith a body line.');
    const pushed = await git(work, ['push', url(tokens.pusher), 'main']);
    expect(pushed.code, pushed.out).toBe(0);
    const [run] = await eventually(
      async () => ((await runs()).length === 1 ? runs() : undefined),
      20_000,
      'a PipelineRun',
    );
    expect(run!.spec.pipelineRef.name).toBe('build-war');
    expect(run!.spec.params).toEqual([
      { name: 'git-url', value: `http://127.0.0.1:${gitPort}/git/${NS}/shop.git` },
      { name: 'git-revision', value: sha },
      { name: 'git-branch', value: 'main' },
      { name: 'image', value: 'shop' },
    ]);
    // The first run of an idle cluster starts at once: no pending status.
    expect(run!.spec.status).toBeUndefined();
    expect(run!.metadata.annotations).toMatchObject({
      'platform.wharf.dev/commit': sha,
      'platform.wharf.dev/author': 'Ann Author <ann@example.com>',
      'platform.wharf.dev/message': 'First page\n\nWith a body line.',
      'platform.wharf.dev/trigger': 'push',
    });
    const [e] = await eventually(
      async () => ((await events()).length ? events() : undefined),
      10_000,
      'a recorded push',
    );
    expect(e).toMatchObject({
      result: 'PipelineRunCreated',
      commit: sha,
      ref: 'refs/heads/main',
      pipelineRun: run!.metadata.name,
    });
  });

  it('a token with view only can clone but not push (403); no token or a bad one is 401', async () => {
    const clone = join(work, '..', `${work.split('/').pop()}-clone`);
    const cloned = await git(tmpdir(), ['clone', '-q', url(tokens.reader), clone]);
    expect(cloned.code, cloned.out).toBe(0);
    expect((await git(clone, ['log', '--format=%s', '-1'])).out.trim()).toBe('First page');
    await commit('x.txt', 'x', 'reader tries');
    const denied = await git(work, ['push', url(tokens.reader), 'main']);
    expect(denied.code).not.toBe(0);
    expect(denied.out).toMatch(/403/);
    await git(work, ['reset', '-q', '--hard', 'HEAD~1']);
    rmSync(clone, { recursive: true, force: true });
    const anonymous = await httpGet({
      host: '127.0.0.1',
      port: gitPort,
      path: `/git/${NS}/shop.git/info/refs?service=git-upload-pack`,
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('Basic');
    const bad = await httpGet({
      host: '127.0.0.1',
      port: gitPort,
      path: `/git/${NS}/shop.git/info/refs?service=git-upload-pack`,
      headers: { authorization: `Basic ${Buffer.from('x:not-a-token').toString('base64')}` },
    });
    expect(bad.status).toBe(401);
    expect((await runs()).length).toBe(1);
  });

  it('a push of a branch no rule matches is accepted and recorded as "no pipeline for branch"', async () => {
    await git(work, ['checkout', '-qb', 'docs']);
    const sha = await commit('README', 'docs', 'Docs only');
    const pushed = await git(work, ['push', url(tokens.pusher), 'docs']);
    expect(pushed.code, pushed.out).toBe(0);
    const e = await eventually(
      async () => (await events()).find((x) => x.ref === 'refs/heads/docs'),
      10_000,
      'the docs push recorded',
    );
    expect(e).toMatchObject({ result: 'NoPipelineForBranch', commit: sha, reason: 'no rule matches branch docs' });
    expect((await runs()).length).toBe(1);
    await git(work, ['checkout', '-q', 'main']);
  });

  it('with one build slot, newer pushes wait pending and supersede the waiting one; a freed slot starts the newest; cancel-running takes the slot', async () => {
    const [first] = await runs();
    await commit('index.html', '<h1>v2</h1>', 'Second');
    expect((await git(work, ['push', url(tokens.pusher), 'main'])).code).toBe(0);
    const second = await eventually(
      async () => (await runs()).find((r) => r.metadata.name !== first!.metadata.name),
      10_000,
      'the second run',
    );
    expect(second.spec.status).toBe('PipelineRunPending');
    const third = await commit('index.html', '<h1>v3</h1>', 'Third');
    expect((await git(work, ['push', url(tokens.pusher), 'main'])).code).toBe(0);
    const all = await eventually(
      async () => ((await runs()).length === 3 ? runs() : undefined),
      10_000,
      'the third run',
    );
    const byName = new Map(all.map((r) => [r.metadata.name, r]));
    const newest = all.find((r) => r.spec.params.find((p) => p.name === 'git-revision')?.value === third)!;
    expect(newest.spec.status).toBe('PipelineRunPending');
    expect(byName.get(second.metadata.name)!.spec.status).toBe('Cancelled');
    expect(byName.get(second.metadata.name)!.metadata.annotations['platform.wharf.dev/superseded-by']).toBe(
      newest.metadata.name,
    );
    // The running build ends (here: is deleted): the queued newest one is started.
    await k.ok(['delete', 'pipelinerun.tekton.dev', first!.metadata.name, '-n', NS]);
    await eventually(
      async () => (await runs()).find((r) => r.metadata.name === newest.metadata.name && r.spec.status === undefined),
      15_000,
      'the queued run started',
    );

    // cancel-running: the next push cancels the run in progress and takes its slot at once.
    await k.ok([
      'patch',
      'repository',
      'shop',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"spec":{"concurrency":"cancel-running"}}',
    ]);
    const fourth = await commit('index.html', '<h1>v4</h1>', 'Fourth');
    expect((await git(work, ['push', url(tokens.pusher), 'main'])).code).toBe(0);
    const latest = await eventually(
      async () => (await runs()).find((r) => r.spec.params.find((p) => p.name === 'git-revision')?.value === fourth),
      10_000,
      'the fourth run',
    );
    expect(latest.spec.status).toBeUndefined();
    const cancelled = (await runs()).find((r) => r.metadata.name === newest.metadata.name)!;
    expect(cancelled.spec.status).toBe('Cancelled');
    expect(cancelled.metadata.annotations['platform.wharf.dev/superseded-by']).toBe(latest.metadata.name);
  });

  it('traversal, unknown repositories, other paths and oversized bodies get clear 4xx answers', async () => {
    const auth = { authorization: `Basic ${Buffer.from(`x:${tokens.pusher}`).toString('base64')}` };
    const get = (path: string, headers: Record<string, string> = auth) =>
      httpGet({ host: '127.0.0.1', port: gitPort, path, headers });
    expect((await get(`/git/${NS}/../../etc.git/info/refs?service=git-upload-pack`)).status).toBe(400);
    expect((await get(`/git/${NS}/shop.git/%2e%2e/config`)).status).toBe(400);
    expect((await get(`/git/${NS}/shop.git/config`)).status).toBe(404);
    expect((await get(`/git/${NS}/shop.git/HEAD`)).status).toBe(404);
    const unknown = await get(`/git/${NS}/nope.git/info/refs?service=git-upload-pack`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain(`repository ${NS}/nope not found`);
    // A push declaring 600 MiB (over the 512 MiB default) is refused before any byte is read.
    const big = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: gitPort,
          method: 'POST',
          path: `/git/${NS}/shop.git/git-receive-pack`,
          agent: false,
          headers: {
            ...auth,
            'content-type': 'application/x-git-receive-pack-request',
            'content-length': String(600 * 1024 * 1024),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', reject);
      req.write('0000');
    });
    expect(big).toBe(413);
    expect((await get('/healthz', {})).status).toBe(200);
  });

  it('runs standalone as `wharf git-server` against the same cluster, with its own data dir', async () => {
    const port = await freePort();
    const data = mkdtempSync(join(tmpdir(), 'wharf-git-standalone-'));
    const child = spawn(
      process.execPath,
      [WHARF_BIN, 'git-server', '--kubeconfig', wharf.kubeconfig, '--port', String(port), '--data', data],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(
        () => out.includes(`git server listening on http://127.0.0.1:${port}`) || undefined,
        30_000,
        'the standalone server',
      );
      // A fresh data dir: the bare repository is created for the Repository, empty.
      const r = await git(work, ['ls-remote', `http://x:${tokens.reader}@127.0.0.1:${port}/git/${NS}/shop.git`]);
      expect(r.code, r.out).toBe(0);
      expect(r.out.trim()).toBe('');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(data, { recursive: true, force: true });
    }
    expect(out).not.toContain(tokens.reader);
  });

  it('repositories survive a restart', async () => {
    await wharf.restart({ extraArgs: ['--git-port', String(gitPort), '--max-concurrent-builds', '1'] });
    const again = mkdtempSync(join(tmpdir(), 'wharf-git-again-'));
    try {
      const cloned = await eventually(
        async () => {
          const r = await git(again, ['clone', '-q', url(tokens.pusher), 'shop']);
          return r.code === 0 ? r : undefined;
        },
        30_000,
        'a clone after the restart',
      );
      expect(cloned.code).toBe(0);
      expect((await git(join(again, 'shop'), ['log', '--format=%s'])).out.trim().split('\n')).toEqual([
        'Fourth',
        'Third',
        'Second',
        'First page',
      ]);
      expect((await git(join(again, 'shop'), ['ls-remote', '--heads', 'origin'])).out).toContain('refs/heads/docs');
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});
