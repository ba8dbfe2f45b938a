// Liveness, readiness and startup probes (httpGet to the pod IP, tcpSocket, exec through the
// runtime), and a worker per container and probe kind that runs one on its period and reports
// when the result crosses successThreshold / failureThreshold.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { V1Container, V1HTTPGetAction, V1Probe } from '@kubernetes/client-node';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface ProbeOutcome {
  readonly ok: boolean;
  /** Why it failed (the Unhealthy event's message). */
  readonly message: string;
}

export interface ProbeTarget {
  readonly podIP: string;
  readonly container: V1Container;
  /** runtime.execSync for the container. */
  exec(cmd: readonly string[], timeoutSeconds: number): Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

/** Resolves a named port against the container's ports. */
export function probePort(port: number | string | undefined, c: V1Container): number {
  if (typeof port === 'number') return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  const found = c.ports?.find((p) => p.name === port);
  if (!found) throw new Error(`port "${port}" is not a named port of container ${c.name}`);
  return found.containerPort;
}

/** Runs the probe's handler once. */
export async function runProbe(
  p: V1Probe | NonNullable<NonNullable<V1Container['lifecycle']>['preStop']>,
  t: ProbeTarget,
  timeoutSeconds: number,
): Promise<ProbeOutcome> {
  try {
    if (p.exec) {
      const r = await t.exec(p.exec.command ?? [], timeoutSeconds);
      return r.exitCode === 0
        ? { ok: true, message: '' }
        : {
            ok: false,
            message: `command ${JSON.stringify(p.exec.command)} exited with ${r.exitCode}: ${(r.stdout + r.stderr).trim().slice(0, 200)}`,
          };
    }
    if (p.httpGet) return await httpProbe(p.httpGet, t, timeoutSeconds);
    if ('tcpSocket' in p && p.tcpSocket)
      return await tcpProbe(p.tcpSocket.host || t.podIP, probePort(p.tcpSocket.port, t.container), timeoutSeconds);
    return { ok: true, message: '' }; // grpc and sleep handlers are not implemented: count as success
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

function httpProbe(g: V1HTTPGetAction, t: ProbeTarget, timeoutSeconds: number): Promise<ProbeOutcome> {
  const port = probePort(g.port, t.container);
  const host = g.host || t.podIP;
  const scheme = (g.scheme ?? 'HTTP').toUpperCase();
  const url = `${scheme.toLowerCase()}://${host}:${port}${g.path?.startsWith('/') ? g.path : `/${g.path ?? ''}`}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const lib = scheme === 'HTTPS' ? https : http;
    const req = lib.get(
      url,
      { headers, timeout: timeoutSeconds * 1000, rejectUnauthorized: false, agent: false },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(
          code >= 200 && code < 400
            ? { ok: true, message: '' }
            : { ok: false, message: `HTTP probe failed with statuscode: ${code}` },
        );
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new Error(`Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`),
      ),
    );
    req.on('error', (e) =>
      resolve({ ok: false, message: e.message.startsWith('Get ') ? e.message : `Get "${url}": ${e.message}` }),
    );
  });
}

function tcpProbe(host: string, port: number, timeoutSeconds: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: timeoutSeconds * 1000 });
    s.on('connect', () => {
      s.destroy();
      resolve({ ok: true, message: '' });
    });
    s.on('timeout', () => {
      s.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    s.on('error', (e) => resolve({ ok: false, message: `dial tcp ${host}:${port}: ${e.message}` }));
  });
}

export interface ProbeWorkerOptions {
  readonly kind: ProbeKind;
  readonly probe: V1Probe;
  readonly target: ProbeTarget;
  /** When the container started (initialDelaySeconds counts from here). */
  readonly startedAt: number;
  /** The result crossed a threshold: true after successThreshold successes, false after failureThreshold failures. */
  onResult(ok: boolean): void;
  /** Every failed attempt (Unhealthy event). */
  onFailure(message: string): void;
}

/** Runs one probe of one container until stopped. The first result is reported only once a threshold is reached. */
export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  private last: boolean | undefined;

  constructor(private readonly o: ProbeWorkerOptions) {}

  start(): void {
    const delay = Math.max(0, this.o.startedAt + (this.o.probe.initialDelaySeconds ?? 0) * 1000 - Date.now());
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const p = this.o.probe;
    const r = await runProbe(p, this.o.target, p.timeoutSeconds ?? 1);
    if (this.stopped) return;
    if (r.ok) {
      this.failures = 0;
      this.successes += 1;
      const need = this.o.kind === 'readiness' ? (p.successThreshold ?? 1) : 1;
      if (this.successes >= need && this.last !== true) this.report(true);
    } else {
      this.successes = 0;
      this.failures += 1;
      this.o.onFailure(r.message);
      if (this.failures >= (p.failureThreshold ?? 3) && this.last !== false) this.report(false);
    }
    // A started container's startup probe is done for good.
    if (this.o.kind === 'startup' && this.last === true) return;
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), (p.periodSeconds ?? 10) * 1000);
  }

  private report(ok: boolean): void {
    this.last = ok;
    this.o.onResult(ok);
    // After a liveness or startup failure the container is killed; counting starts over if it is not.
    if (!ok && this.o.kind !== 'readiness') {
      this.failures = 0;
      this.last = undefined;
    }
  }
}
