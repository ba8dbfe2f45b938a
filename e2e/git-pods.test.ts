// The clone step of a triggered build, in a real pod: with nodes, the git server also listens on
// the address pods reach this host at, and writes that URL into the Repository's status and the
// PipelineRun's git-url. A pod (runc, an image of Debian's git) clones the pushed commit with its
// own service-account token; a pod whose account may not read the repository is refused.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
const NS = 'team-b';

describe.skipIf(skip !== '')(`git clone from a pod ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let gitPort: number;
  let work: string;

  beforeAll(async () => {
    gitPort = await freePort();
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1', '--git-port', String(gitPort)] });
    k = new Kubectl(wharf.kubeconfig);
    work = mkdtempSync(join(tmpdir(), 'wharf-git-pods-'));
  }, 180_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    rmSync(work, { recursive: true, force: true });
  });

  it('a pod clones the pushed commit from the URL in the PipelineRun with its service-account token', async () => {
    await run(
      process.execPath,
      [
        WHARF_BIN,
        'image',
        'build-base',
        'git:1',
        '--debian-packages',
        'git,busybox-static',
        '--env',
        'HOME=/tmp',
        '--data-dir',
        wharf.dataDir,
      ],
      { timeout: 300_000 },
    );
    await k.ok(['create', 'namespace', NS]);
    for (const [sa, role] of [
      ['builder', 'view'],
      ['stranger', ''],
    ] as const) {
      await k.ok(['create', 'serviceaccount', sa, '-n', NS]);
      if (role)
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
    await k.ok(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'platform.wharf.dev/v1alpha1',
        kind: 'Repository',
        metadata: { name: 'site', namespace: NS },
        spec: { source: { type: 'builtin' }, rules: [{ branches: ['main'], pipelineRef: { name: 'build' } }] },
      }),
    });
    const cloneURL = await eventually(
      async () =>
        (
          JSON.parse(await k.ok(['get', 'repository', 'site', '-n', NS, '-o', 'json'])) as {
            status?: { cloneURL?: string };
          }
        ).status?.cloneURL,
      20_000,
      'status.cloneURL',
    );
    // Not loopback: the address of the pod range the API is advertised on.
    expect(cloneURL).toMatch(new RegExp(`^http://10\\.\\d+\\.255\\.1:${gitPort}/git/${NS}/site\\.git$`));

    const admin = (await k.ok(['create', 'token', 'builder', '-n', NS])).trim();
    const git = (args: string[]) =>
      run(
        'git',
        [
          '-c',
          'user.name=Ann',
          '-c',
          'user.email=ann@example.com',
          '-c',
          'init.defaultBranch=main',
          '-c',
          'credential.helper=',
          ...args,
        ],
        { cwd: work, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      );
    await git(['init', '-q']);
    writeFileSync(join(work, 'index.html'), '<h1>site</h1>');
    await git(['add', '-A']);
    await git(['commit', '-qm', 'Site from a pod']);
    const sha = (await git(['rev-parse', 'HEAD'])).stdout.trim();
    // Pushed as the cluster admin (the builder account may only read).
    const adminToken = /token: (\S+)/.exec((await import('node:fs')).readFileSync(wharf.kubeconfig, 'utf8'))?.[1] ?? '';
    await git(['push', '-q', `http://x:${adminToken}@127.0.0.1:${gitPort}/git/${NS}/site.git`, 'main']);
    const runUrl = await eventually(
      async () => {
        const items = (
          JSON.parse(await k.ok(['get', 'pipelineruns.tekton.dev', '-n', NS, '-o', 'json'])) as {
            items: { spec: { params: { name: string; value: string }[] } }[];
          }
        ).items;
        return items[0]?.spec.params.find((p) => p.name === 'git-url')?.value;
      },
      20_000,
      'the PipelineRun',
    );
    expect(runUrl).toBe(cloneURL);
    expect(admin.split('.')).toHaveLength(3);

    const pod = (name: string, sa: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: NS },
        spec: {
          serviceAccountName: sa,
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'clone',
              image: 'git:1',
              env: [
                { name: 'URL', value: runUrl },
                { name: 'REV', value: sha },
              ],
              command: [
                '/bin/busybox',
                'sh',
                '-c',
                'H=$(echo "$URL" | sed "s#/git/.*#/healthz#"); echo "reach $(/bin/busybox wget -T 5 -q -O - $H 2>&1)"; T=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token); U=$(echo "$URL" | sed "s#://#://x:$T@#"); cd /tmp && git init -q w && cd w && git fetch -q "$U" "$REV" 2>&1 | sed "s/$T/***/g"; git log -1 --format="cloned %H %s" FETCH_HEAD 2>&1; echo done',
              ],
            },
          ],
        },
      });
    await k.ok(['apply', '-f', '-'], { stdin: `${pod('clone-ok', 'builder')}\n${pod('clone-denied', 'stranger')}` });
    const logs = async (name: string) =>
      eventually(
        async () => {
          const text = await k.ok(['logs', name, '-n', NS]).catch(() => '');
          return text.includes('done') ? text : undefined;
        },
        240_000,
        `${name} logs`,
      ).catch(async (e: Error) => {
        throw new Error(
          `${e.message}\n${await k.ok(['logs', name, '-n', NS]).catch((x: Error) => x.message)}\n${await k.ok(['get', 'pod', name, '-n', NS, '-o', 'yaml']).catch(() => '')}`,
        );
      });
    expect(await logs('clone-ok')).toContain(`cloned ${sha} Site from a pod`);
    const denied = await logs('clone-denied');
    expect(denied).toContain('403');
    expect(denied).not.toContain('cloned');
  }, 600_000);
});
