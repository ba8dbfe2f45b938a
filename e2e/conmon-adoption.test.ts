// conmon keeps runc containers running and logging without Wharf: stop Wharf with 10 running pods,
// start it again, create 10 more and `kill -9` Wharf while they start, start it once more. All 20
// run, each pod has exactly one container in runc and one conmon, no runc or conmon process is
// left over, each pod has one network namespace, and logs written while Wharf was down are there,
// tick after tick. Needs root, runc, conmon and the CNI plugins (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
const NODE = 'node-0';

const pod = (name: string): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'adopt' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'c',
          image: 'busybox:1',
          command: ['sh', '-c', 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.5; done'],
        },
      ],
    },
  });

/** Processes whose command line names `dir`, by their program's name (conmon, runc, …). */
function processesUnder(dir: string): { pid: number; name: string; cmdline: string }[] {
  const out: { pid: number; name: string; cmdline: string }[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmdline = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ');
      if (!cmdline.includes(dir)) continue;
      out.push({ pid: Number(e), name: readFileSync(`/proc/${e}/comm`, 'utf8').trim(), cmdline });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

describe.skipIf(skip !== '')(`conmon adoption across stops and crashes ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  const stateDir = (): string => join(wharf.dataDir, 'nodes', NODE);
  const first = Array.from({ length: 10 }, (_, i) => `first-${i}`);
  const second = Array.from({ length: 10 }, (_, i) => `second-${i}`);

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'] });
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
  }, 180_000);

  afterAll(async () => {
    await wharf?.stop();
    if (!wharf) return;
    execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    expect(processesUnder(wharf.dataDir).filter((p) => p.name === 'conmon' || p.name.startsWith('runc'))).toEqual([]);
  });

  it('10 pods keep running and logging while Wharf is stopped', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: first.map(pod).join('\n') });
    await k.ok(['wait', '--for=condition=Ready', ...first.map((n) => `pod/${n}`), '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    expect(await wharf.stop()).toBe(0);
    const conmons = processesUnder(stateDir()).filter((p) => p.name === 'conmon');
    expect(conmons.length).toBe(10);
    // Still logging with nobody of Wharf's running: the log of first-0 grows.
    const logOf = (): string => {
      const dir = readdirSync(join(stateDir(), 'logs')).find((d) => d.startsWith('default_first-0_'));
      return dir ? readFileSync(join(stateDir(), 'logs', dir, 'c', '0.log'), 'utf8') : '';
    };
    const before = logOf().length;
    await eventually(() => (logOf().length > before ? true : undefined), 10_000, 'first-0 logging while Wharf is down');
  }, 200_000);

  it('a kill -9 in the middle of 10 pod starts, then a start: all 20 run, none twice', async () => {
    await wharf.restart({ extraArgs: ['--nodes', '1'] });
    await k.ok(['apply', '-f', '-'], { stdin: second.map(pod).join('\n') });
    // Killed once the agent has begun on the new pods but not finished them all.
    const sandboxes = (): number => readdirSync(join(stateDir(), 'run', 'sandboxes')).length;
    await eventually(() => (sandboxes() >= 12 ? true : undefined), 60_000, 'the agent starting the second batch');
    await wharf.kill();
    await wharf.relaunchAfterCrash({ extraArgs: ['--nodes', '1'] });
    await k.ok(['wait', '--for=condition=Ready', ...[...first, ...second].map((n) => `pod/${n}`), '--timeout=180s'], {
      timeoutMs: 190_000,
    });

    // The first ten were adopted, not restarted.
    const restarts = await k.ok([
      'get',
      'pods',
      '-l',
      'app=adopt',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.status.containerStatuses[0].restartCount}{"\\n"}{end}',
    ]);
    for (const n of first) expect(restarts).toContain(`${n}=0`);

    // One runc container per pod, all running, and one conmon each: nothing orphaned or doubled.
    const uids = JSON.parse(await k.ok(['get', 'pods', '-l', 'app=adopt', '-o', 'json'])) as {
      items: { metadata: { name: string; uid: string } }[];
    };
    const prefixOf = (uid: string): string => `wharf-${uid.replace(/-/g, '').slice(0, 16)}`;
    await eventually(
      async () => {
        const runc = JSON.parse(
          (await run('runc', ['--root', join(stateDir(), 'run', 'runc'), 'list', '--format', 'json'])).stdout || '[]',
        ) as { id: string; status: string }[];
        const running = runc.filter((c) => c.status === 'running');
        if (runc.length !== 20 || running.length !== 20) return undefined;
        for (const p of uids.items)
          expect(running.filter((c) => c.id.startsWith(`${prefixOf(p.metadata.uid)}`)).length, p.metadata.name).toBe(1);
        return true;
      },
      60_000,
      'exactly 20 running runc containers, one per pod',
    );
    const procs = processesUnder(stateDir());
    expect(procs.filter((p) => p.name === 'conmon').length).toBe(20);
    // No `runc create`/`runc init` or other runc left waiting from the killed start.
    expect(procs.filter((p) => p.name.startsWith('runc'))).toEqual([]);

    // One network namespace per pod (a half-made one from the kill is gone).
    const netns = execFileSync('ip', ['netns', 'list']).toString();
    for (const p of uids.items) {
      const mine = netns.split('\n').filter((l) => l.startsWith(prefixOf(p.metadata.uid)));
      expect(mine.length, `${p.metadata.name}: ${mine.join(', ')}`).toBe(1);
    }
  }, 400_000);

  it('logs are continuous across both stops: every tick of the first pods is there, in order', async () => {
    for (const n of ['first-0', 'first-9']) {
      // Both stops lie within the first ticks; on a quick run the pod may not have made 20 yet.
      const ticks = await eventually(
        async () => {
          const t = (await k.ok(['logs', n]))
            .split('\n')
            .filter(Boolean)
            .map((l) => Number(/^tick (\d+)$/.exec(l)?.[1] ?? NaN));
          return t.length > 20 ? t : undefined;
        },
        20_000,
        `more than 20 ticks of ${n}`,
      );
      expect(ticks).toEqual(ticks.map((_, i) => i));
    }
    // And kubectl logs -f keeps following a container Wharf adopted.
    const f = k.spawn(['logs', '-f', '--tail=1', 'first-1']);
    try {
      await eventually(
        () => ((f.output().match(/tick \d+/g) ?? []).length >= 3 ? true : undefined),
        20_000,
        'three ticks followed',
      );
    } finally {
      f.stop();
    }
  }, 60_000);
});
