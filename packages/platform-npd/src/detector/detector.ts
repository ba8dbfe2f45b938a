// The node problem detector's runner: it follows each system-log monitor's source, runs each
// custom plugin on its interval, turns findings into Warning Events on the Node (from the monitor's
// source, as `kubectl describe node` shows them) and NodeConditions patched on the Node's status,
// and serves problem_counter/problem_gauge. The decisions are the pure LogMatcher and
// applyFindings; this file owns I/O, timers and the saved state.
import { createServer, type Server } from 'node:http';
import { EventRecorder, silentLogger, timestamp, type KubeClient, type Logger } from '@wharf/client';
import type {
  ConditionSpec,
  CustomPluginMonitorConfig,
  MonitorConfig,
  SystemLogMonitorConfig,
} from '../config/monitor-config.js';
import { FileLogSource } from '../logs/file-log.js';
import { filelogParser } from '../logs/filelog-format.js';
import { KmsgSource } from '../logs/kmsg.js';
import type { Cursor, LogLine, LogSource } from '../logs/log-line.js';
import {
  applyFindings,
  initialConditions,
  nextExpiry,
  type ConditionChange,
  type Conditions,
  type NodeConditionLike,
} from '../problems/conditions.js';
import type { Finding } from '../problems/finding.js';
import { LogMatcher } from '../problems/log-matcher.js';
import { pluginFinding, runPlugin } from './custom-plugin.js';
import { ProblemMetrics } from './metrics.js';
import { readState, writeState, type DetectorState } from './state-file.js';

export interface NodeProblemDetectorOptions {
  readonly client: Pick<KubeClient, 'get' | 'patch' | 'create'>;
  readonly nodeName: string;
  readonly monitors: readonly MonitorConfig[];
  /** Where read positions and problem times are kept across restarts. */
  readonly stateFile: string;
  /** host:port of the metrics endpoint; port 0 picks a free one. @default no endpoint */
  readonly metricsAddress?: string;
  /** @default silentLogger */
  readonly logger?: Logger;
}

export class NodeProblemDetector {
  private readonly log: Logger;
  private readonly specs: ConditionSpec[];
  /** Condition type → the source of the monitor that owns it, for the events of its changes. */
  private readonly sourceOf: Map<string, string>;
  private readonly metrics = new ProblemMetrics();
  private readonly recorders = new Map<string, EventRecorder>();
  private readonly sources: LogSource[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private conditions: Conditions = new Map();
  private state: DetectorState = { cursors: {}, lastProblem: {} };
  private server: Server | undefined;
  /** Findings are applied one batch at a time, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: NodeProblemDetectorOptions) {
    this.log = (opts.logger ?? silentLogger).child({ component: 'node-problem-detector', node: opts.nodeName });
    this.specs = opts.monitors.flatMap((m) => m.conditions);
    this.sourceOf = new Map(opts.monitors.flatMap((m) => m.conditions.map((c) => [c.type, m.source] as const)));
  }

  /** The metrics endpoint's port, once started with one. */
  get metricsPort(): number | undefined {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : undefined;
  }

  async start(): Promise<void> {
    const now = Date.now();
    this.state = readState(this.opts.stateFile);
    const node = await this.opts.client.get<{ status?: { conditions?: NodeConditionLike[] } }>(
      `/api/v1/nodes/${this.opts.nodeName}`,
    );
    this.conditions = initialConditions(this.specs, node.status?.conditions ?? [], this.state.lastProblem, now);
    this.metrics.observe(this.conditions);
    // Conditions the Node lacks are written at once (healthy); those it shows stay as they are.
    const missing = this.specs.filter((s) => !(node.status?.conditions ?? []).some((c) => c.type === s.type));
    if (missing.length) await this.patchConditions(missing.map((s) => s.type));
    for (const m of this.opts.monitors) {
      if (m.kind === 'system-log') this.followLog(m, now);
      else this.runPlugins(m);
    }
    this.scheduleExpiry();
    if (this.opts.metricsAddress) await this.serveMetrics(this.opts.metricsAddress);
    this.log.info(
      { monitors: this.opts.monitors.map((m) => m.source), metricsPort: this.metricsPort },
      'node problem detector started',
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    clearTimeout(this.expiryTimer);
    await Promise.all(this.sources.map((s) => s.stop()));
    await this.chain;
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private followLog(m: SystemLogMonitorConfig, startMs: number): void {
    const cursor = this.state.cursors[m.file];
    const source =
      m.plugin === 'kmsg'
        ? new KmsgSource({ path: m.logPath, ...(cursor ? { cursor } : {}) })
        : new FileLogSource({
            path: m.logPath,
            parse: filelogParser(m),
            ...(cursor ? { cursor } : {}),
            onError: (e) => this.log.warn({ err: e, logPath: m.logPath }, 'reading the log failed'),
          });
    const matcher = new LogMatcher(m);
    // Without a saved position, only lines within `lookback` count (upstream's behaviour); with one,
    // every line after it is new, and none before it is seen twice.
    const oldest = cursor ? -Infinity : startMs - m.lookbackMs;
    source.start((lines, next) => {
      const findings = lines.filter((l: LogLine) => l.timeMs >= oldest).flatMap((l) => matcher.push(l));
      this.enqueue(m.source, findings, { file: m.file, cursor: next });
    });
    this.sources.push(source);
  }

  private runPlugins(m: CustomPluginMonitorConfig): void {
    const tick = (): void => {
      if (this.stopped) return;
      const at = Date.now();
      void Promise.all(m.rules.map(async (r) => pluginFinding(r, await runPlugin(r, m.maxOutputLength), m, at))).then(
        (fs) => {
          this.enqueue(
            m.source,
            fs.filter((f): f is Finding => f !== undefined),
          );
          this.after(m.invokeIntervalMs, tick);
        },
      );
    };
    this.after(0, tick);
  }

  private after(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private enqueue(source: string, findings: readonly Finding[], read?: { file: string; cursor: Cursor }): void {
    this.chain = this.chain
      .then(() => this.apply(source, findings, read))
      .catch((e: unknown) => this.log.error({ err: e }, 'reporting node problems failed'));
  }

  private async apply(
    source: string,
    findings: readonly Finding[],
    read?: { file: string; cursor: Cursor },
  ): Promise<void> {
    for (const f of findings) {
      if (f.kind === 'temporary') {
        this.metrics.count(f.reason);
        this.recorder(source).emit(this.nodeRef(), 'Warning', f.reason, f.message);
        this.log.info({ source, reason: f.reason, message: f.message }, 'temporary problem');
      } else if (f.kind === 'permanent') {
        this.metrics.count(f.reason);
      }
    }
    const { states, changes } = applyFindings(this.specs, this.conditions, findings, Date.now());
    this.conditions = states;
    this.metrics.observe(states);
    if (changes.length) await this.report(changes);
    this.remember(read);
    this.scheduleExpiry();
  }

  private async report(changes: readonly ConditionChange[]): Promise<void> {
    await this.patchConditions(changes.map((c) => c.to.type));
    for (const { to } of changes) {
      const source = this.sourceOf.get(to.type) ?? '';
      this.recorder(source).emit(this.nodeRef(), to.status === 'False' ? 'Normal' : 'Warning', to.reason, to.message);
      this.log.info({ source, condition: to.type, status: to.status, reason: to.reason }, 'node condition changed');
    }
  }

  private remember(read?: { file: string; cursor: Cursor }): void {
    const lastProblem = Object.fromEntries(
      [...this.conditions.values()]
        .filter((s) => s.lastProblemMs !== undefined)
        .map((s) => [s.type, s.lastProblemMs as number]),
    );
    this.state = {
      cursors: read ? { ...this.state.cursors, [read.file]: read.cursor } : this.state.cursors,
      lastProblem,
    };
    writeState(this.opts.stateFile, this.state);
  }

  /** One timer for the earliest TTL, replaced whenever the conditions change. */
  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    const at = nextExpiry(this.specs, this.conditions);
    if (at === undefined || this.stopped) return;
    this.expiryTimer = setTimeout(() => this.enqueue('', []), Math.max(0, at - Date.now()) + 10);
  }

  /** Strategic merge by type: only our conditions are written, the node agent's stay. */
  private async patchConditions(types: readonly string[]): Promise<void> {
    const now = timestamp(Date.now());
    const conditions = types
      .map((t) => this.conditions.get(t))
      .filter((s) => s !== undefined)
      .map((s) => ({
        type: s.type,
        status: s.status,
        reason: s.reason,
        message: s.message,
        lastHeartbeatTime: now,
        lastTransitionTime: timestamp(s.lastTransitionMs),
      }));
    await this.opts.client.patch(`/api/v1/nodes/${this.opts.nodeName}/status`, { status: { conditions } }, 'strategic');
  }

  /** Upstream NPD's reference to the Node: the node name doubles as its uid, as the kubelet's does. */
  private nodeRef(): { kind: string; name: string; uid: string; apiVersion: string } {
    return { apiVersion: 'v1', kind: 'Node', name: this.opts.nodeName, uid: this.opts.nodeName };
  }

  private recorder(source: string): EventRecorder {
    let r = this.recorders.get(source);
    if (!r) {
      r = new EventRecorder({
        client: this.opts.client,
        component: source || 'node-problem-detector',
        host: this.opts.nodeName,
        onError: (e) => this.log.warn({ err: e }, 'writing an event failed'),
      });
      this.recorders.set(source, r);
    }
    return r;
  }

  private serveMetrics(address: string): Promise<void> {
    const i = address.lastIndexOf(':');
    const host = address.slice(0, i) || '127.0.0.1';
    const port = Number(address.slice(i + 1));
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end('not found\n');
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.metrics.render(this.conditions));
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
  }
}
