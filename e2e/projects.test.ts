// Projects end to end with `wharf project` and kubectl 1.32 against `wharf up` (its platform
// controllers): a project creates and labels its namespaces with their quota, adopts an existing
// namespace without rewriting its quota, gives members (service accounts, with their own tokens)
// their role in every namespace of the project and nothing elsewhere, reports quota use per
// namespace and in total, reports a namespace another project holds, and refuses bad input with
// one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, runWharf, WharfProcess, type WharfRun } from '@wharf/testing';

describe('projects: namespaces, members and quota for a team', () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let alice = '';
  const wharfCli = (args: string[]): Promise<WharfRun> =>
    runWharf([...args, '--kubeconfig', wharf.kubeconfig], { timeoutMs: 60_000 });
  const ok = async (args: string[]): Promise<string> => {
    const r = await wharfCli(args);
    if (r.code !== 0) throw new Error(`wharf ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const as = (token: string, args: string[]) => k.run(['--token', token, ...args]);
  const projectReady = (name: string): Promise<unknown> =>
    eventually(
      async () =>
        (await k.ok(['get', 'project', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) ===
        'True',
      30_000,
      `project ${name} ready`,
    );

  beforeAll(async () => {
    wharf = await WharfProcess.start();
    k = new Kubectl(wharf.kubeconfig);
    await k.ok(['create', 'serviceaccount', 'alice']);
    alice = (await k.ok(['create', 'token', 'alice', '--duration=1h'])).trim();
  }, 120_000);

  afterAll(async () => {
    await wharf?.stop();
  });

  it("creates and labels the project's namespaces, each with the project quota and defaults", async () => {
    const out = await ok([
      'project',
      'create',
      'shop',
      '--namespace',
      'shop-dev',
      '--namespace',
      'shop-prod',
      '--quota',
      'pods=4,requests.cpu=2',
      '--default-requests',
      'cpu=100m',
    ]);
    expect(out).toContain('project shop created: namespaces shop-dev, shop-prod');
    await projectReady('shop');
    for (const ns of ['shop-dev', 'shop-prod']) {
      expect(await k.ok(['get', 'ns', ns, '-o', 'jsonpath={.metadata.labels.platform\\.wharf\\.dev/project}'])).toBe(
        'shop',
      );
      expect(
        await k.ok([
          'get',
          'resourcequota',
          'project-quota',
          '-n',
          ns,
          '-o',
          'jsonpath={.spec.hard.pods} {.spec.hard.requests\\.cpu}',
        ]),
      ).toBe('4 2');
      expect(
        await k.ok([
          'get',
          'limitrange',
          'project-defaults',
          '-n',
          ns,
          '-o',
          'jsonpath={.spec.limits[0].defaultRequest.cpu}',
        ]),
      ).toBe('100m');
    }
    expect(await k.ok(['get', 'projects'])).toMatch(/shop\s+\["shop-dev","shop-prod"\]\s+True/);
  });

  it('adopts an existing namespace without rewriting its quota, unless asked', async () => {
    await k.ok(['create', 'namespace', 'legacy']);
    await k.ok(['create', 'quota', 'own', '-n', 'legacy', '--hard=pods=9']);
    await ok(['project', 'create', 'old', '--namespace', 'legacy', '--quota', 'pods=1']);
    await projectReady('old');
    expect(
      await k.ok(['get', 'ns', 'legacy', '-o', 'jsonpath={.metadata.labels.platform\\.wharf\\.dev/project}']),
    ).toBe('old');
    expect((await k.ok(['get', 'resourcequota', '-n', 'legacy', '-o', 'name'])).trim()).toBe('resourcequota/own');
    await ok(['project', 'quota', 'old', 'pods=2', '--quota-existing']);
    await eventually(
      async () =>
        (await k.run(['get', 'resourcequota', 'project-quota', '-n', 'legacy', '-o', 'jsonpath={.spec.hard.pods}']))
          .stdout === '2',
      30_000,
      'the quota applied when asked',
    );
    expect(await k.ok(['get', 'resourcequota', 'own', '-n', 'legacy', '-o', 'jsonpath={.spec.hard.pods}'])).toBe('9');
  });

  it('gives a member their role in every namespace of the project and nothing elsewhere', async () => {
    expect((await as(alice, ['get', 'configmaps', '-n', 'shop-dev'])).code).not.toBe(0);
    expect(
      await ok(['project', 'add-member', 'shop', '--service-account', 'default/alice', '--role', 'developer']),
    ).toContain('serviceaccount default/alice is developer of project shop');
    await eventually(
      async () =>
        (await as(alice, ['create', 'configmap', 'settings', '-n', 'shop-dev', '--from-literal=a=b'])).code === 0,
      30_000,
      'alice may create in shop-dev',
    );
    expect(
      (await as(alice, ['create', 'deployment', 'web', '-n', 'shop-prod', '--image=busybox:1', '--replicas=0'])).code,
    ).toBe(0);
    const elsewhere = await as(alice, ['create', 'configmap', 'x', '-n', 'legacy', '--from-literal=a=b']);
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toContain('forbidden');
    // A developer edits workloads but does not manage who else may.
    const rbac = await as(alice, [
      'create',
      'rolebinding',
      'sneak',
      '-n',
      'shop-dev',
      '--clusterrole=admin',
      '--user=mallory',
    ]);
    expect(rbac.code).not.toBe(0);
    expect(rbac.stderr).toContain('forbidden');
    // Members read their Project (not the others', nor the list of all).
    await eventually(
      async () =>
        (await as(alice, ['get', 'project', 'shop', '-o', 'name'])).stdout.trim() ===
          'project.platform.wharf.dev/shop' || undefined,
      30_000,
      'alice reads project shop',
    );
    expect((await as(alice, ['get', 'projects'])).stderr).toContain('forbidden');
  });

  it('reports quota use per namespace and in total', async () => {
    await k.ok(['run', 'p1', '-n', 'shop-dev', '--image=busybox:1', '--restart=Never', '--', 'sleep', '1']);
    await k.ok(['run', 'p2', '-n', 'shop-prod', '--image=busybox:1', '--restart=Never', '--', 'sleep', '1']);
    await eventually(
      async () => (await k.ok(['get', 'project', 'shop', '-o', 'jsonpath={.status.total.used.pods}'])) === '2',
      30_000,
      'two pods counted',
    );
    const out = await ok(['project', 'get', 'shop']);
    expect(out).toMatch(/shop-dev\s+Created\s+.*pods=1.*\s+.*pods=4/);
    expect(out).toContain('Total:       used pods=2,requests.cpu=200m of pods=8,requests.cpu=4');
    expect(out).toMatch(/default\/alice\s+ServiceAccount\s+developer/);
  });

  it('takes a member out again', async () => {
    await ok(['project', 'remove-member', 'shop', '--service-account', 'default/alice']);
    await eventually(
      async () => (await as(alice, ['get', 'configmaps', '-n', 'shop-dev'])).code !== 0,
      30_000,
      'alice loses access',
    );
    await eventually(
      async () => (await as(alice, ['get', 'project', 'shop'])).code !== 0 || undefined,
      30_000,
      'alice no longer reads the project',
    );
    const again = await wharfCli(['project', 'remove-member', 'shop', '--service-account', 'default/alice']);
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim()).toBe('wharf: serviceaccount alice is not a member of project shop');
  });

  it('reports a namespace another project holds, and leaves it to that project', async () => {
    await ok(['project', 'create', 'rival', '--namespace', 'shop-dev']);
    await eventually(
      async () =>
        (await k.ok(['get', 'project', 'rival', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].reason}'])) ===
        'NamespaceConflict',
      30_000,
      'the conflict reported',
    );
    expect(await ok(['project', 'get', 'rival'])).toContain('namespace(s) shop-dev belong to another project');
    expect(
      await k.ok(['get', 'ns', 'shop-dev', '-o', 'jsonpath={.metadata.labels.platform\\.wharf\\.dev/project}']),
    ).toBe('shop');
  });

  it('refuses bad input with one line and a non-zero exit', async () => {
    for (const [args, message] of [
      [
        ['project', 'add-member', 'shop', '--user', 'x', '--role', 'owner'],
        'wharf: --role must be one of admin, developer, viewer, got "owner"',
      ],
      [
        ['project', 'add-member', 'shop', '--user', 'x', '--group', 'y', '--role', 'viewer'],
        'wharf: name exactly one member: --user NAME, --group NAME or --service-account NS/NAME',
      ],
      [['project', 'get', 'nope'], 'wharf: project nope not found'],
      [['project', 'create', 'shop', '--namespace', 'a'], 'wharf: project shop already exists'],
      [['project', 'quota', 'shop', 'pods'], 'wharf: quota: "pods" is not KEY=VALUE'],
    ] as const) {
      const r = await wharfCli([...args]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim()).toBe(message);
    }
  });
});
