// conmon as the monitor of runc containers (see conmon.ts): started with `runc create` under
// conmon, then `runc start`; no process of Wharf's stays beside the container. Its status comes from
// files alone: started.json (ours, written once runc started it), conmon's pid file, conmon's exit
// file, turned into exit.json the first time it is seen (with OOMKilled from the cgroup, which
// `runc delete` removes later). Only when conmon was killed does runc get asked.
import { constants as fsConstants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { SeqpacketSocket } from 'node-unix-socket';
import { oomKillCount } from './cgroups.js';
import { CONMON_FILES, launchConmon, type ConmonOptions } from './conmon.js';
import { containerStatus } from './container-status.js';
import { ExitWatch } from './exit-watch.js';
import { ContainerStartError, InvalidStateError } from './errors.js';
import { killPid, monitorAlive, type ContainerMonitor, type StdinSink } from './monitor.js';
import type { Runc } from './runc.js';
import { readJson, writeJson, type ContainerRecord } from './store.js';
import type { ContainerStatus } from './types.js';
import type { MonitorExit, MonitorStarted } from './container-status.js';

export interface ConmonMonitorOptions {
  readonly conmon: ConmonOptions;
  readonly runc: Runc;
  /** How long a start waits for conmon to create the container. */
  readonly startTimeoutMs: number;
}

/** Unix socket paths longer than this do not fit sockaddr_un; such a path is reached through a dir fd. */
const MAX_SOCKET_PATH = 100;

export class ConmonMonitor implements ContainerMonitor {
  /** Running containers by dir: started.json, conmon's pid and the container's pid, read once. */
  private readonly running = new Map<
    string,
    { readonly started: MonitorStarted; readonly conmonPid: number; readonly pid?: number }
  >();
  /** Watches the exit dirs of the running containers seen by status(): exits are reported at once. */
  readonly exits = new ExitWatch();

  constructor(private readonly o: ConmonMonitorOptions) {}

  async start(rec: ContainerRecord, dir: string): Promise<void> {
    const startedPath = path.join(dir, 'started.json');
    if (existsSync(startedPath) || existsSync(path.join(dir, CONMON_FILES.conmonPid)))
      throw new InvalidStateError(`container ${rec.id} was started already`);
    mkdirSync(path.join(dir, CONMON_FILES.exitDir), { recursive: true });
    const c = rec.config;
    const created = await launchConmon(
      this.o.conmon,
      {
        id: rec.id,
        dir,
        logPath: rec.logPath,
        tty: c.tty === true,
        stdin: c.stdin === true,
        stdinOnce: c.stdinOnce === true,
      },
      this.o.startTimeoutMs,
    );
    if ('error' in created) return this.failed(rec, dir, created.error);
    const startedAt = new Date().toISOString();
    try {
      await this.o.runc.start(rec.id, created.pid, this.o.startTimeoutMs);
    } catch (e) {
      return this.failed(rec, dir, (e as Error).message);
    }
    const conmonPid = Number(readText(path.join(dir, CONMON_FILES.conmonPid)) ?? '0');
    const started: MonitorStarted = { shimPid: conmonPid, startedAt };
    await writeJson(startedPath, started);
    // Known now: the first status() reads none of the files back.
    if (conmonPid) this.running.set(dir, { started, conmonPid, pid: created.pid });
  }

  async status(rec: ContainerRecord, dir: string): Promise<ContainerStatus> {
    let known = this.running.get(dir);
    if (!known) {
      const started = await readJson<MonitorStarted>(path.join(dir, 'started.json'));
      const exit = await readJson<MonitorExit>(path.join(dir, 'exit.json'));
      if (!started || exit) return containerStatus(rec, { started, exit, monitorAlive: false });
      const conmonPid = Number(readText(path.join(dir, CONMON_FILES.conmonPid))) || started.shimPid;
      const pid = Number(readText(path.join(dir, CONMON_FILES.pid))) || undefined;
      known = { started, conmonPid, ...(pid ? { pid } : {}) };
      // What does not change while it runs, so a pod's sync every second reads only the exit file.
      if (conmonPid && pid) this.running.set(dir, known);
    }
    const { started, conmonPid, pid } = known;
    // Watched before the exit file is read, so an exit in between is reported too.
    const exitDir = path.join(dir, CONMON_FILES.exitDir);
    this.exits.watch(exitDir, rec.sandboxId);
    let exit = await this.exitOf(rec, dir);
    if (!exit && monitorAlive(conmonPid, dir)) {
      return {
        ...containerStatus(rec, { started, monitorAlive: true, ...(pid ? { pid } : {}) }),
        ...(rec.config.stdin ? { stdinSocket: path.join(dir, CONMON_FILES.attach) } : {}),
        ...(rec.config.tty ? { tty: true } : {}),
      };
    }
    this.running.delete(dir);
    this.exits.unwatch(exitDir);
    // conmon is gone: it may have finished meanwhile; else it was killed and runc alone knows.
    exit ??= await this.exitOf(rec, dir);
    if (exit) return containerStatus(rec, { started, exit, monitorAlive: false });
    const state = await this.o.runc.state(rec.id);
    const alive = state?.status === 'running';
    return containerStatus(rec, {
      started,
      monitorAlive: false,
      runcRunning: alive,
      ...(alive ? { pid: state.pid } : {}),
    });
  }

  async release(dir: string): Promise<void> {
    this.running.delete(dir);
    this.exits.unwatch(path.join(dir, CONMON_FILES.exitDir));
    const conmonPid = Number(readText(path.join(dir, CONMON_FILES.conmonPid)));
    if (conmonPid && monitorAlive(conmonPid, dir)) killPid(conmonPid);
  }

  /** Writes a resize message to conmon's ctl FIFO; nothing when conmon is gone (no reader: ENXIO). */
  async resize(_rec: ContainerRecord, dir: string, width: number, height: number): Promise<void> {
    const fh = await open(path.join(dir, CONMON_FILES.ctl), fsConstants.O_WRONLY | fsConstants.O_NONBLOCK).catch(
      () => undefined,
    );
    if (!fh) return;
    try {
      await fh.write(`1 ${Math.floor(height)} ${Math.floor(width)}\n`);
    } finally {
      await fh.close();
    }
  }

  /**
   * Connects to conmon's attach socket: what is written goes to the container's stdin; its output
   * (also in the log) is dropped. A terminal has no stdin to close, so ending a stdinOnce attach to
   * a TTY container types the terminal's EOF (^D), as `script` did before conmon.
   */
  async openStdin(rec: ContainerRecord, dir: string): Promise<StdinSink> {
    const socketPath = path.join(dir, CONMON_FILES.attach);
    const dirFd = socketPath.length > MAX_SOCKET_PATH ? await open(dir, 'r') : undefined;
    try {
      const target = dirFd ? `/proc/self/fd/${dirFd.fd}/${CONMON_FILES.attach}` : socketPath;
      return await connectSeqpacket(target, rec.config.tty === true && rec.config.stdinOnce === true);
    } finally {
      await dirFd?.close();
    }
  }

  /** The exit conmon recorded, as exit.json (written the first time it is seen). */
  private async exitOf(rec: ContainerRecord, dir: string): Promise<MonitorExit | undefined> {
    const file = path.join(dir, CONMON_FILES.exitDir, rec.id);
    const text = readText(file);
    if (text === undefined || text.trim() === '') return undefined;
    const oomKilled = existsSync(path.join(dir, 'oom')) || (await oomKillCount(rec.cgroupsPath)) > 0;
    const finishedAt = ((await stat(file).catch(() => undefined))?.mtime ?? new Date()).toISOString();
    const exit: MonitorExit = { exitCode: Number(text.trim()), finishedAt, oomKilled };
    await writeJson(path.join(dir, 'exit.json'), exit);
    return exit;
  }

  /** Records the failed start (exited, StartError) and throws it. */
  private async failed(rec: ContainerRecord, dir: string, error: string): Promise<never> {
    const now = new Date().toISOString();
    await writeJson(path.join(dir, 'started.json'), { shimPid: 0, startedAt: now } satisfies MonitorStarted);
    await writeJson(path.join(dir, 'exit.json'), {
      exitCode: 128,
      finishedAt: now,
      oomKilled: false,
      startError: error,
    } satisfies MonitorExit);
    throw new ContainerStartError(rec.id, error);
  }
}

/** A small file's text, undefined when it cannot be read (synchronous: see readJsonSync in store.ts). */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A SOCK_SEQPACKET connection (conmon's attach socket; Node's net speaks only SOCK_STREAM) as a stdin sink. */
function connectSeqpacket(target: string, eofOnEnd: boolean): Promise<StdinSink> {
  return new Promise((resolve, reject) => {
    const s = new SeqpacketSocket();
    let destroyed = false;
    s.on('data', () => undefined);
    s.on('error', (e: Error) => {
      destroyed = true;
      reject(e);
    });
    s.on('close', () => (destroyed = true));
    try {
      s.connect(target, () =>
        resolve({
          get destroyed() {
            return destroyed;
          },
          write: (data) => !destroyed && s.write(data),
          end: () => {
            if (destroyed) return;
            if (eofOnEnd) s.write(Buffer.from([4]));
            s.end();
          },
          destroy: () => {
            destroyed = true;
            s.destroy();
          },
        }),
      );
    } catch (e) {
      reject(e as Error);
    }
  });
}
