// Container logs over HTTP, as the kubelet's /containerLogs endpoint: reads the runtime's CRI log
// files and answers text/plain, optionally following the file while the container runs. Served
// on loopback, where the API server proxies pods/log to it, and over TLS where pods reach the node.
import type { Logger } from '@wharf/client';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseCriLogLine, type CriLogLine } from '../runtime/cri-log.js';

export interface LogQuery {
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  readonly tailLines?: number;
  readonly sinceSeconds?: number;
  readonly sinceTime?: string;
  readonly limitBytes?: number;
}

export interface LogFile {
  readonly path: string;
  /** Whether more output can come (the container runs). */
  running(): Promise<boolean>;
}

/** Finds the log of a container; a string is the reason it has none (404). */
export type LogResolver = (
  namespace: string,
  pod: string,
  container: string,
  previous: boolean,
) => Promise<LogFile | string>;

export function parseLogQuery(q: URLSearchParams): LogQuery | string {
  const num = (k: string): number | undefined | string => {
    const v = q.get(k);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 ? n : `${k} must be a non-negative integer, got "${v}"`;
  };
  const out: Record<string, unknown> = {
    follow: q.get('follow') === 'true',
    previous: q.get('previous') === 'true',
    timestamps: q.get('timestamps') === 'true',
  };
  for (const k of ['tailLines', 'sinceSeconds', 'limitBytes'] as const) {
    const v = num(k);
    if (typeof v === 'string') return v;
    if (v !== undefined) out[k] = v;
  }
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime))) return `sinceTime must be an RFC 3339 time, got "${sinceTime}"`;
    out.sinceTime = sinceTime;
  }
  return out as unknown as LogQuery;
}

/** The text of CRI records as `kubectl logs` shows it. */
export function formatRecords(records: readonly CriLogLine[], timestamps: boolean): string {
  return records.map((r) => `${timestamps ? `${r.time} ` : ''}${r.content}${r.partial ? '' : '\n'}`).join('');
}

/** Records at or after the `since` bound (ms since the epoch), then the last `tail`. */
export function selectRecords(
  records: readonly CriLogLine[],
  sinceMs: number | undefined,
  tail: number | undefined,
): CriLogLine[] {
  let out = sinceMs === undefined ? [...records] : records.filter((r) => Date.parse(r.time) >= sinceMs);
  if (tail !== undefined) out = tail === 0 ? [] : out.slice(-tail);
  return out;
}

/** Streams a log into `write` (returns false to stop); resolves once done (or the client went away). */
export async function streamLog(
  file: LogFile,
  q: LogQuery,
  write: (text: string) => boolean,
  closed: () => boolean,
): Promise<void> {
  const sinceMs = q.sinceTime
    ? Date.parse(q.sinceTime)
    : q.sinceSeconds !== undefined
      ? Date.now() - q.sinceSeconds * 1000
      : undefined;
  let budget = q.limitBytes ?? Infinity;
  const emit = (records: CriLogLine[]): boolean => {
    if (!records.length) return true;
    let text = formatRecords(records, q.timestamps);
    if (Buffer.byteLength(text) > budget) text = Buffer.from(text).subarray(0, budget).toString('utf8');
    budget -= Buffer.byteLength(text);
    return write(text) && budget > 0;
  };
  let offset = 0;
  let pending = '';
  const readMore = async (): Promise<CriLogLine[]> => {
    const size = (await stat(file.path).catch(() => undefined))?.size ?? 0;
    if (size <= offset) return [];
    const chunk = await readRange(file.path, offset, size);
    offset = size;
    const text = pending + chunk;
    const cut = text.lastIndexOf('\n');
    pending = cut < 0 ? text : text.slice(cut + 1);
    return cut < 0
      ? []
      : text
          .slice(0, cut)
          .split('\n')
          .map((l) => parseCriLogLine(l))
          .filter((r): r is CriLogLine => r !== undefined);
  };
  if (!emit(selectRecords(await readMore(), sinceMs, q.tailLines))) return;
  if (!q.follow) return;
  for (;;) {
    if (closed()) return;
    const running = await file.running();
    const more = await readMore();
    if (!emit(sinceMs === undefined ? more : more.filter((r) => Date.parse(r.time) >= sinceMs))) return;
    if (!running && more.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readRange(file: string, start: number, end: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    createReadStream(file, { start, end: end - 1 })
      .on('data', (d) => chunks.push(d as Buffer))
      .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      .on('error', reject);
  });
}

/** Takes the server's HTTP upgrade requests (exec, attach, port-forward: agent/streaming). */
export interface UpgradeHandler {
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Ends every upgraded connection (the server stops). */
  closeAll(): void;
}

/** Answers other GET pages of the endpoint (the metrics pages); undefined when the path is not its. */
export interface PageSource {
  page(pathname: string): Promise<{ readonly contentType: string; readonly body: string } | undefined>;
}

/** How the agent knows the API server: the token it presents, or a check of a presented bearer token. */
export type ApiServerCheck = string | ((bearer: string) => Promise<boolean>);

/** Who may call a listener: undefined lets the request in, a status (401, 403) refuses it. */
export type Gate = (req: http.IncomingMessage) => Promise<401 | 403 | undefined>;

const REFUSAL: Record<401 | 403, string> = { 401: 'Unauthorized', 403: 'Forbidden' };

/**
 * Only the API server may read logs, exec or scrape on loopback: its token, or one the check
 * accepts (a TokenReview, for agents that do not know the API server's token); anyone without a check.
 */
export function apiServerGate(check: ApiServerCheck | undefined): Gate {
  return async (req) => {
    if (!check) return undefined;
    const header = req.headers.authorization ?? '';
    if (typeof check === 'function') {
      const ok = header.startsWith('Bearer ') && (await check(header.slice('Bearer '.length)).catch(() => false));
      return ok ? undefined : 401;
    }
    const got = Buffer.from(header);
    const want = Buffer.from(`Bearer ${check}`);
    return got.length === want.length && timingSafeEqual(got, want) ? undefined : 401;
  };
}

/**
 * The agent's HTTP endpoint: `GET /containerLogs/<ns>/<pod>/<container>`, and the pages of `pages`,
 * on loopback for the API server and, as the kubelet's port 10250, over TLS where pods reach the node.
 */
export class LogServer {
  private readonly servers: (http.Server | https.Server)[] = [];

  constructor(
    private readonly resolve: LogResolver,
    private readonly logger: Logger,
    private readonly upgrades?: UpgradeHandler,
    private readonly pages?: PageSource,
    /** When set, every request on loopback must carry the API server's bearer token (apiServerGate). */
    private readonly clientToken?: ApiServerCheck,
  ) {}

  /** Plain HTTP on loopback, for the API server; answers the bound port. */
  start(port: number, host = '127.0.0.1'): Promise<number> {
    return this.listen(http.createServer(), port, host, apiServerGate(this.clientToken));
  }

  /** HTTPS with the node's serving certificate, each request let in or refused by `gate`. */
  startTls(
    port: number,
    host: string,
    tls: { readonly cert: string; readonly key: string },
    gate: Gate,
  ): Promise<number> {
    return this.listen(https.createServer({ cert: tls.cert, key: tls.key }), port, host, gate);
  }

  private async listen(server: http.Server | https.Server, port: number, host: string, check: Gate): Promise<number> {
    // A check that fails (the API unreachable for a review) refuses, as the kubelet does.
    const gate: Gate = (req) => check(req).catch(() => 401 as const);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res, gate));
    const upgrades = this.upgrades;
    if (upgrades) {
      server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on('error', () => socket.destroy());
        void gate(req).then((refused) => {
          if (!refused) return upgrades.handleUpgrade(req, socket, head);
          const text = `${REFUSAL[refused]}\n`;
          socket.end(
            `HTTP/1.1 ${refused} ${REFUSAL[refused]}\r\nContent-Type: text/plain\r\n` +
              `Content-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`,
          );
        });
      });
    }
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (!this.servers.length) return;
    this.upgrades?.closeAll();
    const servers = this.servers.splice(0);
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, gate: Gate): Promise<void> {
    const fail = (code: number, message: string): void => {
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${message}\n`);
    };
    const refused = await gate(req);
    if (refused) return fail(refused, REFUSAL[refused]);
    try {
      const url = new URL(req.url ?? '/', 'http://agent');
      const page = req.method === 'GET' ? await this.pages?.page(url.pathname) : undefined;
      if (page) {
        res.writeHead(200, { 'Content-Type': page.contentType, 'Content-Length': Buffer.byteLength(page.body) });
        res.end(page.body);
        return;
      }
      const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
      if (req.method !== 'GET' || !m) return fail(404, `not found: ${req.method} ${url.pathname}`);
      const q = parseLogQuery(url.searchParams);
      if (typeof q === 'string') return fail(400, q);
      const [ns, pod, container] = [m[1], m[2], m[3]].map((s) => decodeURIComponent(s ?? ''));
      const file = await this.resolve(ns!, pod!, container!, q.previous);
      if (typeof file === 'string') return fail(404, file);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.flushHeaders();
      let gone = false;
      res.on('close', () => (gone = true));
      await streamLog(
        file,
        q,
        (text) => !gone && (res.write(text), true),
        () => gone,
      );
      res.end();
    } catch (e) {
      this.logger.warn({ err: e, path: (req.url ?? '/').split('?')[0] }, 'serving a request failed');
      if (!res.headersSent) fail(500, (e as Error).message);
      else res.end();
    }
  }
}
