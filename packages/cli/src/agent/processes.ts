// The node agents of `wharf up --nodes N --node-processes`: each a `wharf agent` process of its
// own, started detached so it outlives `wharf up` (as the dataplane does), adopted by the next
// `wharf up` when it runs with the arguments that start would pass, replaced otherwise, and
// started again while `wharf up` runs whenever it is found gone (a crash, a kill -9), as systemd
// restarts a kubelet. Containers outlive their agent (conmon holds them): a new agent adopts them.
import { join } from 'node:path';
import type { Logger } from '@wharf/client';
import { restartWhenGone, startDetached, waitFor } from '../detached.js';
import { isAgentProcess, readAgentRecord, stopAgent, type AgentRecord } from './state.js';

/** One node's agent process: its data dir (agent.json, kubeconfig, agent.log) and `wharf` arguments. */
export interface AgentProcessSpec {
  readonly name: string;
  readonly dataDir: string;
  readonly args: readonly string[];
}

const START_TIMEOUT_MS = 180_000;
const sameArgs = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
const live = (dataDir: string): AgentRecord | undefined => {
  const r = readAgentRecord(dataDir);
  return r && isAgentProcess(r) ? r : undefined;
};

export class AgentProcesses {
  /** The supervision of each node that should be running, by node name. */
  private readonly watched = new Map<string, () => void>();

  constructor(
    private readonly log: Logger,
    private readonly everyMs = 2000,
  ) {}

  /** Adopts the node's running agent when it runs with `spec.args`, else (re)starts it; waits until it serves. */
  async ensure(spec: AgentProcessSpec): Promise<{ pid: number; adopted: boolean }> {
    const found = live(spec.dataDir);
    if (found && sameArgs(found.args, spec.args)) {
      // One started by an earlier `wharf up` may still be registering.
      await waitFor(`the agent of ${spec.name} to serve`, START_TIMEOUT_MS, () =>
        live(spec.dataDir)?.readyAt ? true : undefined,
      );
      this.log.info({ node: spec.name, pid: found.pid, since: found.startedAt }, 'adopted the running node agent');
      return { pid: found.pid, adopted: true };
    }
    if (found) {
      this.log.info(
        { node: spec.name, pid: found.pid },
        'the running node agent has another configuration: replacing it',
      );
      await stopAgent(spec.dataDir);
    }
    const { pid } = await startDetached(
      `wharf agent ${spec.name}`,
      spec.args,
      join(spec.dataDir, 'agent.log'),
      START_TIMEOUT_MS,
      (p) => {
        const r = readAgentRecord(spec.dataDir);
        return r?.pid === p && r.readyAt ? r : undefined;
      },
    );
    this.log.info({ node: spec.name, pid }, 'started the node agent as a process of its own');
    return { pid, adopted: false };
  }

  /** Starts the node's agent again whenever it is found gone, until unwatch() or stop(). */
  watch(spec: AgentProcessSpec): void {
    this.unwatch(spec.name);
    this.watched.set(
      spec.name,
      restartWhenGone(
        this.everyMs,
        () => !live(spec.dataDir),
        () => {
          this.log.warn({ node: spec.name }, 'the node agent process is gone: starting it again');
          return this.ensure(spec);
        },
        (e) => this.log.error({ err: e, node: spec.name }, 'starting the node agent again failed'),
      ),
    );
  }

  unwatch(name: string): void {
    this.watched.get(name)?.();
    this.watched.delete(name);
  }

  /** Kills the node's agent at once (SIGKILL, as on power loss), after unwatching it. */
  async kill(spec: AgentProcessSpec): Promise<void> {
    this.unwatch(spec.name);
    const r = live(spec.dataDir);
    if (!r) return;
    process.kill(r.pid, 'SIGKILL');
    await waitFor(`the agent of ${spec.name} to die`, 10_000, () => (isAgentProcess(r) ? undefined : true));
  }

  /** Stops supervising; the agents keep running (and their containers serving), to be adopted. */
  stop(): void {
    for (const name of [...this.watched.keys()]) this.unwatch(name);
  }
}
