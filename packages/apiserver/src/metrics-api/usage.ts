// Resource usage of nodes and pods as metrics-server computes it: the node agent's
// /metrics/resource is scraped on demand, the last two scrapes of each node are kept, and CPU
// usage is the increase of the cumulative CPU counter over the time between them; memory is the
// last working set. A node seen for the first time (or not for a while) is scraped twice, a
// second apart, so the first `kubectl top` already has a rate.
import { request } from 'node:http';
import { parsePromText, type PromSample } from './prom-text.js';

export interface Usage {
  /** CPU in cores (a rate), memory working set in bytes. */
  readonly cpuCores: number;
  readonly memoryBytes: number;
  /** Milliseconds since the epoch of the newer sample, and the length of the window. */
  readonly timestampMs: number;
  readonly windowMs: number;
}

export interface PodUsage {
  readonly timestampMs: number;
  readonly windowMs: number;
  readonly containers: readonly ({ readonly name: string } & Usage)[];
}

export interface NodeUsage {
  readonly node?: Usage;
  /** By `<namespace>/<pod>`; only pods every running container of which has two samples. */
  readonly pods: ReadonlyMap<string, PodUsage>;
}

interface Point {
  readonly value: number;
  readonly at: number;
}

interface Scrape {
  /** Local time of the scrape. */
  readonly at: number;
  readonly nodeCpu?: Point;
  readonly nodeMemory?: Point;
  /** By `<namespace>/<pod>/<container>`. */
  readonly cpu: ReadonlyMap<string, Point>;
  readonly memory: ReadonlyMap<string, Point>;
}

export interface UsageSourceOptions {
  /** GETs /metrics/resource from the agent on `port`. @default HTTP to 127.0.0.1 with `headers` */
  readonly fetch?: (port: number) => Promise<string>;
  /** Headers of the default fetch (the agents' token). @default none */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default Date.now */
  readonly now?: () => number;
  /** A scrape younger than this is reused. @default 5000 */
  readonly freshMs?: number;
  /** A previous scrape older than this is not used as the window's start. @default 60000 */
  readonly staleMs?: number;
  /** Gap between the two scrapes of a node seen for the first time. @default 1000 */
  readonly firstWindowMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class UsageSource {
  private readonly scrapes = new Map<string, { prev?: Scrape; last?: Scrape; inflight?: Promise<void> }>();
  private readonly fetch: (port: number) => Promise<string>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: UsageSourceOptions = {}) {
    this.fetch = o.fetch ?? ((port) => fetchResourceMetrics(port, o.headers ?? {}));
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** The node's and its pods' usage; throws when the agent cannot be scraped. */
  async usage(nodeName: string, port: number): Promise<NodeUsage> {
    const key = `${nodeName}:${port}`;
    let entry = this.scrapes.get(key);
    if (!entry) this.scrapes.set(key, (entry = {}));
    const e = entry;
    const fresh = e.last && this.now() - e.last.at < (this.o.freshMs ?? 5000);
    if (!fresh) {
      e.inflight ??= this.refresh(e, port).finally(() => (e.inflight = undefined));
      await e.inflight;
    }
    return e.prev && e.last ? usageBetween(e.prev, e.last) : { pods: new Map() };
  }

  private async refresh(e: { prev?: Scrape; last?: Scrape }, port: number): Promise<void> {
    const scrape = async (): Promise<Scrape> => toScrape(parsePromText(await this.fetch(port)), this.now());
    const next = await scrape();
    if (!e.last || next.at - e.last.at > (this.o.staleMs ?? 60_000)) {
      await this.sleep(this.o.firstWindowMs ?? 1000);
      e.prev = next;
      e.last = await scrape();
      return;
    }
    e.prev = e.last;
    e.last = next;
  }
}

function toScrape(samples: readonly PromSample[], at: number): Scrape {
  const cpu = new Map<string, Point>();
  const memory = new Map<string, Point>();
  let nodeCpu: Point | undefined;
  let nodeMemory: Point | undefined;
  for (const s of samples) {
    const p = { value: s.value, at: s.timestampMs ?? at };
    const key = `${s.labels.namespace ?? ''}/${s.labels.pod ?? ''}/${s.labels.container ?? ''}`;
    if (s.name === 'node_cpu_usage_seconds_total') nodeCpu = p;
    else if (s.name === 'node_memory_working_set_bytes') nodeMemory = p;
    else if (s.name === 'container_cpu_usage_seconds_total') cpu.set(key, p);
    else if (s.name === 'container_memory_working_set_bytes') memory.set(key, p);
  }
  return { at, cpu, memory, ...(nodeCpu ? { nodeCpu } : {}), ...(nodeMemory ? { nodeMemory } : {}) };
}

/**
 * A rate between two points of a cumulative counter; undefined when it cannot be one (no time passed, counter reset).
 */
function rate(prev: Point | undefined, last: Point | undefined): { cores: number; windowMs: number } | undefined {
  if (!prev || !last || last.at <= prev.at || last.value < prev.value) return undefined;
  return { cores: (last.value - prev.value) / ((last.at - prev.at) / 1000), windowMs: last.at - prev.at };
}

function usageBetween(prev: Scrape, last: Scrape): NodeUsage {
  const nodeRate = rate(prev.nodeCpu, last.nodeCpu);
  const node =
    nodeRate && last.nodeMemory
      ? {
          cpuCores: nodeRate.cores,
          memoryBytes: last.nodeMemory.value,
          timestampMs: last.nodeCpu!.at,
          windowMs: nodeRate.windowMs,
        }
      : undefined;
  const byPod = new Map<string, ({ name: string } & Usage)[] | null>();
  for (const [key, point] of last.cpu) {
    const cut = key.lastIndexOf('/');
    const pod = key.slice(0, cut);
    const r = rate(prev.cpu.get(key), point);
    const mem = last.memory.get(key);
    // As metrics-server: a pod is left out until every one of its containers has a rate.
    if (!r || !mem || byPod.get(pod) === null) {
      byPod.set(pod, null);
      continue;
    }
    const list = byPod.get(pod) ?? [];
    list.push({
      name: key.slice(cut + 1),
      cpuCores: r.cores,
      memoryBytes: mem.value,
      timestampMs: point.at,
      windowMs: r.windowMs,
    });
    byPod.set(pod, list);
  }
  const pods = new Map<string, PodUsage>();
  for (const [pod, containers] of byPod) {
    if (!containers) continue;
    pods.set(pod, {
      timestampMs: Math.max(...containers.map((c) => c.timestampMs)),
      windowMs: Math.max(...containers.map((c) => c.windowMs)),
      containers,
    });
  }
  return { ...(node ? { node } : {}), pods };
}

function fetchResourceMetrics(port: number, headers: Readonly<Record<string, string>>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/metrics/resource', method: 'GET', headers, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(body)
            : reject(new Error(`/metrics/resource answered ${res.statusCode ?? 0}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('/metrics/resource did not answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}
