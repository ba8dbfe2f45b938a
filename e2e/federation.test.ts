// Seed HA scenario 6, federated clusters, on this machine: a host cluster (control plane only, the
// federation controller in its platform) and two member clusters with one runc node each, separate
// data dirs and ports. One Application placed on both runs one replica on each. Every node of one
// member fails (`wharf node fail`): its share moves to the other, whose URL answers throughout;
// when the node is restored the share moves back, again without a failed request on the survivor.
// The same when a member's API stops answering (its `wharf up` stopped) and comes back.
// Deleting the Application removes the copies from both members.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBusyboxImage,
  eventually,
  httpGet,
  Kubectl,
  runcUnavailable,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
/** The members' nodes go NotReady 6 s after their agent stops, so a failure is seen quickly. */
// A member's failed node is noticed within the grace period: heartbeats checked every second, not 5.
const MEMBER = ['--nodes', '1', '--node-monitor-grace-period', '6', '--node-monitor-period', '1'];

const APP = `
apiVersion: platform.wharf.dev/v1alpha1
kind: Application
metadata: {name: hello, namespace: fed}
spec:
  placement: {clusters: [east, west]}
  rollout: {analysisSeconds: 2, progressDeadlineSeconds: 90}
  components:
  - name: web
    runtime:
      image: "busybox:1"
      command: [sh, -c, "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
    replicas: 2
    ports: [{name: http, port: 8080}]
    expose: {host: hello.localhost}
`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl JSON output, read field by field
type Json = Record<string, any>;

interface Placed {
  cluster: string;
  healthy: boolean;
  replicas: number;
  readyReplicas: number;
  message?: string;
}

/** Sequential GETs through a member's Ingress gateway until stopped; failures are kept. */
class Load {
  ok = 0;
  readonly failed: string[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly port: number) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const r = await httpGet({
        host: '127.0.0.1',
        port: this.port,
        path: '/',
        headers: { host: 'hello.localhost' },
        timeoutMs: 10_000,
      }).catch((e: Error) => ({ status: 0, text: e.message }));
      if (r.status === 200) this.ok++;
      else this.failed.push(`${r.status} ${r.text.slice(0, 200)}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

describe.skipIf(skip)('federation: one Application placed on two clusters', () => {
  let host: WharfProcess;
  let east: WharfProcess;
  let west: WharfProcess;
  let h: Kubectl;
  let e: Kubectl;
  let w: Kubectl;

  const placement = async (): Promise<Placed[]> =>
    (JSON.parse(await h.ok(['get', 'applications.platform.wharf.dev', 'hello', '-n', 'fed', '-o', 'json'])) as Json)
      .status?.placement ?? [];
  const copyReplicas = async (k: Kubectl): Promise<string> =>
    k.ok([
      'get',
      'applications.platform.wharf.dev',
      'hello',
      '-n',
      'fed',
      '-o',
      'jsonpath={.spec.components[0].replicas}/{.status.components[0].readyReplicas}',
    ]);
  const placedAs = (want: Record<string, [number, number]>) => async () => {
    const p = await placement();
    const got = Object.fromEntries(p.map((x) => [x.cluster, [x.replicas, x.readyReplicas]]));
    return JSON.stringify(got) === JSON.stringify(want) ? p : undefined;
  };

  beforeAll(async () => {
    [host, east, west] = await Promise.all([
      WharfProcess.start(),
      WharfProcess.start({ extraArgs: MEMBER }),
      WharfProcess.start({ extraArgs: MEMBER }),
    ]);
    h = new Kubectl(host.kubeconfig);
    e = new Kubectl(east.kubeconfig);
    w = new Kubectl(west.kubeconfig);
    // Each member pulls `busybox:1` from its own registry (the same digest from the same inputs).
    await Promise.all([east, west].map((m) => buildBusyboxImage(m.dataDir)));
    await h.ok(['create', 'namespace', 'wharf-platform']).catch(() => '');
    for (const [name, m] of [
      ['east', east],
      ['west', west],
    ] as const) {
      await h.ok([
        'create',
        'secret',
        'generic',
        `${name}-kubeconfig`,
        '-n',
        'wharf-platform',
        `--from-file=kubeconfig=${m.kubeconfig}`,
      ]);
      await h.ok(['apply', '-f', '-'], {
        stdin: `
apiVersion: platform.wharf.dev/v1alpha1
kind: MemberCluster
metadata: {name: ${name}, labels: {zone: ${name}}}
spec: {kubeconfigSecret: {name: ${name}-kubeconfig}}
`,
      });
    }
  }, 300_000);

  afterAll(async () => {
    for (const m of [host, east, west]) {
      await m?.stop();
      if (m) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', m.dataDir]);
    }
  }, 120_000);

  it('reports each member Ready with its nodes and version; a bad kubeconfig says so', async () => {
    await eventually(
      async () => {
        const out = await h.ok([
          'get',
          'memberclusters.platform.wharf.dev',
          '-o',
          'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[0].status}/{.status.readyNodes}/{.status.version};{end}',
        ]);
        return /east=True\/1\/v1\.\d+\.\d+;west=True\/1\/v1\.\d+\.\d+;/.test(out) ? out : undefined;
      },
      60_000,
      'both members Ready',
    );
    await h.ok([
      'create',
      'secret',
      'generic',
      'bad-kubeconfig',
      '-n',
      'wharf-platform',
      '--from-literal=kubeconfig=[not yaml',
    ]);
    await h.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: platform.wharf.dev/v1alpha1
kind: MemberCluster
metadata: {name: bad}
spec: {kubeconfigSecret: {name: bad-kubeconfig}}
`,
    });
    const reason = await eventually(
      async () =>
        (await h.ok([
          'get',
          'memberclusters.platform.wharf.dev',
          'bad',
          '-o',
          'jsonpath={.status.conditions[0].reason}',
        ])) || undefined,
      30_000,
      'the bad member reported',
    );
    expect(reason).toBe('InvalidKubeconfig');
    await h.ok(['delete', 'memberclusters.platform.wharf.dev', 'bad']);
  }, 120_000);

  it('refuses a placement that names clusters and a selector at once', async () => {
    await h.ok(['create', 'namespace', 'fed']);
    const r = await h.run(['apply', '-f', '-'], {
      stdin: APP.replace(
        'placement: {clusters: [east, west]}',
        'placement: {clusters: [east], clusterSelector: {matchLabels: {zone: west}}}',
      ),
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('give one of clusters and clusterSelector');
  });

  it('runs one replica on each member, and none on the host', async () => {
    await h.ok(['apply', '-f', '-'], { stdin: APP });
    await eventually(placedAs({ east: [1, 1], west: [1, 1] }), 180_000, 'one ready replica on each member');
    expect(await copyReplicas(e)).toBe('1/1');
    expect(await copyReplicas(w)).toBe('1/1');
    expect(await h.ok(['get', 'deployments', '-n', 'fed', '-o', 'name'])).toBe('');
    // The copy says where it came from.
    expect(
      await e.ok([
        'get',
        'applications.platform.wharf.dev',
        'hello',
        '-n',
        'fed',
        '-o',
        "jsonpath={.metadata.annotations['platform\\.wharf\\.dev/federated-from']}",
      ]),
    ).toMatch(/\/fed\.hello$/);
  }, 240_000);

  it('moves the share of a member whose nodes all failed, and back once restored, without a failed request', async () => {
    const load = new Load(east.ingressPort);
    try {
      await eventually(async () => (load.ok >= 5 ? true : undefined), 30_000, 'east answers');
      await run(process.execPath, [WHARF_BIN, 'node', 'fail', 'node-0', '--data-dir', west.dataDir]);
      const moved = await eventually(placedAs({ east: [2, 2], west: [0, 0] }), 120_000, 'both replicas on east');
      expect(moved.find((p) => p.cluster === 'west')?.healthy).toBe(false);
      expect(await copyReplicas(e)).toBe('2/2');
      await run(process.execPath, [WHARF_BIN, 'node', 'restore', 'node-0', '--data-dir', west.dataDir]);
      await eventually(placedAs({ east: [1, 1], west: [1, 1] }), 180_000, 'one replica on each member again');
      const before = load.ok;
      await eventually(async () => (load.ok >= before + 5 ? true : undefined), 30_000, 'east still answers');
    } finally {
      await load.stop();
    }
    expect(load.failed).toEqual([]);
    expect(load.ok).toBeGreaterThan(20);
  }, 420_000);

  it('moves the share of a member whose API stops answering, and back once it answers again', async () => {
    const load = new Load(east.ingressPort);
    try {
      await west.stop();
      const moved = await eventually(placedAs({ east: [2, 2], west: [0, 0] }), 120_000, 'both replicas on east');
      expect(moved.find((p) => p.cluster === 'west')?.message).toContain('does not answer');
      expect(
        await h.ok([
          'get',
          'memberclusters.platform.wharf.dev',
          'west',
          '-o',
          'jsonpath={.status.conditions[0].reason}',
        ]),
      ).toBe('Unreachable');
      await west.restart({ extraArgs: MEMBER });
      await eventually(placedAs({ east: [1, 1], west: [1, 1] }), 180_000, 'one replica on each member again');
    } finally {
      await load.stop();
    }
    expect(load.failed).toEqual([]);
  }, 420_000);

  it('removes the copies from the members when the Application is deleted', async () => {
    await h.ok(['delete', 'applications.platform.wharf.dev', 'hello', '-n', 'fed', '--wait=true', '--timeout=60s']);
    for (const k of [e, w])
      await eventually(
        async () =>
          (await k.ok(['get', 'applications.platform.wharf.dev', '-n', 'fed', '-o', 'name'])) === '' ? true : undefined,
        30_000,
        'the copy is gone',
      );
  }, 120_000);
});
