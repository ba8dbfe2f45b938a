// Workloads never notice the control plane: with a client pod resolving a Service by name and
// fetching from it every 50 ms, and a host client fetching the app through its Ingress URL every
// 50 ms, `wharf up` is killed (SIGKILL, then SIGTERM), stays down (20 s, then 5 s) and starts again on
// the same data dir, as for an upgrade of Wharf itself (one whose dataplane differs: the running one
// hands its sockets over; also one whose rules differ: they are replaced in one transaction).
// Neither client sees a failure; during the outage iptables still holds the Service's DNAT rules
// (the dataplane process writes them, and runs on), and after the restart the rule set is the
// same (a new dataplane adopts it, not rebuilt, no duplicates). A dataplane process that dies is
// started again. Real runc pods, DNS, iptables.
// Needs root, runc, the CNI plugins and iptables.
import { execFileSync } from 'node:child_process';
import { readFileSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyPrefix } from '@wharf/node';
import {
  buildBusyboxImage,
  eventually,
  httpdDeployment,
  Kubectl,
  processAlive,
  runcUnavailable,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const skip = runcUnavailable();
const ARGS = ['--nodes', '1'];
/**
 * The first drill's outage: long enough for the dataplane's watches to back off to 8 s between
 * retries (client/informer.ts doubles from 0.5 s), so the restart is found by a late retry. The
 * later drills prove other restart paths (a clean stop, other rules, a new build), not the
 * outage's length, so theirs is shorter.
 */
const LONG_OUTAGE_MS = 20_000;
const OUTAGE_MS = 5000;
/** Start-up on a machine shared with other test runs can take a while. */
const READY_MS = 120_000;

const manifests = `${httpdDeployment({ name: 'web' })}---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules: [{host: web.localhost, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:1
    # Resolves "web" through cluster DNS (busybox's own resolver: static glibc cannot) every time,
    # then fetches from the cluster IP on a fresh connection (an explicit port and no -T: either
    # makes the static busybox wget crash).
    command: ["sh", "-c", "while true; do ip=$(nslookup web 2>/dev/null | awk '/^Name:/{getline; print $2; exit}'); if [ -n \\"$ip\\" ] && timeout 10 wget -q -O /dev/null http://$ip:80/; then echo \\"$(date +%s) ok\\"; else echo \\"$(date +%s) FAIL $ip\\"; fi; sleep 0.05; done"]
`;

/** One request through the Ingress gateway on a fresh connection. */
function viaIngress(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // A request unanswered for 10 s fails: on a machine shared by several test runs, answers can
    // take seconds without anything being wrong.
    const req = get(
      { host: '127.0.0.1', port, path: '/', headers: { host: 'web.localhost' }, timeout: 10_000, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** The host client: fetches every 50 ms until stopped; notes when each answer came, and failures. */
function hostLoad(port: number): { stop: () => Promise<{ ok: number[]; failed: string[] }> } {
  let running = true;
  const ok: number[] = [];
  const failed: string[] = [];
  const loop = (async () => {
    while (running) {
      await viaIngress(port).then(
        () => ok.push(Date.now()),
        (e: Error) => failed.push(`${new Date().toISOString()} ${e.message}`),
      );
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ok, failed };
    },
  };
}

/** The compiled entry of @wharf/node: part of what the dataplane's build is made of. */
const NODE_ENTRY = createRequire(import.meta.url).resolve('@wharf/node');

interface DataplaneRecord {
  pid: number;
  build?: string;
  httpPort: number;
  dnsPort: number;
  serviceProxy?: boolean;
}

function dataplaneRecord(dataDir: string): DataplaneRecord {
  return JSON.parse(readFileSync(join(dataDir, 'dataplane.json'), 'utf8')) as DataplaneRecord;
}

/** What the dataplane processes of the data dir logged (each appends to one file). */
const dataplaneLog = (dataDir: string): string => readFileSync(join(dataDir, 'dataplane.log'), 'utf8');

/** The Service rules of this Wharf as iptables-save prints them, without counters. */
function serviceRules(prefix: string): string[] {
  return ['nat', 'filter'].flatMap((t) =>
    execFileSync('iptables-save', ['-t', t], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(prefix)),
  );
}

describe.skipIf(skip !== '')(`workloads through a control-plane restart ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let prefix = '';
  let clusterIP = '';
  let podIPs: string[] = [];

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ARGS, readyTimeoutMs: READY_MS });
    prefix = proxyPrefix(wharf.dataDir);
    k = new Kubectl(wharf.kubeconfig);
    await buildBusyboxImage(wharf.dataDir);
    await k.ok(['apply', '-f', '-'], { stdin: manifests });
    await k.ok(['rollout', 'status', 'deploy/web', '--timeout=90s'], { timeoutMs: 100_000 });
    await k.ok(['wait', '--for=condition=Ready', 'pod/client', '--timeout=60s'], { timeoutMs: 70_000 });
    clusterIP = (await k.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    podIPs = (await k.ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}']))
      .trim()
      .split(' ');
    // Traffic only once both ends are programmed: the DNAT rules and the client's first answers.
    await eventually(
      () =>
        podIPs.every((ip) => serviceRules(prefix).some((l) => l.includes(`--to-destination ${ip}:8080`)))
          ? true
          : undefined,
      20_000,
      'DNAT rules for both pods',
    );
    await eventually(
      async () => ((await k.ok(['logs', 'client'])).includes(' ok') ? true : undefined),
      30_000,
      'the client pod reaching web by name',
    );
    await eventually(() => viaIngress(wharf.ingressPort).then(() => true), 20_000, 'the Ingress answering');
  }, 400_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  }, 60_000);

  const drills = [
    { how: 'SIGKILL', title: 'stopped by SIGKILL', outageMs: LONG_OUTAGE_MS },
    { how: 'SIGTERM', title: 'stopped by SIGTERM', outageMs: OUTAGE_MS },
    // An upgrade whose proxy writes other rules: the new dataplane replaces them in one transaction.
    {
      how: 'SIGTERM',
      title: 'upgraded to a build with another rule set',
      outageMs: OUTAGE_MS,
      otherRules: true,
      newBuild: true,
    },
    // An upgrade of the dataplane's own code: the running one hands its sockets to the new build's.
    { how: 'SIGTERM', title: 'upgraded to a rebuilt dataplane', outageMs: OUTAGE_MS, newBuild: true },
  ] as const;
  for (const drill of drills) {
    const { how, outageMs } = drill;
    it(`serves every request by name and through the Ingress while wharf up is ${drill.title}, down ${outageMs / 1000} s`, async () => {
      const rulesBefore = serviceRules(prefix);
      const from = Math.floor(Date.now() / 1000);
      const load = hostLoad(wharf.ingressPort);
      await new Promise((r) => setTimeout(r, 2000));
      const downAt = Date.now();
      const down = Math.floor(downAt / 1000);
      if (how === 'SIGKILL') await wharf.kill();
      else expect(await wharf.stop()).toBe(0);
      // The Service's DNAT rules stay while nothing runs them.
      const during = serviceRules(prefix);
      expect(during.filter((l) => l.includes(`-d ${clusterIP}/32`)).length).toBeGreaterThan(0);
      for (const ip of podIPs) expect(during.some((l) => l.includes(`--to-destination ${ip}:8080`))).toBe(true);
      if ('otherRules' in drill) {
        // What another build's rule set looks like to this one: a different mark.
        execFileSync('iptables', [
          '-w',
          '5',
          '-t',
          'nat',
          '-R',
          `${prefix}-SYNC`,
          '1',
          '-m',
          'comment',
          '--comment',
          'wharf rule set 0000000000000000',
          '-j',
          'RETURN',
        ]);
      }
      const dataplaneBefore = dataplaneRecord(wharf.dataDir);
      const dataplaneLogFrom = dataplaneLog(wharf.dataDir).length;
      // A rebuilt Wharf: the compiled files the dataplane runs have changed (their times, here).
      if ('newBuild' in drill) utimesSync(NODE_ENTRY, new Date(), new Date());
      await new Promise((r) => setTimeout(r, outageMs));
      const started = Date.now();
      if (how === 'SIGKILL') await wharf.relaunchAfterCrash({ extraArgs: ARGS, readyTimeoutMs: READY_MS });
      else await wharf.restart({ extraArgs: ARGS, readyTimeoutMs: READY_MS });
      const restartMs = Date.now() - started;
      const upAt = Date.now();
      const up = Math.ceil(upAt / 1000);
      // Keep the load on while agents, controllers and the proxy resync.
      await new Promise((r) => setTimeout(r, 5000));
      const host = await load.stop();
      const hostInOutage = host.ok.filter((t) => t > downAt && t < upAt).length;
      console.log(
        `${how}: restart took ${restartMs} ms; host through the Ingress: ${host.ok.length} answers (${hostInOutage} while Wharf was down or starting), ${host.failed.length} failures`,
      );
      expect(host.failed).toEqual([]);
      expect(hostInOutage).toBeGreaterThan(outageMs / 2000);
      const dataplaneAfter = dataplaneRecord(wharf.dataDir);
      if ('newBuild' in drill) {
        expect(wharf.output).toContain('handed the dataplane (cluster DNS, Ingress gateway) over to this build');
        expect(dataplaneAfter.pid).not.toBe(dataplaneBefore.pid);
        expect(dataplaneAfter.build).not.toBe(dataplaneBefore.build);
        // The same sockets: the same ports, and the old process is gone once its requests finished.
        expect([dataplaneAfter.httpPort, dataplaneAfter.dnsPort]).toEqual([
          dataplaneBefore.httpPort,
          dataplaneBefore.dnsPort,
        ]);
        await eventually(
          () => (processAlive(dataplaneBefore.pid) ? undefined : true),
          30_000,
          'the old dataplane to exit',
        );
      } else {
        expect(wharf.output).toContain('adopted the running dataplane');
        expect(dataplaneAfter.pid).toBe(dataplaneBefore.pid);
      }
      // The dataplane process writes the Service rules, not wharf up: its proxy ran through the outage.
      expect(dataplaneAfter.serviceProxy).toBe(true);
      expect(wharf.output).not.toContain('Service rules');
      // A new dataplane's proxy finds its own rule set installed and adopts it (another one: it is replaced).
      if (!('otherRules' in drill) && 'newBuild' in drill)
        expect(dataplaneLog(wharf.dataDir).slice(dataplaneLogFrom)).toContain('adopted the Service rules');
      // The same rules as before the outage: adopted (or rewritten as they were), nothing duplicated.
      expect(serviceRules(prefix)).toEqual(rulesBefore);
      const lines = (await k.ok(['logs', 'client'])).trim().split('\n');
      const failed = lines.filter((l) => l.includes('FAIL') && Number(l.split(' ')[0]) >= from);
      const inOutage = lines.filter((l) => {
        const t = Number(l.split(' ')[0]);
        return t > down && t < up && l.endsWith(' ok');
      });
      console.log(
        `${how}: client pod by name: ${inOutage.length} answers while Wharf was down or starting, ${failed.length} failures from the drill's start to its end`,
      );
      expect(failed).toEqual([]);
      expect(inOutage.length).toBeGreaterThan(outageMs / 2000);
    }, 300_000);
  }

  it('runs the dataplane as system:wharf:dataplane, which may route but not run pods or read ConfigMaps', async () => {
    const own = new Kubectl(join(wharf.dataDir, 'dataplane', 'kubeconfig'));
    expect((await own.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim()).toBe(
      'system:wharf:dataplane',
    );
    expect((await own.run(['auth', 'can-i', 'watch', 'ingresses.networking.k8s.io', '-A'])).stdout.trim()).toBe('yes');
    for (const forbidden of [
      ['create', 'pods'],
      ['get', 'configmaps'],
      ['delete', 'services'],
    ]) {
      expect((await own.run(['auth', 'can-i', ...forbidden, '-n', 'default'])).stdout.trim(), forbidden.join(' ')).toBe(
        'no',
      );
    }
    // The Ingress's ADDRESS was written by the dataplane under that name, not the admin's.
    const statusWrites = readFileSync(join(wharf.dataDir, 'audit.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"resource":"ingresses","subresource":"status"'));
    expect(statusWrites.length).toBeGreaterThan(0);
    expect(new Set(statusWrites.map((l) => (JSON.parse(l) as { user: string }).user))).toEqual(
      new Set(['system:wharf:dataplane']),
    );
  });

  it('starts the dataplane again when its process dies while Wharf runs', async () => {
    const record = (): { pid: number } =>
      JSON.parse(readFileSync(join(wharf.dataDir, 'dataplane.json'), 'utf8')) as { pid: number };
    const before = record().pid;
    process.kill(before, 'SIGKILL');
    const after = await eventually(
      () => {
        const pid = record().pid;
        return pid !== before ? pid : undefined;
      },
      30_000,
      'a new dataplane process',
    );
    expect(readFileSync(`/proc/${after}/cmdline`, 'utf8')).toContain('dataplane');
    await eventually(() => viaIngress(wharf.ingressPort).then(() => true), 10_000, 'the Ingress answering again');
    await eventually(
      async () => ((await k.ok(['logs', 'client', '--tail=1'])).includes(' ok') ? true : undefined),
      20_000,
      'the client pod resolving web again',
    );
  }, 60_000);
});
