// Waits for a long operation: polls the Application and its revisions once a second, prints a
// progress line on stderr whenever it changes, and resolves with the outcome line or fails with
// the reason (Degraded, RolledBack, a missing config key, or the --timeout).
import { CliError } from '../kube/errors.js';
import type { Connection } from '../kube/context.js';
import { getApp, listRevisions } from './api.js';
import { assess, type Goal } from './progress.js';

export interface WaitOptions {
  /** Give up after this long (the operation itself goes on). */
  readonly timeoutMs: number;
  /** Where progress lines go. @default process.stderr */
  readonly progress?: NodeJS.WritableStream;
}

export async function waitFor(c: Connection, app: string, goal: Goal, opts: WaitOptions): Promise<string> {
  const out = opts.progress ?? process.stderr;
  const deadline = Date.now() + opts.timeoutMs;
  let last = '';
  for (;;) {
    const [a, revs] = await Promise.all([
      getApp(c, app),
      goal.kind === 'revision' ? listRevisions(c, app) : Promise.resolve([]),
    ]);
    const p = assess(a, revs, goal, Date.now());
    if (p.state === 'failed') throw new CliError(`application ${app}: ${p.line}`);
    if (p.state === 'done') return p.line;
    if (p.line !== last) out.write(`${app}: ${p.line}\n`);
    last = p.line;
    if (Date.now() > deadline)
      throw new CliError(
        `application ${app}: not done after ${Math.round(opts.timeoutMs / 1000)} s (${last}); it goes on: see "wharf app get ${app} -n ${c.namespace}"`,
      );
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The `--timeout` value in ms (`90s`, `5m`, or seconds). */
export function timeoutMs(s: string | undefined): number {
  if (s === undefined) return 600_000;
  const m = /^(\d+)(s|m)?$/.exec(s.trim());
  if (!m) throw new Error(`--timeout ${s}: expected seconds, 90s or 5m`);
  return Number(m[1]) * (m[2] === 'm' ? 60_000 : 1000);
}
