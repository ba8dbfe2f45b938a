// The process shim (helpers/process-shim.mjs) as the monitor of the process runtime's containers: spawned detached
// per container; it writes started.json, pid, exit.json and the CRI log itself, and serves the
// container's stdin on a stream socket in the container dir.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { CRI_MAX_LINE } from './cri-log.js';
import { containerStatus, type MonitorExit, type MonitorStarted } from './container-status.js';
import { ContainerStartError, InvalidStateError } from './errors.js';
import { killPid, monitorAlive, type ContainerMonitor, type StdinSink } from './monitor.js';
import { SHIM_MODULE, STDIN_SOCKET, type ShimConfig } from './shim.js';
import { readJson, type ContainerRecord } from './store.js';
import type { ContainerStatus } from './types.js';

/** The part of a shim's config that names the container and its files. */
export type ShimFiles = Omit<ShimConfig, 'command'>;

export interface ShimMonitorOptions {
  /** The Node.js binary that runs the shims. */
  readonly nodePath: string;
  readonly startTimeoutMs: number;
  /** The shim's config; throws ContainerStartError (recorded in `files`) when the command cannot start. */
  shimConfig(rec: ContainerRecord, files: ShimFiles): Promise<ShimConfig>;
  /** The pid of the container's process when its shim is gone but the process still runs. */
  orphanPid(rec: ContainerRecord, pidFromFile: number | undefined): Promise<number | undefined>;
}

const POLL_MS = 5;

export class ShimMonitor implements ContainerMonitor {
  constructor(private readonly o: ShimMonitorOptions) {}

  async start(rec: ContainerRecord, dir: string): Promise<void> {
    const files: ShimFiles = {
      id: rec.id,
      logPath: rec.logPath,
      pidFile: path.join(dir, 'pid'),
      startedPath: path.join(dir, 'started.json'),
      exitPath: path.join(dir, 'exit.json'),
      maxLine: CRI_MAX_LINE,
      ...(rec.config.stdin ? { stdin: { once: rec.config.stdinOnce ?? false } } : {}),
    };
    if (existsSync(files.startedPath)) throw new InvalidStateError(`container ${rec.id} was started already`);
    const shim = await this.o.shimConfig(rec, files);
    const shimConfigPath = path.join(dir, 'shim-config.json');
    await writeFile(shimConfigPath, JSON.stringify(shim), { mode: 0o600 });
    const shimLog = openSync(path.join(dir, 'shim.log'), 'a');
    try {
      // Own session (detached) and no pipes to the agent: the shim, and so the container, outlives the agent.
      spawn(this.o.nodePath, [SHIM_MODULE, shimConfigPath], {
        detached: true,
        stdio: ['ignore', shimLog, shimLog],
        cwd: dir,
      }).unref();
    } finally {
      closeSync(shimLog);
    }
    const deadline = Date.now() + this.o.startTimeoutMs;
    while (!existsSync(files.pidFile) && !existsSync(files.exitPath)) {
      if (Date.now() > deadline)
        throw new ContainerStartError(rec.id, `the process did not start within ${this.o.startTimeoutMs} ms`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const exit = await readJson<MonitorExit>(files.exitPath);
    if (exit?.startError) throw new ContainerStartError(rec.id, exit.startError);
  }

  async status(rec: ContainerRecord, dir: string): Promise<ContainerStatus> {
    const started = await readJson<MonitorStarted>(path.join(dir, 'started.json'));
    let exit = await readJson<MonitorExit>(path.join(dir, 'exit.json'));
    if (!started || exit) return containerStatus(rec, { started, exit, monitorAlive: false });
    const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8').catch(() => '')) || undefined;
    if (monitorAlive(started.shimPid, dir)) {
      const status = containerStatus(rec, { started, monitorAlive: true, ...(pid ? { pid } : {}) });
      // Reached through the shim's cwd, so the path stays short whatever the state dir.
      return {
        ...status,
        ...(rec.config.stdin ? { stdinSocket: `/proc/${started.shimPid}/cwd/${STDIN_SOCKET}` } : {}),
      };
    }
    // The shim is gone: it may have finished meanwhile, else the process may still run without it.
    exit = await readJson<MonitorExit>(path.join(dir, 'exit.json'));
    if (exit) return containerStatus(rec, { started, exit, monitorAlive: false });
    const orphan = await this.o.orphanPid(rec, pid);
    return containerStatus(rec, {
      started,
      monitorAlive: false,
      runcRunning: orphan !== undefined,
      ...(orphan ? { pid: orphan } : {}),
    });
  }

  async release(dir: string): Promise<void> {
    const started = await readJson<MonitorStarted>(path.join(dir, 'started.json')).catch(() => undefined);
    if (started?.shimPid && monitorAlive(started.shimPid, dir)) killPid(started.shimPid);
  }

  /** Host processes have no terminal. */
  async resize(): Promise<void> {}

  async openStdin(rec: ContainerRecord, dir: string): Promise<StdinSink> {
    const status = await this.status(rec, dir);
    if (!status.stdinSocket) throw new InvalidStateError(`container ${rec.id} does not take stdin`);
    return connectUnix(status.stdinSocket);
  }
}

/**
 * Connects to the shim's stdin socket. The shim starts listening just after the container starts,
 * so a socket not there yet is tried again until `waitMs`.
 */
export async function connectUnix(socketPath: string, waitMs = 5_000): Promise<net.Socket> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(socketPath);
        s.once('error', reject);
        s.once('connect', () => {
          s.off('error', reject);
          s.on('error', () => undefined); // the container stopped reading: its stdin is gone
          resolve(s);
        });
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() >= deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
