// Seed scenario 9: a control plane that survives losing a member. `wharf up --store etcd
// --control-plane-members 3` runs three etcd members and three API servers behind one address
// (the kubeconfig's server). Under 8 concurrent client-node writers creating and updating
// ConfigMaps through that address, `kill -9` an API server, then the etcd leader: writes are
// acknowledged again within 5 s of each kill, every acknowledged write is readable afterwards with
// its value, a client-node informer saw every acknowledged value (its watch resumed, no event
// missed), and each killed member is started again by `wharf up` and healthy on its own.
// Needs etcd (etcd-server); no nodes, so no root.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { ADD, CoreV1Api, ERROR, KubeConfig, ListWatch, UPDATE, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdUnavailable, eventually, processAlive, runWharf, WHARF_BIN, WharfProcess } from '@wharf/testing';

const skip = etcdUnavailable();
const NS = 'default';
const WRITERS = 8;
/** A writer creates a new ConfigMap every this many writes and updates its latest one in between. */
const CREATE_EVERY = 4;
const ARGS = ['--store', 'etcd', '--control-plane-members', '3', '--no-platform'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface ControlPlaneRecord {
  readonly apiPorts: readonly number[];
  readonly pids: Record<string, number>;
}
interface MemberRecord {
  readonly clientPort: number;
  readonly pid: number;
}

describe.skipIf(skip !== '')(`a control plane of three members ${skip}`, () => {
  let wharf: WharfProcess;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let ca: string;
  const record = <T>(path: string): T => JSON.parse(readFileSync(join(wharf.dataDir, path), 'utf8')) as T;
  const etcdUrl = (i: number): string => `http://127.0.0.1:${record<MemberRecord>(`etcd-${i}/member.json`).clientPort}`;

  /** Whether the API server on loopback `port` answers /readyz. */
  const readyz = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/readyz', ca, timeout: 2_000, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  /** etcd's own status of member `i` (its JSON gateway), or undefined when it does not answer. */
  const etcdStatus = async (i: number): Promise<{ header: { member_id: string }; leader: string } | undefined> => {
    try {
      const res = await fetch(`${etcdUrl(i)}/v3/maintenance/status`, {
        method: 'POST',
        body: '{}',
        signal: AbortSignal.timeout(2_000),
      });
      return res.ok ? ((await res.json()) as { header: { member_id: string }; leader: string }) : undefined;
    } catch {
      return undefined;
    }
  };

  beforeAll(async () => {
    wharf = await WharfProcess.start({
      port: 23200,
      extraArgs: ARGS,
      readyTimeoutMs: 240_000,
    });
    kc = new KubeConfig();
    kc.loadFromFile(wharf.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    ca = Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString('utf8');
  }, 300_000);

  afterAll(async () => {
    if (!wharf) return;
    await wharf.stop();
    execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('serves one address: the kubeconfig names the balancer, three API servers and three etcd members answer', async () => {
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:23200');
    const cp = record<ControlPlaneRecord>('control-plane.json');
    expect(cp.apiPorts).toHaveLength(3);
    expect(await Promise.all(cp.apiPorts.map(readyz))).toEqual([true, true, true]);
    const statuses = await Promise.all([0, 1, 2].map(etcdStatus));
    expect(new Set(statuses.map((s) => s?.leader)).size).toBe(1); // one leader all three agree on
    // `wharf cluster validate` lists the members and their health (it fails only for want of nodes here).
    const v = await runWharf(['cluster', 'validate', '--kubeconfig', wharf.kubeconfig, '-o', 'json']);
    const report = JSON.parse(v.stdout) as {
      apiServers: { name: string; healthy: boolean }[];
      etcd: { name: string; healthy: boolean }[];
      findings: { kind: string; message: string }[];
    };
    expect(report.apiServers.map((m) => `${m.name} ${m.healthy}`)).toEqual([
      'apiserver-0 true',
      'apiserver-1 true',
      'apiserver-2 true',
    ]);
    expect(report.etcd.map((m) => `${m.name} ${m.healthy}`)).toEqual([
      'etcd wharf-0 true',
      'etcd wharf-1 true',
      'etcd wharf-2 true',
    ]);
    expect(report.findings.map((f) => f.message)).toEqual(['the cluster has no nodes']);
  });

  it(
    'loses no acknowledged write and no watch event when an API server, then the etcd leader, is killed',
    { timeout: 300_000 },
    async () => {
      // What the informer saw: each ConfigMap's values, in order.
      const seen = new Map<string, string[]>();
      const note = (cm: V1ConfigMap): void => {
        const name = cm.metadata?.name ?? '';
        if (!name.startsWith('w')) return;
        seen.set(name, [...(seen.get(name) ?? []), cm.data?.v ?? '']);
      };
      const informer = new ListWatch<V1ConfigMap>(
        `/api/v1/namespaces/${NS}/configmaps`,
        new Watch(kc),
        () => core.listNamespacedConfigMap({ namespace: NS }),
        false,
      );
      informer.on(ADD, note);
      informer.on(UPDATE, note);
      // A watch cut by a killed API server ends in an error; started again, it resumes from its last resourceVersion.
      let resumes = 0;
      informer.on(ERROR, () => {
        resumes++;
        void sleep(100).then(() => informer.start());
      });
      await informer.start();

      // The writers: values acknowledged (and the highest sent) per ConfigMap.
      const acked = new Map<string, string[]>();
      const sentMax = new Map<string, number>();
      const lastAckSentAt = Array<number>(WRITERS).fill(0);
      let stop = false;
      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        let name = '';
        for (let v = 0; !stop; v++) {
          const creating = v % CREATE_EVERY === 0;
          if (creating) name = `w${w}-${v / CREATE_EVERY}`;
          const body = { metadata: { name }, data: { v: String(v) } };
          sentMax.set(name, v);
          const sent = performance.now();
          try {
            if (creating) await core.createNamespacedConfigMap({ namespace: NS, body });
            else await core.replaceNamespacedConfigMap({ name, namespace: NS, body });
            acked.set(name, [...(acked.get(name) ?? []), String(v)]);
            lastAckSentAt[w] = sent;
          } catch (e) {
            // Not acknowledged: a create may still have landed, so the next attempt updates instead.
            if (creating && (e as { code?: number }).code !== 409) v--;
            await sleep(50);
          }
        }
      });
      /** Milliseconds from `killAt` until every writer has had a write acknowledged that it sent after the kill. */
      const resumed = async (killAt: number): Promise<number> => {
        await eventually(() => lastAckSentAt.every((s) => s > killAt) || undefined, 60_000, 'every writer writing');
        return performance.now() - killAt;
      };
      await eventually(() => lastAckSentAt.every((s) => s > 0) || undefined, 30_000, 'the writers started');
      await sleep(2_000);

      // An API server: member 1, a `wharf apiserver` process.
      const cp = record<ControlPlaneRecord>('control-plane.json');
      const apiPid = cp.pids['1'] as number;
      let killAt = performance.now();
      process.kill(apiPid, 'SIGKILL');
      const afterApiKill = await resumed(killAt);
      expect(afterApiKill).toBeLessThan(5_000);
      await eventually(
        async () => {
          const pid = record<ControlPlaneRecord>('control-plane.json').pids['1'];
          return (
            (pid !== undefined && pid !== apiPid && processAlive(pid) && (await readyz(cp.apiPorts[1] as number))) ||
            undefined
          );
        },
        60_000,
        'API server member 1 serving again',
      );

      // The etcd leader.
      const statuses = await Promise.all([0, 1, 2].map(etcdStatus));
      const leader = statuses.findIndex((s) => s && s.header.member_id === s.leader);
      expect(leader).toBeGreaterThanOrEqual(0);
      const etcdPid = record<MemberRecord>(`etcd-${leader}/member.json`).pid;
      killAt = performance.now();
      process.kill(etcdPid, 'SIGKILL');
      const afterEtcdKill = await resumed(killAt);
      expect(afterEtcdKill).toBeLessThan(5_000);
      await eventually(
        async () => {
          const pid = record<MemberRecord>(`etcd-${leader}/member.json`).pid;
          const status = await etcdStatus(leader);
          return (pid !== etcdPid && status !== undefined && status.leader !== '0') || undefined;
        },
        60_000,
        `etcd member ${leader} healthy again, following a leader`,
      );
      await sleep(2_000);
      stop = true;
      await Promise.all(writers);

      // Every acknowledged write is there: each ConfigMap holds its last acknowledged value or a later one sent.
      const names = [...acked.keys()];
      expect(names.length).toBeGreaterThan(WRITERS * 3);
      for (const name of names) {
        const read = await core.readNamespacedConfigMap({ name, namespace: NS });
        const value = Number(read.data?.v);
        expect(value).toBeGreaterThanOrEqual(Number(acked.get(name)?.at(-1)));
        expect(value).toBeLessThanOrEqual(sentMax.get(name) ?? -1);
      }
      // The informer saw every acknowledged value of every ConfigMap.
      const missed = (): string[] =>
        names.flatMap((n) => (acked.get(n) ?? []).filter((v) => !seen.get(n)?.includes(v)).map((v) => `${n}=${v}`));
      await eventually(() => missed().length === 0 || undefined, 20_000, 'the informer to catch up').catch(
        () => undefined,
      );
      expect(missed()).toEqual([]);
      await informer.stop();
      console.log({ afterApiKill, afterEtcdKill, configMaps: names.length, informerResumes: resumes });
    },
  );

  it('replaces an etcd member whose data is lost: it rejoins as a new member and gets the data', async () => {
    const statuses = await Promise.all([0, 1, 2].map(etcdStatus));
    const follower = statuses.findIndex((s) => s && s.header.member_id !== s.leader);
    const old = statuses[follower]?.header.member_id;
    const pid = record<MemberRecord>(`etcd-${follower}/member.json`).pid;
    rmSync(join(wharf.dataDir, `etcd-${follower}`, 'data'), { recursive: true, force: true });
    process.kill(pid, 'SIGKILL');
    const status = await eventually(
      async () => {
        const s = await etcdStatus(follower);
        return s && s.header.member_id !== old && s.leader !== '0' ? s : undefined;
      },
      90_000,
      `etcd member ${follower} replaced and following a leader`,
    );
    expect(status.header.member_id).not.toBe(old);
    // The new member holds what was written before it was lost (a snapshot from the leader).
    const key = Buffer.from(`/registry/configmaps/${NS}/w0-0`).toString('base64');
    const range = await eventually(async () => {
      const res = await fetch(`${etcdUrl(follower)}/v3/kv/range`, {
        method: 'POST',
        body: JSON.stringify({ key, serializable: true }),
      });
      const body = (await res.json()) as { kvs?: unknown[] };
      return body.kvs?.length ? body : undefined;
    }, 30_000);
    expect(range.kvs).toHaveLength(1);
    // And the cluster still takes writes.
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'after-replace' } } });
  });

  it('keeps serving through members 1 and 2 while wharf up (member 0) is killed, and adopts them on its restart', async () => {
    const before = record<ControlPlaneRecord>('control-plane.json').pids;
    await wharf.kill();
    const killedAt = performance.now();
    // The balancer and members 1 and 2 outlive it: the one address takes writes without member 0.
    await eventually(
      () => core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'without-member-0' } } }),
      5_000,
      'a write without member 0',
    );
    expect(performance.now() - killedAt).toBeLessThan(5_000);
    await wharf.relaunchAfterCrash({ extraArgs: ARGS, readyTimeoutMs: 240_000 });
    expect(record<ControlPlaneRecord>('control-plane.json').pids).toEqual(before);
    const read = await core.readNamespacedConfigMap({ name: 'without-member-0', namespace: NS });
    expect(read.metadata?.name).toBe('without-member-0');
  });

  it('stops with wharf up and leaves no process behind after wharf reset', async () => {
    const code = await wharf.stop();
    expect(code, wharf.output.slice(-3000)).toBe(0);
    execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    const left = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(wharf.dataDir);
        } catch {
          return false;
        }
      });
    expect(left).toEqual([]);
    expect(existsSync(join(wharf.dataDir, 'control-plane.json'))).toBe(false);
    expect(existsSync(join(wharf.dataDir, 'etcd-0'))).toBe(false);
  });
});
