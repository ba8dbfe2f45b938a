// DIR/agent.json: what a `wharf agent` data dir holds (node, runtime, pod network) and which
// process serves it, so a restart keeps the node's network and `wharf reset` finds what to remove.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeKind } from '@wharf/node';
import { processHasArgs } from '../process-check.js';
import { terminate } from '../detached.js';

export interface AgentRecord {
  readonly pid: number;
  readonly nodeName: string;
  readonly server: string;
  readonly runtime: RuntimeKind;
  readonly podCIDR: string;
  readonly bridge: string;
  readonly startedAt: string;
  /** Where the node's runtime keeps its state. @default agentStateDir(dataDir) */
  readonly stateDir?: string;
  /** The process's arguments after `wharf`: `wharf up` adopts an agent started with the ones it would pass. */
  readonly args?: readonly string[];
  /**
   * The Kubernetes version X.Y.Z the agent runs for (its nodeInfo.kubeletVersion); kept by its next start unless asked
   * otherwise.
   */
  readonly kubernetesVersion?: string;
  /** Set once the agent registered its Node and adopted its containers. */
  readonly readyAt?: string;
}

const recordPath = (dataDir: string): string => join(dataDir, 'agent.json');

export function readAgentRecord(dataDir: string): AgentRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(dataDir), 'utf8')) as AgentRecord;
  } catch {
    return undefined;
  }
}

export function writeAgentRecord(dataDir: string, r: AgentRecord): void {
  writeFileSync(recordPath(dataDir), `${JSON.stringify(r, null, 2)}\n`);
}

/** Whether the recorded process is a live `wharf agent` of that node (not a recycled pid). */
export function isAgentProcess(r: AgentRecord): boolean {
  return processHasArgs(r.pid, 'agent', r.nodeName);
}

/** Stops the data dir's agent (SIGTERM, then SIGKILL after 10 s); answers whether one ran. */
export async function stopAgent(dataDir: string): Promise<boolean> {
  const r = readAgentRecord(dataDir);
  if (!r || !isAgentProcess(r)) return false;
  await terminate(r.pid, () => isAgentProcess(r));
  return true;
}

/** Where the node's runtime keeps containers, volumes and logs. */
export const agentStateDir = (dataDir: string): string => join(dataDir, 'node');

/**
 * The nodes joined with `wharf agent` whose data dirs lie under a cluster's data dir
 * (DIR/agents/<node>, the default for the default cluster): the nodes of this machine that the
 * cluster's dataplane, NetworkPolicy enforcers and local volume provisioner serve besides its own.
 */
export function joinedAgents(clusterDataDir: string): { dataDir: string; record: AgentRecord }[] {
  const dir = join(clusterDataDir, 'agents');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const dataDir = join(dir, n);
      const record = readAgentRecord(dataDir);
      return record ? [{ dataDir, record }] : [];
    });
}

/** Where a node's local volumes live (the provisioner's directory for it). */
export const volumesDir = (dataDir: string, r: AgentRecord): string =>
  join(r.stateDir ?? agentStateDir(dataDir), 'volumes');
