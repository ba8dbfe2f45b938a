// `wharf cluster upgrade` on a real 2-node cluster (runc pods, real kubectl): created at 1.31, it
// serves flowcontrol v1beta3; skipping to 1.33 is refused with the path; a FlowSchema stored as
// v1beta3 and the missing backup are preflight blockers; after a backup and rewriting the object
// as v1 the plan is a go; --yes upgrades the control plane, then each node (cordon, drain, agent,
// uncordon, validate) while its Service answers every request, `kubectl version` says 1.32 and
// the Deployment's pods still run; the nodes' agents (processes of their own, `nodeProcesses`)
// keep 1.31 through the control-plane step and are restarted for 1.32 one at a time, so every
// node reports it at the end; killed with -9 in the node phase of the next upgrade, `upgrade`
// again resumes and finishes with every node at 1.33. The same cluster on the etcd store (a member
// `wharf up` runs in the data dir): the stored-version blocker read from etcd, an etcd snapshot as
// the backup and the first step, and the upgrade under load (the refusals and the resume after
// kill -9 do not depend on the store and run once, on SQLite).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Kubectl,
  WHARF_BIN,
  etcdUnavailable,
  eventually,
  freeClusterPorts,
  httpText,
  runcUnavailable,
  runWharf,
  steadyRequests,
  type WharfRun,
} from '@wharf/testing';

const wharfCli = (args: string[], timeoutMs = 900_000): Promise<WharfRun> => runWharf(args, { timeoutMs });

const skip = runcUnavailable();
const skipEtcd = skip || (etcdUnavailable() ?? '');

const app = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: busybox:1
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && httpd -f -p 8080 -h /www"]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
        # Serves on while the Service's rules drop the evicted pod, as upstream's graceful shutdown.
        lifecycle: {preStop: {exec: {command: [sleep, "2"]}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: default}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
`;

const legacyFlowSchema = `
apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
kind: FlowSchema
metadata: {name: legacy}
spec:
  priorityLevelConfiguration: {name: workload-low}
  matchingPrecedence: 1000
  rules:
  - subjects: [{kind: Group, group: {name: system:authenticated}}]
    resourceRules: [{verbs: ["*"], apiGroups: ["*"], resources: ["*"], namespaces: ["*"]}]
`;

/** The suite on one store; `everything` adds what does not depend on the store. */
const upgradeSuite = (store: 'sqlite' | 'etcd', skipped: string, everything: boolean): void => {
  describe.skipIf(skipped !== '')(`wharf cluster upgrade on ${store} ${skipped}`, () => {
    const dir = mkdtempSync(join(tmpdir(), `wharf-upgrade-${store}-`));
    const state = join(dir, 'state');
    const dataDir = join(dir, 'data');
    const file = join(dir, 'up.yaml');
    const cli = (...args: string[]): Promise<WharfRun> => wharfCli([...args, '--state', state]);
    const k = (): Kubectl => new Kubectl(join(dataDir, 'kubeconfig'));
    const serverVersion = async (): Promise<string> =>
      (JSON.parse(await k().ok(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string } }).serverVersion
        .gitVersion;
    const versions = async (): Promise<string> =>
      (
        await k().ok([
          'get',
          'nodes',
          '-o',
          'jsonpath={range .items[*]}{.metadata.name}={.status.nodeInfo.kubeletVersion} {end}',
        ])
      ).trim();
    const webRunning = async (): Promise<number> => {
      const pods = JSON.parse(await k().ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as {
        items: {
          metadata: { deletionTimestamp?: string };
          status: { phase?: string; conditions?: { type: string; status: string }[] };
        }[];
      };
      return pods.items.filter(
        (p) =>
          !p.metadata.deletionTimestamp &&
          p.status.phase === 'Running' &&
          p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
    };

    beforeAll(async () => {
      const ports = await freeClusterPorts();
      writeFileSync(
        file,
        `apiVersion: wharf.dev/v1alpha1
kind: Cluster
metadata: {name: up}
spec:
  version: "1.31"
  nodes: 2
  nodeProcesses: true
  controlPlane: {store: ${store}}
  addons: {platform: false, monitoring: false}
  ports: ${JSON.stringify(ports)}
  dataDir: ${dataDir}
`,
      );
    });

    afterAll(async () => {
      if (existsSync(join(state, 'up'))) await cli('cluster', 'delete', 'up', '--yes');
      rmSync(dir, { recursive: true, force: true });
    }, 180_000);

    it("creates a 1.31 cluster serving 1.31's APIs, with a Deployment running on both nodes", async () => {
      const made = await cli('cluster', 'create', '-f', file, '--yes');
      expect(made.code, made.stderr).toBe(0);
      // The store asked for: on etcd, the member `wharf up` runs in the data dir, and no SQLite file.
      expect(existsSync(join(dataDir, 'etcd', 'member.json'))).toBe(store === 'etcd');
      expect(existsSync(join(dataDir, 'wharf.db'))).toBe(store === 'sqlite');
      expect(await serverVersion()).toBe('v1.31.13');
      await eventually(
        async () => ((await versions()) === 'node-0=v1.31.13-wharf node-1=v1.31.13-wharf' ? true : undefined),
        180_000,
        'both agents report 1.31.13',
      );
      expect((await k().ok(['api-versions'])).split('\n')).toEqual(
        expect.arrayContaining(['flowcontrol.apiserver.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1beta3']),
      );
      await k().ok(['wait', '--for=condition=Ready', 'node/node-0', 'node/node-1', '--timeout=180s'], {
        timeoutMs: 190_000,
      });
      const built = await wharfCli(
        ['image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', dataDir],
        300_000,
      );
      expect(built.code, built.stderr).toBe(0);
      await k().ok(['apply', '-f', '-'], { stdin: app });
      await eventually(async () => ((await webRunning()) === 2 ? true : undefined), 240_000, 'web has 2 Ready pods');
    }, 900_000);

    if (everything)
      it('refuses to skip a minor, naming the path, and changes nothing', async () => {
        const skipped = await cli('cluster', 'upgrade', 'up', '--to', '1.33', '--yes');
        expect(skipped).toMatchObject({
          code: 1,
          stderr:
            'wharf: upgrade refused: 1.31.13 -> 1.33.5 skips a minor: upgrade one minor at a time (1.31 -> 1.32 -> 1.33); next: --to 1.32\n',
        });
        expect((await cli('cluster', 'upgrade', 'up', '--to', '1.30')).stderr).toBe(
          'wharf: --to: Kubernetes version "1.30" is not served: this Wharf serves 1.31, 1.32, 1.33 (X.Y or X.Y.Z)\n',
        );
        expect(await serverVersion()).toBe('v1.31.13');
      }, 120_000);

    it('a FlowSchema stored as v1beta3 and no backup are blockers: no-go, even with --yes', async () => {
      const applied = await k().run(['apply', '-f', '-'], { stdin: legacyFlowSchema });
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stderr).toContain(
        'flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema',
      );
      for (const yes of [[], ['--yes']]) {
        const plan = await cli('cluster', 'upgrade', 'up', '--to', '1.32', ...yes);
        expect(plan.code).toBe(1);
        expect(plan.stdout).toContain('Upgrade plan for cluster up: Kubernetes 1.31.13 -> 1.32.9');
        expect(plan.stdout).toContain(
          '1.32.9 stops serving flowcontrol.apiserver.k8s.io/v1beta3 (use flowcontrol.apiserver.k8s.io/v1)',
        );
        expect(plan.stdout).toContain(
          'BLOCKER 1 object(s) stored as flowcontrol.apiserver.k8s.io/v1beta3, which 1.32 no longer serves: flowcontrol.apiserver.k8s.io/flowschemas/legacy',
        );
        expect(plan.stdout).toContain('BLOCKER no backup of the cluster: run wharf cluster backup first');
        expect(plan.stdout).toMatch(
          /RISK {4}flowcontrol\.apiserver\.k8s\.io\/v1beta3 was requested \d+ time\(s\) in the last 24 h \(audit log\)/,
        );
        expect(plan.stderr).toBe('wharf: no-go: 2 blockers (listed above); nothing changed\n');
      }
      expect(await serverVersion()).toBe('v1.31.13');
    }, 180_000);

    it('after a backup and rewriting the object as v1 the plan is a go, and nothing changes without --yes', async () => {
      const asV1 = await k().ok(['get', 'flowschemas.v1.flowcontrol.apiserver.k8s.io', 'legacy', '-o', 'json']);
      expect(JSON.parse(asV1)).toMatchObject({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1' });
      await k().ok(['replace', '-f', '-'], { stdin: asV1 });
      const backup = await cli('cluster', 'backup', 'up');
      expect(backup.code, backup.stderr).toBe(0);
      const path = /to (\/\S+\.tar\.gz)$/m.exec(backup.stdout)?.[1] ?? '';
      expect(backup.stdout).toContain('Backed up cluster up (Kubernetes 1.31.13) to ');
      expect(existsSync(path)).toBe(true);
      const plan = await cli('cluster', 'upgrade', 'up', '--to', '1.32');
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(plan.stdout).not.toContain('BLOCKER');
      expect(plan.stdout).toMatch(/GO: no blockers, \d+ risks?\n/);
      expect(plan.stdout).toContain('Nothing changed. Run again with --yes to upgrade.');
      expect(await serverVersion()).toBe('v1.31.13');
    }, 180_000);

    it('--yes upgrades the control plane, then each node in turn, the Service answering throughout; kubectl version says 1.32 and the pods still run', async () => {
      const clusterIP = (await k().ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
      await eventually(
        async () =>
          (await httpText({ host: clusterIP, port: 80 }).catch(() => '')).startsWith('web-') ? true : undefined,
        60_000,
        'the Service answers',
      );
      const load = steadyRequests({ host: clusterIP, port: 80 }, /^web-/);
      const done = await cli('cluster', 'upgrade', 'up', '--to', '1.32', '--yes');
      const { requests, failures } = await load.stop();
      expect(done.code, done.stdout + done.stderr).toBe(0);
      expect(failures, done.stdout).toEqual([]);
      expect(requests).toBeGreaterThan(20);
      const at = (s: string): number => done.stdout.indexOf(s);
      expect(at('] snapshot')).toBeGreaterThan(-1);
      expect(at('] control-plane')).toBeGreaterThan(at('] snapshot'));
      expect(at('] node/node-0/cordon')).toBeGreaterThan(at('] validate-control-plane'));
      expect(at('] node/node-0/drain')).toBeGreaterThan(at('] node/node-0/cordon'));
      expect(at('] node/node-1/cordon')).toBeGreaterThan(at('] node/node-0/validate'));
      // Each agent was restarted for the new version in its own node's step, after the control plane.
      expect(done.stdout).toMatch(/\] node\/node-0\/agent\n\s+reports v1\.32\.9-wharf/);
      expect(done.stdout).toMatch(/\] node\/node-1\/agent\n\s+reports v1\.32\.9-wharf/);
      expect(await versions()).toBe('node-0=v1.32.9-wharf node-1=v1.32.9-wharf');
      expect(done.stdout).toContain('Cluster up upgraded to 1.32.9.');
      expect(await serverVersion()).toBe('v1.32.9');
      expect((await k().ok(['api-versions'])).split('\n')).not.toContain('flowcontrol.apiserver.k8s.io/v1beta3');
      expect((await k().run(['get', '--raw', '/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas'])).code).not.toBe(
        0,
      );
      expect(await k().ok(['get', 'flowschema', 'legacy', '-o', 'jsonpath={.apiVersion}'])).toBe(
        'flowcontrol.apiserver.k8s.io/v1',
      );
      await eventually(
        async () => ((await webRunning()) === 2 ? true : undefined),
        180_000,
        'web has 2 Ready pods after the upgrade',
      );
      expect(await k().ok(['get', 'nodes', '-o', 'jsonpath={.items[*].spec.unschedulable}'])).toBe('');
      expect((await cli('cluster', 'get', 'up')).stdout).toMatch(/version\s+1\.32\.9\s+v1\.32\.9/);
    }, 1_200_000);

    if (everything)
      it('killed with -9 in the node phase, upgrade again resumes where it stopped and finishes', async () => {
        const child = spawn(
          process.execPath,
          [WHARF_BIN, 'cluster', 'upgrade', 'up', '--to', '1.33', '--yes', '--state', state],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let text = '';
        child.stdout.on('data', (d: Buffer) => (text += d.toString()));
        child.stderr.on('data', (d: Buffer) => (text += d.toString()));
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        await eventually(
          async () => (text.includes('] node/node-0/drain') ? true : undefined),
          600_000,
          `the upgrade reaches node-0's drain:\n${text}`,
        );
        child.kill('SIGKILL');
        await exited;
        // Killed while the node phase ran: the control plane is done, the nodes are not.
        const progress = JSON.parse(readFileSync(join(state, 'up', 'upgrade.json'), 'utf8')) as {
          to: string;
          steps: string[];
          done: { step: string }[];
        };
        expect(progress.to).toBe('1.33.5');
        const done = progress.done.map((d) => d.step);
        expect(done.slice(0, 4)).toEqual(['snapshot', 'control-plane', 'validate-control-plane', 'node/node-0/cordon']);
        const next = progress.steps[done.length] ?? '';
        expect(next).toMatch(/^node\//);
        expect(await serverVersion()).toBe('v1.33.5');

        const other = await cli('cluster', 'upgrade', 'up', '--to', '1.32.9');
        expect(other.stderr).toBe(
          `wharf: an upgrade of up to 1.33.5 is unfinished (next step: ${next}): run wharf cluster upgrade up --to 1.33.5 --yes to finish it\n`,
        );
        const preview = await cli('cluster', 'upgrade', 'up', '--to', '1.33');
        expect(preview.stdout).toContain(
          `Resuming the upgrade of cluster up 1.32.9 -> 1.33.5: ${done.length} of 14 steps done, next: ${next}\nNothing changed.`,
        );
        const resumed = await cli('cluster', 'upgrade', 'up', '--to', '1.33', '--yes');
        expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
        expect(resumed.stdout).not.toContain('] control-plane');
        expect(resumed.stdout).toContain(`[${done.length + 1}/14] ${next}`);
        expect(resumed.stdout).toContain('Cluster up upgraded to 1.33.5.');
        expect(await serverVersion()).toBe('v1.33.5');
        expect(await versions()).toBe('node-0=v1.33.5-wharf node-1=v1.33.5-wharf');
        expect(await k().ok(['get', 'nodes', '-o', 'jsonpath={.items[*].spec.unschedulable}'])).toBe('');
        await eventually(
          async () => ((await webRunning()) === 2 ? true : undefined),
          180_000,
          'web has 2 Ready pods after the resumed upgrade',
        );
      }, 1_500_000);
  });
};

upgradeSuite('sqlite', skip, true);
upgradeSuite('etcd', skipEtcd, false);
