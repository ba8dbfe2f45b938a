// `wharf up --nodes 2` end to end with real runc and CNI: a Debian-built busybox image from the
// built-in registry runs as a Deployment, answers at its pod IPs from the host, logs reach
// kubectl; SIGTERM leaves the containers serving, the next start adopts them, `wharf reset`
// removes everything. Needs root, runc and the CNI plugins (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  httpdDeployment,
  httpText,
  Kubectl,
  runcUnavailable,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();

const deployment = httpdDeployment({
  name: 'web',
  namespace: 'default',
  pagePrefix: 'hello-from-',
  spreadOverNodes: true,
});

describe.skipIf(skip !== '')(`wharf up --nodes 2 ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  const podIPs = async (): Promise<string[]> =>
    (await k.ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}']))
      .split(' ')
      .filter(Boolean);

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '2'] });
    k = new Kubectl(wharf.kubeconfig);
    await run(
      process.execPath,
      [
        WHARF_BIN,
        'image',
        'build-base',
        'busybox:1',
        '--debian-packages',
        'busybox-static',
        '--data-dir',
        wharf.dataDir,
      ],
      { timeout: 120_000 },
    );
  }, 240_000); // the start's own deadline and the image build's, on a loaded machine

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('registers two Ready nodes in zones a and b', async () => {
    const out = await k.ok(['get', 'nodes', '-L', 'topology.kubernetes.io/zone', '--no-headers']);
    expect(out).toMatch(/^node-0\s+Ready.*\sa$/m);
    expect(out).toMatch(/^node-1\s+Ready.*\sb$/m);
  });

  it('runs a Deployment of the busybox image on both nodes, serving HTTP at the pod IPs', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: deployment });
    await k.ok(['rollout', 'status', 'deploy/web', '--timeout=90s'], { timeoutMs: 100_000 });
    const nodes = await k.ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.nodeName}']);
    expect(new Set(nodes.split(' '))).toEqual(new Set(['node-0', 'node-1']));
    for (const ip of await podIPs()) expect(await httpText({ host: ip, port: 8080 })).toMatch(/^hello-from-web-/);
  });

  it('streams container logs through the API server', async () => {
    const pod = (await k.ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    expect(await k.ok(['logs', pod])).toContain('serving');
  });

  it('keeps serving while Wharf is stopped, and the next start adopts the containers', async () => {
    const before = await k.ok([
      'get',
      'pods',
      '-l',
      'app=web',
      '-o',
      'jsonpath={.items[*].status.containerStatuses[0].containerID}',
    ]);
    const ips = await podIPs();
    expect(await wharf.stop()).toBe(0);
    for (const ip of ips) expect(await httpText({ host: ip, port: 8080 })).toMatch(/^hello-from-web-/);
    await wharf.restart({ extraArgs: ['--nodes', '2'] });
    await eventually(
      async () => ((await k.ok(['get', 'nodes', '--no-headers'])).match(/\sReady\s/g)?.length === 2 ? true : undefined),
      30_000,
      'nodes Ready again',
    );
    const after = await k.ok([
      'get',
      'pods',
      '-l',
      'app=web',
      '-o',
      'jsonpath={.items[*].status.containerStatuses[0].containerID}',
    ]);
    expect(after).toBe(before);
    expect(
      await k.ok([
        'get',
        'pods',
        '-l',
        'app=web',
        '-o',
        'jsonpath={.items[*].status.containerStatuses[0].restartCount}',
      ]),
    ).toBe('0 0');
  });

  it('wharf reset removes the containers and network namespaces', async () => {
    const ips = await podIPs();
    // This cluster's sandboxes (wharf-<first 16 hex of the pod uid>), not other runs' on the machine.
    const uids = (await k.ok(['get', 'pods', '-A', '-o', 'jsonpath={.items[*].metadata.uid}']))
      .split(' ')
      .filter(Boolean);
    const sandboxes = uids.map(
      (u) =>
        `wharf-${u
          .toLowerCase()
          .replace(/[^0-9a-z]/g, '')
          .slice(0, 16)}`,
    );
    const netns = (): string[] =>
      execFileSync('ip', ['netns', 'list'])
        .toString()
        .split('\n')
        .map((l) => l.split(' ')[0] ?? '');
    const ours = (): string[] => netns().filter((ns) => sandboxes.some((s) => ns.startsWith(s)));
    expect(ours().length).toBe(sandboxes.length); // each running pod has its namespace, by that name
    expect(await wharf.stop()).toBe(0);
    const { stdout } = await run(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    expect(stdout).toContain('reset 2 node(s)');
    // No traffic is sent to the old pod IPs: with their bridges gone they would route off the machine.
    const routes = execFileSync('ip', ['-o', 'route']).toString();
    for (const ip of ips) expect(routes).not.toContain(ip.split('.').slice(0, 3).join('.'));
    expect(ours()).toEqual([]);
    const procs = execFileSync('ps', ['-eo', 'args']).toString();
    expect(procs).not.toContain(`${wharf.dataDir}/nodes/`);
  });
});
