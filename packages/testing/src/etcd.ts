// A real etcd for tests: Debian's etcd-server, one or three members on loopback (random ports, a
// data dir under the temp dir), so the etcd store is tested against the real thing, member loss included.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolUnavailable } from './runtime.js';
import { freePort } from './wharf-process.js';

const ETCD = '/usr/bin/etcd';

/** Why etcd cannot run here, or '' when it can. */
export function etcdUnavailable(): string | undefined {
  return toolUnavailable([ETCD], 'apt-get install etcd-server etcd-client; scripts/setup.sh --test does');
}

interface Member {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  child: ChildProcess | undefined;
}

export class EtcdCluster {
  private constructor(
    private readonly dir: string,
    private readonly members: Member[],
  ) {}

  /** Starts `size` members and resolves once each answers its health check. */
  static async start(size = 1): Promise<EtcdCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-etcd-'));
    const members: Member[] = [];
    for (let i = 0; i < size; i++) {
      members.push({
        name: `m${i}`,
        clientUrl: `http://127.0.0.1:${await freePort()}`,
        peerUrl: `http://127.0.0.1:${await freePort()}`,
        child: undefined,
      });
    }
    const cluster = new EtcdCluster(dir, members);
    try {
      for (let i = 0; i < size; i++) cluster.run(i);
      await Promise.all(members.map((_m, i) => cluster.healthy(i)));
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    return cluster;
  }

  /** The client URLs of the members. */
  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  private run(i: number): void {
    const m = this.members[i] as Member;
    const initialCluster = this.members.map((x) => `${x.name}=${x.peerUrl}`).join(',');
    m.child = spawn(
      ETCD,
      [
        `--name=${m.name}`,
        `--data-dir=${join(this.dir, m.name)}`,
        `--listen-client-urls=${m.clientUrl}`,
        `--advertise-client-urls=${m.clientUrl}`,
        `--listen-peer-urls=${m.peerUrl}`,
        `--initial-advertise-peer-urls=${m.peerUrl}`,
        `--initial-cluster=${initialCluster}`,
        '--initial-cluster-state=new',
        '--initial-cluster-token=wharf-test',
      ],
      { stdio: 'ignore' },
    );
  }

  /** Polls the member's /health until it answers healthy, for up to 20 s. */
  private async healthy(i: number): Promise<void> {
    const url = `${(this.members[i] as Member).clientUrl}/health`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const res = await fetch(url);
        if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`etcd member ${i} not healthy at ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Kills member `i` with SIGKILL, as a crash would. */
  async kill(i: number): Promise<void> {
    const child = (this.members[i] as Member).child;
    (this.members[i] as Member).child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts member `i` again on its data dir and waits until it is healthy. */
  async restart(i: number): Promise<void> {
    this.run(i);
    await this.healthy(i);
  }

  async stop(): Promise<void> {
    for (let i = 0; i < this.members.length; i++) await this.kill(i);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
