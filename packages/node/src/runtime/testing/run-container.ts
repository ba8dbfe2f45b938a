// Test helpers shared by pod-runtime.test.ts and process-runtime.test.ts: run a container on either
// runtime and wait for it, read its CRI log, poll with a deadline, and a plain HTTP GET.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { ContainerRuntime } from '../runtime.js';
import { parseCriLogLine, type CriLogLine } from '../cri-log.js';
import type { ContainerConfig, ContainerStatus } from '../types.js';

/** Creates and starts `c` in the sandbox, waits for it to exit; returns its status and the content of its log lines. */
export async function runToExit(
  rt: ContainerRuntime,
  sandboxId: string,
  c: ContainerConfig,
): Promise<{ status: ContainerStatus; lines: string[] }> {
  const id = await rt.createContainer(sandboxId, c);
  await rt.startContainer(id);
  const status = await waitFor(
    () => rt.containerStatus(id),
    (s) => s.state === 'exited',
    15_000,
  );
  return { status, lines: await logContents(status.logPath) };
}

/**
 * Creates and starts `c` in the sandbox, waits for `line` in its log (e.g. a script saying it is ready); returns its
 * id.
 */
export async function startAndWaitFor(
  rt: ContainerRuntime,
  sandboxId: string,
  c: ContainerConfig,
  line: string,
): Promise<string> {
  const id = await rt.createContainer(sandboxId, c);
  await rt.startContainer(id);
  await waitFor(
    async () => logContents((await rt.containerStatus(id)).logPath),
    (l) => l.includes(line),
    10_000,
  );
  return id;
}

/**
 * The content of each line of the CRI log at `file`, none while there is no file. A line that does not parse shows as
 * `<bad line …>`.
 */
export async function logContents(file: string): Promise<string[]> {
  return (await readCriLog(file)).map((l) => l.content);
}

/**
 * The content of the log's lines from one stream: the shim reads the pipes independently, so only the order within a
 * stream is kept.
 */
export async function streamContents(file: string, stream: CriLogLine['stream']): Promise<string[]> {
  return (await readCriLog(file)).filter((l) => l.stream === stream).map((l) => l.content);
}

async function readCriLog(file: string): Promise<CriLogLine[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => parseCriLogLine(l) ?? { time: '', stream: 'stdout', partial: false, content: `<bad line ${l}>` });
}

/** Polls `get` every 20 ms until `ok` holds; fails after `timeoutMs` with the last value. */
export async function waitFor<T>(get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The body of a GET (any status); rejects on a connection error or after 1 s without an answer. */
export function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
