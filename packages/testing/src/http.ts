// One HTTP GET for tests: a fresh connection per request (no keep-alive pool that could hide a
// dead backend), a hard deadline for the whole exchange, and the status, headers and body returned.
import http from 'node:http';

export interface HttpReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body as UTF-8 text. */
  readonly text: string;
}

export interface HttpGetOptions {
  readonly host: string;
  readonly port: number;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  /** The whole exchange must finish within this many milliseconds (default 3000). */
  readonly timeoutMs?: number;
}

/** GET `http://host:port/path`; rejects on a network error or when the deadline passes. */
export function httpGet(opts: HttpGetOptions): Promise<HttpReply> {
  const { host, port, path = '/', headers = {}, timeoutMs = 3000 } = opts;
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(
      () => req.destroy(new Error(`GET http://${host}:${port}${path}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (e: Error): void => {
      clearTimeout(deadline);
      reject(e);
    };
    const req = http.get({ host, port, path, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(deadline);
        const body = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() });
      });
    });
    req.on('error', fail);
  });
}

/** The body of a 200 answer, trimmed; any other status rejects with `HTTP <status>`. */
export async function httpText(opts: HttpGetOptions): Promise<string> {
  const reply = await httpGet(opts);
  if (reply.status !== 200)
    throw new Error(`GET http://${opts.host}:${opts.port}${opts.path ?? '/'}: HTTP ${reply.status}`);
  return reply.text.trim();
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** GET http://host:port/path: status and body text, for `toEqual({ status, body })` assertions. */
export async function httpAnswer(host: string, port: number, path: string, timeoutMs = 10_000): Promise<HttpAnswer> {
  const r = await httpGet({ host, port, path, timeoutMs });
  return { status: r.status, body: r.text };
}

/** What `steadyRequests` saw: how many requests, and each failure with its time. */
export interface SteadyResult {
  readonly requests: number;
  readonly failures: readonly string[];
}

/**
 * GETs `opts` every 100 ms until stopped, so a test can say that a change (an upgrade, an agent
 * restart) failed no request; an answer `expectText` rejects counts as a failure. stop() ends the
 * loop after the request in flight.
 */
export function steadyRequests(opts: HttpGetOptions, expectText: RegExp): { stop(): Promise<SteadyResult> } {
  let requests = 0;
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      requests++;
      await httpText(opts).then(
        (t) =>
          expectText.test(t)
            ? undefined
            : failures.push(`${new Date().toISOString()} unexpected answer ${JSON.stringify(t.slice(0, 80))}`),
        (e: unknown) => failures.push(`${new Date().toISOString()} ${(e as Error).message}`),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { requests, failures };
    },
  };
}
